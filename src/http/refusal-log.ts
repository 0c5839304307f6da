import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ErrorCode } from '../errors.js';

/** Each code is logged at most once in this long: the first refusal of a window; the others are counted. */
export const REFUSAL_LOG_WINDOW_MS = 60_000;

/** A webhook refused with a 4xx: never the secret header's value, never the body. */
export interface Refusal {
  status: number;
  code: ErrorCode;
  remoteAddress: string;
  method: string;
  path: string;
  /** The error's message: fixed text written by the bridge, with no value taken from the request. */
  reason: string;
}

/** What to do about the refusals a sender's set-up causes. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  unauthorized: "the security header value set in the Aver portal must be one of aver.webhook.secrets (and aver.webhook.header its name)",
  unsupported_media_type: 'the sender must post Content-Type: application/json',
  payload_too_large: 'raise aver.webhook.maxBodyBytes if Aver really sends bodies this large',
};

/**
 * Logs refused webhooks at warn, at most one line per code per REFUSAL_LOG_WINDOW_MS, so a flood of bad requests
 * cannot fill the disk (aver_bridge_events_received_total counts every one). The first line of a new window says
 * how many refusals with that code the last window left out (`suppressed`).
 */
export function createRefusalLog(deps: { clock: Clock; logger: Logger }): (refusal: Refusal) => void {
  const windows = new Map<ErrorCode, { until: number; suppressed: number }>();
  return (refusal) => {
    const now = deps.clock.now();
    const last = windows.get(refusal.code);
    if (last && now < last.until) {
      last.suppressed += 1;
      return;
    }
    windows.set(refusal.code, { until: now + REFUSAL_LOG_WINDOW_MS, suppressed: 0 });
    const suppressed = last?.suppressed ?? 0;
    const hint = HINTS[refusal.code];
    deps.logger.warn(
      { ...refusal, ...(hint ? { hint } : {}), ...(suppressed > 0 ? { suppressed } : {}) },
      `webhook refused: ${refusal.status} ${refusal.code}${suppressed > 0 ? ` (and ${suppressed} more since the last such line, not logged)` : ''}`,
    );
  };
}
