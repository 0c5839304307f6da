import type { Clock } from '../../src/clock.js';

/** The test kit's epoch (2023-11-14T22:13:20Z): fake clocks start here unless told. */
export const T0 = 1_700_000_000_000;

export interface FakeClock extends Clock {
  /** Moves time on and wakes every sleeper whose time has come (their continuations run after an `await settle()`). */
  advance(ms: number): void;
  /** How long each pending sleep has left, in ms (a timer that outlives its use shows here). */
  readonly sleepers: number[];
}

/** A clock that moves only when told: `sleep` resolves once `advance` passes its time (or its signal aborts). */
export function fakeClock(start = T0): FakeClock {
  let t = start;
  let sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => t,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper = { at: t + Math.max(0, ms), wake: done };
        function done() {
          signal?.removeEventListener('abort', done);
          sleepers = sleepers.filter((s) => s !== sleeper);
          resolve();
        }
        sleepers.push(sleeper);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    advance(ms) {
      t += ms;
      for (const s of sleepers.filter((x) => x.at <= t)) s.wake();
    },
    get sleepers() {
      return sleepers.map((s) => s.at - t);
    },
  };
}

/** Lets the continuations of promises just resolved run (a whole turn of the event loop). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
