import type { RemindConfig } from '../model/time-interval.js';

/**
 * Reminder timing: a check that stays in one of `remind.statuses` with no newer event is reminded `after` later,
 * then every `after`, at most `repeat` times; a newer event cancels (and may start) the count. Pure.
 */

/** When the first reminder for an event in `status` is due, or null when the route reminds of no such status. */
export function firstReminderAt(remind: RemindConfig | undefined, status: string, eventAt: number): number | null {
  if (!remind || !remind.statuses.includes(status)) return null;
  return eventAt + remind.afterMs;
}

/** After reminder number `sent` (1-based) went out at `now`: when the next is due, or null when that was the last. */
export function nextReminderAt(remind: Pick<RemindConfig, 'afterMs' | 'repeat'>, sent: number, now: number): number | null {
  return sent >= remind.repeat ? null : now + remind.afterMs;
}
