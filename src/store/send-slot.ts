/**
 * The pacing rule both stores apply (GCRA, a token bucket kept as one time): PostgreSQL decides in its upsert so
 * replicas share the bucket, SQLite in memory with takeSlot. Both compute the tolerance and the wait here.
 */

/** A destination's bucket: the theoretical arrival time of its next send, and a pause (a 429's Retry-After). */
export interface Bucket {
  tat: number;
  pausedUntil: number;
}

export type SlotAnswer = { ok: true } | { ok: false; waitMs: number };

/** How far past now the bucket may run: burst − 1 intervals, the burst floored and at least 1. */
export function burstTolerance(intervalMs: number, burst: number): number {
  return (Math.max(1, Math.floor(burst)) - 1) * intervalMs;
}

/** Whether a send fits now: not paused, and the bucket no further ahead than the tolerance. */
export function slotFree(bucket: Bucket, now: number, tolerance: number): boolean {
  return bucket.pausedUntil <= now && Math.max(bucket.tat, now) - now <= tolerance;
}

/** How long a refused send waits: until the pause and the bucket both allow it, in whole milliseconds, at least 1. */
export function slotWait(bucket: Bucket, now: number, tolerance: number): number {
  const waitMs = Math.max(bucket.pausedUntil - now, Math.max(bucket.tat, now) - tolerance - now);
  return Math.max(1, Math.ceil(waitMs));
}

/** Takes a slot from `bucket` (undefined: a destination never seen); returns the answer and the bucket after it. */
export function takeSlot(bucket: Bucket | undefined, now: number, intervalMs: number, burst: number): { answer: SlotAnswer; bucket: Bucket } {
  const b = bucket ?? { tat: now, pausedUntil: 0 };
  const tolerance = burstTolerance(intervalMs, burst);
  if (!slotFree(b, now, tolerance)) return { answer: { ok: false, waitMs: slotWait(b, now, tolerance) }, bucket: b };
  return { answer: { ok: true }, bucket: { tat: Math.max(b.tat, now) + intervalMs, pausedUntil: b.pausedUntil } };
}
