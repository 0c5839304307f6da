import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/** Rows deleted per statement, so one pass never holds the database for long. */
const BATCH = 5_000;
/** Batches per pass; what is left waits for the next pass. */
const MAX_BATCHES = 20;

/**
 * Retention (`storage.retention`): deletes delivered jobs, and events that have
 * no job left, once older than the retention. Queued and dead jobs, and their
 * events, stay until they are delivered or purged (`dead-letters purge`).
 */
export async function pruneDelivered(deps: { store: Store; retentionMs: number; now: number; logger: Logger }): Promise<{ jobs: number; events: number }> {
  const before = deps.now - deps.retentionMs;
  const total = { jobs: 0, events: 0 };
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await deps.store.pruneDelivered(before, BATCH);
    total.jobs += n.jobs;
    total.events += n.events;
    if (n.jobs < BATCH && n.events < BATCH) break;
  }
  if (total.jobs > 0 || total.events > 0) {
    deps.logger.info({ deletedJobs: total.jobs, deletedEvents: total.events, olderThan: new Date(before).toISOString() }, 'delivered jobs and events past storage.retention deleted');
  }
  return total;
}
