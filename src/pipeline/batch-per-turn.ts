/**
 * Collects the calls made during one turn of the event loop and runs them as
 * one batch (one store transaction instead of one per call); each caller gets
 * its own item's result, or the batch's error.
 */
export function batchPerTurn<I, R>(run: (items: I[]) => Promise<R[]>): (item: I) => Promise<R> {
  let queue: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];

  async function flush(): Promise<void> {
    const batch = queue;
    queue = [];
    try {
      const results = await run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (err) {
      batch.forEach((b) => b.reject(err));
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (queue.length === 1) setImmediate(() => void flush());
    });
}
