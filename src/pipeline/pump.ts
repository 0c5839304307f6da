import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

/** Lets I/O callbacks (requests waiting to be read or answered) run before the next batch. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `step` whenever woken, and at least every `intervalMs`, until it has
 * nothing left to do (it returns 0). Used for the routing step.
 */
export function createPump(name: string, step: () => Promise<number>, deps: { clock: Clock; logger: Logger; intervalMs: () => number }) {
  let running = false;
  let pending = false;
  let wake: (() => void) | null = null;
  let done: Promise<void> = Promise.resolve();

  async function loop() {
    while (running) {
      pending = false;
      try {
        // Between batches, a turn of the event loop: a burst of webhooks is acknowledged first, routing catches up.
        while (running && (await step()) > 0) await yieldTurn();
      } catch (err) {
        deps.logger.error({ err, step: name }, `${name} failed; will try again`);
        await deps.clock.sleep(1000);
      }
      if (!running || pending) continue;
      const timer = new AbortController();
      await new Promise<void>((resolve) => {
        wake = resolve;
        void deps.clock.sleep(deps.intervalMs(), timer.signal).then(resolve);
      });
      wake = null;
      timer.abort();
      // Woken by one request: let the others of this turn arrive too, so they are routed in one batch.
      await yieldTurn();
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      done = loop();
    },
    wake() {
      pending = true;
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await done;
    },
  };
}
