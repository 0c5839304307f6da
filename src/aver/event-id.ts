import { randomBytes } from 'node:crypto';

/** A time-sortable event id: 12 hex digits of milliseconds, then 16 random. */
export function newEventId(now: number): string {
  return now.toString(16).padStart(12, '0') + randomBytes(8).toString('hex');
}
