import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { HOUSEKEEPING_INTERVAL_MS, runHousekeeping } from '../housekeeping/run-housekeeping.js';
import type { Config } from '../model/config.js';
import { createSerialQueue } from '../serial-queue.js';
import type { Store } from '../store/store.js';

export interface HousekeepingTimerDeps {
  store: Store;
  /** The config and receiver names of the moment each pass starts. */
  config: () => Config;
  receivers: () => string[];
  ownsStore: boolean;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
  /** One pass (runHousekeeping; tests pass their own). */
  run?: typeof runHousekeeping;
}

/**
 * Housekeeping at start-up and every HOUSEKEEPING_INTERVAL_MS on the clock, one
 * pass at a time: a slow pass is not overtaken by the next, which waits for it.
 */
export function createHousekeepingTimer(deps: HousekeepingTimerDeps) {
  const { clock, logger } = deps;
  const run = deps.run ?? runHousekeeping;
  const intervalMs = deps.intervalMs ?? HOUSEKEEPING_INTERVAL_MS;
  const passes = createSerialQueue();
  let stopper: AbortController | undefined;

  function housekeep(): void {
    void passes
      .run(() => run({ store: deps.store, config: deps.config(), receivers: deps.receivers(), ownsStore: deps.ownsStore, now: clock.now(), logger }))
      .catch((err) => logger.warn({ err }, 'housekeeping failed; will try again'));
  }

  async function tick(signal: AbortSignal): Promise<void> {
    for (;;) {
      await clock.sleep(intervalMs, signal);
      if (signal.aborted) return;
      housekeep();
    }
  }

  return {
    /** Runs a pass now, then one every interval until stop(). */
    start(): void {
      if (stopper) return;
      stopper = new AbortController();
      housekeep();
      void tick(stopper.signal);
    },
    /** No pass starts after this; one running goes on (see idle()). */
    stop(): void {
      stopper?.abort();
      stopper = undefined;
    },
    /** Settles when the passes started so far have finished. */
    idle: (): Promise<void> => passes.idle(),
  };
}
