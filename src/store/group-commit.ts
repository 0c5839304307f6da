import { BridgeError } from '../errors.js';
import { batchPerTurn } from './batch-per-turn.js';
import { faultOf, unstorable } from './storable.js';
import type { AppendResult, NewEvent, Store } from './store.js';

/**
 * Batches concurrent appends into one store transaction: requests that arrive
 * while a commit is running wait for the next one, so a burst costs one fsync
 * per batch instead of one per webhook. One bad webhook never costs another:
 * an event the store cannot hold is refused (422) before it joins a batch, and
 * when a batch fails all the same its events are appended one by one, so only
 * the one at fault is refused (422); a failing store fails them all (5xx).
 */
export function createGroupCommit(
  store: Pick<Store, 'appendEvents'> & Partial<Pick<Store, 'kind' | 'ping'>>,
  options: { maxBatch?: number; onCommit?: (size: number) => void } = {},
) {
  const { maxBatch = 512, onCommit } = options;
  const batch = batchPerTurn((items: NewEvent[]) => {
    // How many webhooks each commit takes tells a burst from a steady stream (pipeline/ingest-first.ts).
    onCommit?.(items.length);
    return store.appendEvents(items);
  }, {
    maxBatch,
    refuse: (item) => unstorable(item, store.kind),
    isolate: {
      faultOf,
      ping: store.ping && (() => store.ping!()),
      refusal: (err) => (err instanceof BridgeError && err.status < 500
        ? err
        : new BridgeError('event_unstorable', 'the webhook cannot be stored as sent', { status: 422, cause: err })),
    },
  });
  return {
    /** Resolves once the event is durably stored (or found to be a duplicate); rejects with a 422 for an event the store refused. */
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
