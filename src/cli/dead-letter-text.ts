import type { JobRecord } from '../model/job.js';

/**
 * A time for people: ISO 8601 to the second, in `timeZone` (the config's display zone) with its offset
 * (`2026-05-01T11:30:12+02:00`), or in UTC with a Z (`2026-05-01T09:30:12Z`).
 */
export function formatTime(ms: number, timeZone = 'UTC'): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '?';
  if (timeZone === 'UTC') return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  // longOffset reads "GMT+02:00", or "GMT" at offset zero.
  const offset = p.timeZoneName.replace(/^GMT/, '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

/** One dead letter on one line, for `dead-letters list`: id, when it died, receiver, event, attempts, reason. */
export function deadLetterLine(j: JobRecord, timeZone?: string): string {
  const e = j.event;
  return `#${j.id}  ${formatTime(j.updatedAt, timeZone)}  ${j.receiver}  ${e.type} ${e.id} ${e.status}  attempts=${j.attempts}  ${j.lastReason ?? ''}`;
}

/** One dead letter in full, for `dead-letters show`: the event, its times, the reason and every attempt. */
export function deadLetterText(j: JobRecord, timeZone?: string): string[] {
  const e = j.event;
  const at = (ms: number) => formatTime(ms, timeZone);
  const lines = [
    `Dead letter #${j.id} for receiver "${j.receiver}"`,
    `  Event:       ${e.type} ${e.id}, status ${e.status}, group ${e.groupId} (event ${e.eventId})`,
    `  Received:    ${at(e.receivedAt)}`,
    `  Queued:      ${at(j.createdAt)}`,
    `  Dead since:  ${at(j.updatedAt)}`,
    `  Reason:      ${j.lastReason ?? '(none given)'}`,
    `  Attempts:    ${j.attempts}`,
  ];
  for (const a of j.history) {
    lines.push(`    ${a.attempt}. ${at(a.at)}  ${a.ok ? 'delivered' : 'failed'}${a.code ? `  ${a.code}` : ''}${a.reason ? `  ${a.reason}` : ''}`);
  }
  lines.push(`Retry it with: aver-bridge dead-letters retry ${j.id}`);
  return lines;
}
