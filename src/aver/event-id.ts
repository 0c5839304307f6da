import { randomBytes } from 'node:crypto';

/** Random per process, so ids from replicas (and from restarts within one millisecond) never collide. */
const processPart = randomBytes(4).toString('hex');
let counter = randomBytes(4).readUInt32BE(0);

/**
 * A time-sortable event id of 28 hex digits: milliseconds (12), this
 * process's random part (8), and a counter (8). No syscall per webhook.
 */
export function newEventId(now: number): string {
  counter = (counter + 1) >>> 0;
  return now.toString(16).padStart(12, '0') + processPart + counter.toString(16).padStart(8, '0');
}
