import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

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
        while (running && (await step()) > 0);
      } catch (err) {
        deps.logger.error({ err, step: name }, `${name} failed; will try again`);
        await deps.clock.sleep(1000);
      }
      if (!running || pending) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        void deps.clock.sleep(deps.intervalMs()).then(resolve);
      });
      wake = null;
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
