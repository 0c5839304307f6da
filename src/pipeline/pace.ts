import type { PacingLimit } from '../receivers/receiver.js';
import type { Store } from '../store/store.js';

/**
 * Takes one send slot for a destination from the store's shared token buckets
 * (so replicas on one PostgreSQL pace together): the per-second bucket, and
 * the per-hour one when the platform has it. Returns 0 to send now, else how long to wait.
 */
export async function takeSlot(store: Store, destination: string, limit: PacingLimit, now: number): Promise<number> {
  const second = await store.takeSendSlot(destination, now, 1000 / limit.ratePerSecond, limit.burst);
  if (!second.ok) return second.waitMs;
  if (limit.perHour) {
    const hour = await store.takeSendSlot(`${destination}#hour`, now, 3_600_000 / limit.perHour, limit.perHour);
    if (!hour.ok) return hour.waitMs;
  }
  return 0;
}
