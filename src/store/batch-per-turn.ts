/** Calls collected into one store call, each answered with its own item's result. */
export interface Batcher<I, R> {
  /** Resolves with this item's result once its batch has run, or rejects with the batch's error. */
  add(item: I): Promise<R>;
  /** Items waiting for a batch (not counting the one running). */
  readonly pending: number;
}

/**
 * Collects the calls made during one turn of the event loop and runs them as
 * one batch: one store transaction (one fsync) instead of one per call. One
 * batch runs at a time; calls made while it runs form the next, which starts
 * as soon as it ends, at most `maxBatch` items each. `run` returns one result
 * per item, in order.
 */
export function batchPerTurn<I, R>(run: (items: I[]) => Promise<R[]>, maxBatch = Infinity): Batcher<I, R> {
  const queue: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let running = false;

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (err) {
        batch.forEach((b) => b.reject(err));
      }
    }
    running = false;
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Let every call already made in this turn of the event loop join the batch.
        if (!running) {
          running = true;
          setImmediate(() => void flush());
        }
      });
    },
    get pending() {
      return queue.length;
    },
  };
}
