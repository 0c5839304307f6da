import type { DeliveryConfig } from '../config/types.js';

export type RetryDecision = { action: 'retry'; at: number } | { action: 'dead'; reason: string };

/**
 * The one policy for a failed attempt: exponential backoff with full jitter,
 * Retry-After honoured exactly (never sooner), up to delivery.maxAge after the
 * job was created; non-retryable failures go straight to the dead letters.
 */
export function decideRetry(
  failure: { retryable: boolean; retryAfterMs?: number; reason: string },
  job: { attempt: number; createdAt: number },
  now: number,
  policy: DeliveryConfig,
  random: () => number = Math.random,
): RetryDecision {
  if (!failure.retryable) return { action: 'dead', reason: failure.reason };
  const ceiling = Math.min(policy.backoff.capMs, policy.backoff.baseMs * policy.backoff.factor ** Math.max(0, job.attempt - 1));
  const delay = failure.retryAfterMs !== undefined ? failure.retryAfterMs : Math.floor(random() * ceiling);
  const at = now + delay;
  if (at > job.createdAt + policy.maxAgeMs) {
    return { action: 'dead', reason: `gave up after ${job.attempt} attempt${job.attempt === 1 ? '' : 's'} (delivery.maxAge passed): ${failure.reason}` };
  }
  return { action: 'retry', at };
}

/** Parses a Retry-After header (seconds, or an HTTP date) to milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
