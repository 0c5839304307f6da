import type { Logger } from 'pino';
import { RECEIVER_REMOVED } from '../model/job.js';
import type { Store } from '../store/store.js';

/**
 * Housekeeping: moves to the dead letters the queued jobs of receivers this
 * process's configuration does not have, which no worker here would ever claim
 * (a receiver removed while the bridge was stopped, or by another replica's
 * configuration). A process that owns its store (SQLite) does so at once. On a
 * shared store another replica may still have the receiver (a rolling deploy
 * that adds one), so only jobs older than delivery.maxAge go: by then they
 * would have been dead letters anyway.
 */
export async function deadLetterRemovedReceivers(deps: {
  store: Store;
  known: string[];
  ownsStore: boolean;
  maxAgeMs: number;
  now: number;
  logger: Logger;
}): Promise<number> {
  const known = new Set(deps.known);
  const orphaned = (await deps.store.queueStats(deps.now))
    .filter((s) => s.pending > 0 && !known.has(s.receiver))
    .map((s) => s.receiver);
  if (orphaned.length === 0) return 0;
  const createdBefore = deps.ownsStore ? undefined : deps.now - deps.maxAgeMs;
  const moved = await deps.store.deadLetterReceivers(orphaned, RECEIVER_REMOVED, deps.now, createdBefore);
  if (moved > 0) {
    deps.logger.warn({ receivers: orphaned, deadLettered: moved }, 'queued jobs of receivers no longer configured moved to dead letters');
  }
  return moved;
}
