import type { JobRecord } from '../model/job.js';
import type { Store } from '../store/store.js';

/** One event of a check, with every job it was routed to. */
export interface CheckEvent {
  eventId: string;
  status: string;
  at: number;
  groupId: string;
  jobs: JobRecord[];
}

/** A check as a channel may see it: one routed to that channel, with all its events (oldest first) and their jobs. */
export interface RoutedCheck {
  type: string;
  id: string;
  entityKey: string;
  events: CheckEvent[];
  /** The asking channel's receivers this check was routed to. */
  here: string[];
}

/**
 * The check `id` (of `type`, when a button says) as the channel whose receivers are `wanted` may see it: the
 * entity of the newest event routed to one of them. Null when none was, for an unknown id just the same, so a
 * channel learns nothing about checks it was never told about (`/aver status`, `/aver ack`, the buttons).
 */
export async function routedCheck(store: Store, id: string, wanted: ReadonlySet<string>, type?: string): Promise<RoutedCheck | null> {
  if (wanted.size === 0) return null;
  const history = await store.entityHistory(id, type);
  const jobsOf = new Map<string, JobRecord[]>();
  const jobs = async (eventId: string) => {
    let found = jobsOf.get(eventId);
    if (!found) {
      found = await store.jobsForEvent(eventId);
      jobsOf.set(eventId, found);
    }
    return found;
  };
  let found: string | undefined;
  for (let i = history.length - 1; i >= 0 && found === undefined; i--) {
    if ((await jobs(history[i].eventId)).some((j) => wanted.has(j.receiver))) found = history[i].type;
  }
  if (found === undefined) return null;
  const events: CheckEvent[] = [];
  for (const h of history.filter((e) => e.type === found)) {
    events.push({ eventId: h.eventId, status: h.status, at: h.at, groupId: h.groupId, jobs: await jobs(h.eventId) });
  }
  const here = [...new Set(events.flatMap((e) => e.jobs.map((j) => j.receiver)).filter((r) => wanted.has(r)))];
  return { type: found, id, entityKey: `${found}:${id}`, events, here };
}

/** The latest event of the check routed to `receiver`. */
export function latestFor(check: RoutedCheck, receiver: string): CheckEvent | undefined {
  return check.events.findLast((e) => e.jobs.some((j) => j.receiver === receiver));
}
