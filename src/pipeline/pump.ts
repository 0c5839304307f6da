import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

/** Why a rest's timer is cancelled (never thrown: the sleep it cancels only resolves). */
const REST_ENDED = new Error('rest ended');

/** Lets I/O callbacks (requests waiting to be read or answered) run before the next batch. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface PumpDeps {
  clock: Clock;
  logger: Logger;
  /** How long to rest when there is nothing to do and nobody wakes it; read before every rest. */
  intervalMs: () => number;
  /** How long to pause after a failed step before resting as usual (default 1 s; 0: rest at once). */
  afterErrorMs?: number;
  /** Resolves when the next step may run: webhooks in a burst go first (ingest-first.ts). */
  turn?: (stop: AbortSignal) => Promise<void>;
}

/**
 * Runs `step` whenever woken, and at least every `intervalMs`, until it has
 * nothing left to do (it returns 0). The routing step and the delivery
 * worker's claims run on one each.
 */
export function createPump(name: string, step: () => Promise<number>, deps: PumpDeps) {
  const afterErrorMs = deps.afterErrorMs ?? 1000;
  let running = false;
  /** Woken while a step ran: step again instead of resting. */
  let pending = false;
  let wake: (() => void) | null = null;
  let stopping = new AbortController();
  let done: Promise<void> = Promise.resolve();

  /** Waits `ms`, or until woken or stopped. */
  async function rest(ms: number): Promise<void> {
    const timer = new AbortController();
    await new Promise<void>((resolve) => {
      wake = resolve;
      void deps.clock.sleep(ms, timer.signal).then(resolve);
    });
    wake = null;
    // A reason of our own: abort() without one builds a DOMException (and its stack) on every rest.
    timer.abort(REST_ENDED);
  }

  /** Between steps: a turn of the event loop, so webhooks are answered in between, and a rest while they burst. */
  async function between(stop: AbortSignal): Promise<void> {
    await yieldTurn();
    if (deps.turn) await deps.turn(stop);
  }

  async function loop(stop: AbortSignal) {
    while (running) {
      pending = false;
      try {
        if (deps.turn) await deps.turn(stop);
        while (running && (await step()) > 0) await between(stop);
      } catch (err) {
        deps.logger.error({ err, step: name }, `${name} failed; will try again`);
        if (afterErrorMs > 0) await deps.clock.sleep(afterErrorMs, stop);
      }
      if (!running) break;
      if (!pending) await rest(deps.intervalMs());
      // Woken by one request (or one finished delivery): let the others of this turn arrive too, and take them in one batch.
      await yieldTurn();
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = new AbortController();
      done = loop(stopping.signal);
    },
    /** Something may be due: step now rather than at the next interval. */
    wake() {
      pending = true;
      wake?.();
    },
    /** Stops stepping; resolves once the step running now (if any) has ended. */
    async stop() {
      running = false;
      stopping.abort();
      wake?.();
      await done;
    },
  };
}

