import { batchPerTurn } from './batch-per-turn.js';
import type { AppendResult, NewEvent, Store } from './store.js';

/**
 * Batches concurrent appends into one store transaction: requests that arrive
 * while a commit is running wait for the next one, so a burst costs one fsync
 * per batch instead of one per webhook.
 */
export function createGroupCommit(store: Pick<Store, 'appendEvents'>, maxBatch = 512) {
  const batch = batchPerTurn((items: NewEvent[]) => store.appendEvents(items), maxBatch);
  return {
    /** Resolves once the event is durably stored (or found to be a duplicate). */
    append(item: NewEvent): Promise<AppendResult> {
      return batch.add(item);
    },
    /** Appends waiting for a commit. */
    get pending(): number {
      return batch.pending;
    },
  };
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;
