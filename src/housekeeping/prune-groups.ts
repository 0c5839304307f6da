import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/** Rows deleted per statement, so one pass never holds the database for long. */
const BATCH = 5_000;
/** Batches per pass; what is left waits for the next pass. */
const MAX_BATCHES = 20;

/**
 * Retention for groups (`storage.retention`), after pruneDelivered: a group closed longer ago than the retention
 * whose digest jobs are gone goes with its members and its digest's message reference; an open group that has
 * gathered events for longer than that loses the members it sent before the cut (their events are past retention
 * too). Held members (not sent) and groups still owed a delivery stay.
 */
export async function pruneGroups(deps: { store: Store; retentionMs: number; now: number; logger: Logger }): Promise<{ groups: number; members: number }> {
  const before = deps.now - deps.retentionMs;
  const total = { groups: 0, members: 0 };
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await deps.store.pruneGroups(before, BATCH);
    total.groups += n.groups;
    total.members += n.members;
    if (n.groups < BATCH && n.members < BATCH) break;
  }
  if (total.groups > 0 || total.members > 0) {
    deps.logger.info({ deletedGroups: total.groups, deletedMembers: total.members, olderThan: new Date(before).toISOString() }, 'closed groups and sent group members past storage.retention deleted');
  }
  return total;
}
