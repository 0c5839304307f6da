import { parseRetryAfter } from '../http/retry-after.js';
import type { DeliveryResult } from './receiver.js';

/**
 * The retry decision for a plain HTTP answer, shared by the webhook-style
 * receivers: 429 and 503 retryable after their Retry-After (when given),
 * 408 and other 5xx retryable, other 4xx not.
 */
export function resultFromStatus(status: number, retryAfter: string | null, now: number, what: string): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true };
  const after = parseRetryAfter(retryAfter, now);
  const retryAfterMs = after === undefined ? {} : { retryAfterMs: after };
  if (status === 429) return { ok: false, retryable: true, ...retryAfterMs, reason: `${what} is rate limiting (429)`, failure: 'rateLimited', code: 'rateLimited' };
  if (status === 503) return { ok: false, retryable: true, ...retryAfterMs, reason: `${what} answered 503`, failure: 'serverError', code: 'serverError' };
  if (status === 408 || status >= 500) return { ok: false, retryable: true, reason: `${what} answered ${status}`, failure: 'serverError', code: 'serverError' };
  if (status === 401 || status === 403) {
    return { ok: false, retryable: false, reason: `${what} refused the credentials (${status}): check the URL's token or headers`, failure: 'authError', code: 'authError' };
  }
  return { ok: false, retryable: false, reason: `${what} rejected the message (${status})`, failure: 'clientError', code: 'clientError' };
}

/** A network failure or abort: always retryable; the message never includes the URL (it may hold a token). */
export function resultFromError(err: unknown, what: string): DeliveryResult {
  const e = err as { name?: string; cause?: { code?: string }; code?: string };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { ok: false, retryable: true, reason: `${what} did not answer in time`, failure: 'timeout', code: 'timeout' };
  const code = e.cause?.code ?? e.code ?? 'network error';
  return { ok: false, retryable: true, reason: `could not reach ${what} (${code})`, failure: 'serverError', code: 'serverError' };
}

/** A URL fit for logs and errors: scheme and host only (paths and queries often carry tokens, as Slack's do). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' && !u.search ? '' : '/…'}`;
  } catch {
    return '[invalid url]';
  }
}
