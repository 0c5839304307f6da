import type { DeliveryConfig } from '../model/config.js';

export type RetryDecision = { action: 'retry'; at: number } | { action: 'dead'; reason: string };

/** The largest backoff for an attempt (1-based): base × factor^(attempt-1), at most cap. */
export function backoffCeiling(attempt: number, backoff: DeliveryConfig['backoff']): number {
  return Math.min(backoff.capMs, backoff.baseMs * backoff.factor ** Math.max(0, attempt - 1));
}

/**
 * The one policy for a failed attempt: exponential backoff with full jitter
 * (a uniform delay in [0, ceiling]), or exactly Retry-After when the receiver
 * was given one (never sooner), until delivery.maxAge after the job was
 * created; non-retryable failures go straight to the dead letters.
 */
export function decideRetry(
  failure: { retryable: boolean; retryAfterMs?: number; reason: string },
  job: { attempt: number; createdAt: number },
  now: number,
  policy: Pick<DeliveryConfig, 'backoff' | 'maxAgeMs'>,
  random: () => number = Math.random,
): RetryDecision {
  if (!failure.retryable) return { action: 'dead', reason: failure.reason };
  const delay = failure.retryAfterMs !== undefined
    ? Math.max(0, Math.ceil(failure.retryAfterMs))
    : Math.floor(Math.min(1, Math.max(0, random())) * backoffCeiling(job.attempt, policy.backoff));
  const at = now + delay;
  if (at > job.createdAt + policy.maxAgeMs) {
    return { action: 'dead', reason: `gave up after ${job.attempt} attempt${job.attempt === 1 ? '' : 's'} (delivery.maxAge passed): ${failure.reason}` };
  }
  return { action: 'retry', at };
}
