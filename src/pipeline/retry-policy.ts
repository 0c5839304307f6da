import type { DeliveryConfig } from '../config/types.js';

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

// RFC 9110 §5.6.7: IMF-fixdate, the obsolete RFC 850 form, or asctime. Date.parse alone accepts almost anything ("2").
const HTTP_DATE = /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/** Parses a Retry-After header (delay-seconds, or an HTTP-date) to milliseconds from now; undefined when absent or malformed. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const date = Date.parse(/GMT$/.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
