/**
 * A group window's state transitions (Alertmanager's aggrGroup, made durable): the first event opens the group and
 * waits group_wait; each flush sends what arrived since the last one, then waits group_interval; a flush with
 * nothing new closes the group, and the next event opens a new one. Pure.
 */

/** What a flush knows about its group. */
export interface WindowState {
  /** Members not sent yet. */
  fresh: number;
  /** Whether a digest was already sent for this group (a later one edits it in place). */
  digested: boolean;
  /** A hold group (muted deliveries of an ungrouped route): flushed once, when the interval ends. */
  held: boolean;
  intervalMs: number;
}

export type FlushDecision =
  /** Nothing new since the last flush: the group ends. */
  | { action: 'close' }
  /** One new event and no digest yet: it goes out as its normal single message. */
  | { action: 'single'; nextFlushAt: number | null }
  /** A digest of every event the group has taken so far (sent, or edited in place). */
  | { action: 'digest'; nextFlushAt: number | null };

/** What a flush at `now` does, and when the group flushes next (null: it closes after this one). */
export function decideFlush(s: WindowState, now: number): FlushDecision {
  if (s.fresh === 0) return { action: 'close' };
  const nextFlushAt = s.held ? null : now + s.intervalMs;
  if (s.fresh === 1 && !s.digested) return { action: 'single', nextFlushAt };
  return { action: 'digest', nextFlushAt };
}

/** When a new group's first flush is due: group_wait after its first event. */
export function firstFlushAt(openedAt: number, waitMs: number): number {
  return openedAt + waitMs;
}
