/**
 * Runs tasks one at a time, in the order given: each starts once the one before has settled.
 * A task's failure goes to its own caller and never holds up the next.
 */
export function createSerialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const run = tail.then(task);
      tail = run.catch(() => undefined);
      return run;
    },
    /** Settles when every task queued so far has settled. */
    idle(): Promise<void> {
      return tail.then(() => undefined);
    },
  };
}
