import type { AppendResult, NewEvent, Store } from './store.js';

/**
 * Batches concurrent appends into one store transaction: requests that arrive
 * while a commit is running wait for the next one, so a burst costs one fsync
 * per batch instead of one per webhook.
 */
export function createGroupCommit(store: Pick<Store, 'appendEvents'>, maxBatch = 512) {
  let queue: Array<{ item: NewEvent; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }> = [];
  let running = false;

  async function flush(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await store.appendEvents(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (err) {
        batch.forEach((b) => b.reject(err));
      }
    }
    running = false;
  }

  return {
    /** Resolves once the event is durably stored (or found to be a duplicate). */
    append(item: NewEvent): Promise<AppendResult> {
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Let every request already parsed in this turn of the event loop join the batch.
        if (!running) { running = true; setImmediate(() => void flush()); }
      });
    },
    /** Appends waiting for a commit. */
    get pending(): number { return queue.length; },
  };
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;
