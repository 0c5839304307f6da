/** Calls collected into one store call, each answered with its own item's result. */
export interface Batcher<I, R> {
  /** Resolves with this item's result once its batch has run, or rejects with its own error (see BatchOptions). */
  add(item: I): Promise<R>;
  /** Items waiting for a batch (not counting the one running). */
  readonly pending: number;
}

/** Whose fault a failed write was: its item's data, the store, or not known from the error alone. */
export type Fault = 'item' | 'store' | 'unknown';

/** How to tell one bad item of a failed batch from a failing store. */
export interface Isolation {
  /** Whose fault an error an item got on its own was. */
  faultOf: (err: unknown) => Fault;
  /** Resolves while the store works: asked when items fail alone for no reason of their own. */
  ping?: () => Promise<unknown>;
}

/** What became of one item of a batch: its result, or its error and whose fault that was. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown; fault: Fault };

export interface BatchOptions<I> {
  /** Most items per batch (default: no limit). */
  maxBatch?: number;
  /** Checks an item as it is added: an error returned refuses that item alone (its call rejects with it), before any batch. */
  refuse?: (item: I) => unknown;
  /**
   * Runs the items of a failed batch again one by one (see runIsolated), so that only the items that fail alone
   * get an error: `refusal` turns the error of an item at fault into the one its caller gets.
   */
  isolate?: Isolation & { refusal?: (err: unknown, item: I) => unknown };
}

/**
 * Collects the calls made during one turn of the event loop and runs them as
 * one batch: one store transaction (one fsync) instead of one per call. One
 * batch runs at a time; calls made while it runs form the next, which starts
 * as soon as it ends, at most `maxBatch` items each. `run` returns one result
 * per item, in order. Without `isolate`, a failed batch fails every call in it.
 */
export function batchPerTurn<I, R>(run: (items: I[]) => Promise<R[]>, options: BatchOptions<I> = {}): Batcher<I, R> {
  const { maxBatch = Infinity, refuse, isolate } = options;
  const queue: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let running = false;

  async function runOne(batch: typeof queue): Promise<void> {
    const items = batch.map((b) => b.item);
    const outcomes = isolate ? await runIsolated(items, run, isolate) : await runBatch(items, run, () => 'unknown');
    batch.forEach((b, i) => {
      const o = outcomes[i];
      if (o.ok) b.resolve(o.value);
      else b.reject(o.fault === 'item' && isolate?.refusal ? isolate.refusal(o.error, b.item) : o.error);
    });
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) await runOne(queue.splice(0, maxBatch));
    running = false;
  }

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        const refused = refuse?.(item);
        if (refused !== undefined) return reject(refused);
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

/**
 * Runs `items` as one batch; if it fails, runs each item alone, in order, so one bad item costs only itself. An
 * item that fails alone for a reason `faultOf` cannot place is tried once more while the store works (another
 * item went through, or the store answers `ping`), and is counted at fault if it fails again. Two items in a row
 * failing alone for no fault of their own mean the store is failing (unless the second error is unknown and the
 * store answers `ping`): the items after them are not tried and get that error. Never rejects.
 */
export async function runIsolated<I, R>(items: I[], run: (items: I[]) => Promise<R[]>, isolation: Isolation): Promise<Array<Outcome<R>>> {
  const attempt = (some: I[]) => runBatch(some, run, isolation.faultOf);
  const whole = await attempt(items);
  if (whole.every((o) => o.ok)) return whole;
  const outcomes = items.length === 1 ? whole : await oneByOne(items, attempt, isolation);
  if (!outcomes.some((o) => !o.ok && o.fault === 'unknown')) return outcomes;
  if (!outcomes.some((o) => o.ok) && !(await answers(isolation))) return outcomes;
  // The store works: an item that fails again was refused for what it holds.
  for (const [i, o] of outcomes.entries()) {
    if (o.ok || o.fault !== 'unknown') continue;
    const [again] = await attempt([items[i]]);
    outcomes[i] = again.ok || again.fault !== 'unknown' ? again : { ...again, fault: 'item' };
  }
  return outcomes;
}

/** One run of `items` as a batch: every item's result, or every item failed with the batch's error. */
async function runBatch<I, R>(items: I[], run: (items: I[]) => Promise<R[]>, faultOf: Isolation['faultOf']): Promise<Array<Outcome<R>>> {
  try {
    // Called inside the try: a batch function that throws instead of rejecting fails its batch all the same.
    return (await run(items)).map((value) => ({ ok: true, value }));
  } catch (error) {
    const fault = faultOf(error);
    return items.map(() => ({ ok: false, error, fault }));
  }
}

async function oneByOne<I, R>(items: I[], attempt: (some: I[]) => Promise<Array<Outcome<R>>>, isolation: Isolation): Promise<Array<Outcome<R>>> {
  const outcomes: Array<Outcome<R>> = [];
  let notTheirs = 0;
  for (const item of items) {
    const [o] = await attempt([item]);
    outcomes.push(o);
    notTheirs = !o.ok && o.fault !== 'item' ? notTheirs + 1 : 0;
    if (notTheirs < 2) continue;
    notTheirs = 0;
    // A store error is the store's word that it fails; a ping is proof only against an error no one can place.
    if ((o as { fault: Fault }).fault === 'unknown' && (await answers(isolation))) continue;
    // The store is failing: the rest get its error without being tried.
    const { error } = o as Outcome<R> & { ok: false };
    while (outcomes.length < items.length) outcomes.push({ ok: false, error, fault: 'store' });
    return outcomes;
  }
  return outcomes;
}

async function answers(isolation: Isolation): Promise<boolean> {
  if (!isolation.ping) return false;
  try {
    await isolation.ping();
    return true;
  } catch {
    return false;
  }
}
