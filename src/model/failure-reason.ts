/**
 * Why a delivery failed, in the classes the metrics count (Alertmanager's reasons, plus rate limits and timeouts).
 * The receiver that saw the failure sets it on its DeliveryResult; nothing derives it afterwards.
 */
export const FAILURE_REASONS = ['rateLimited', 'clientError', 'serverError', 'timeout', 'authError', 'other'] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];
