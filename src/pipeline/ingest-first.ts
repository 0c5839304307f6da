/**
 * Bursts first. Aver sends its notifications in bursts (a recurring watchlist search over a large group) and never
 * retries one, so a webhook not answered in time is an event lost, while a delivery that starts a second later is
 * not. Routing, timers and delivery share the event loop (and, on a small machine, the CPU) with ingest; while
 * webhooks arrive faster than one commit takes them, they wait: the pipeline's pumps rest between their steps
 * instead of taking a turn each, so webhooks are answered at close to ingest's own speed and the queue is drained
 * after the burst, in larger batches. A minimum share remains (one step at least every MAX_REST_MS), so messages
 * still flow under a flood that never ends.
 *
 * The signal is the inbox's commits: at a steady rate each commit holds one or two webhooks; in a burst, many
 * requests wait for each commit. Wall-clock time, not the bridge's Clock: this is about the CPU of this process.
 */

/**
 * A commit of this many webhooks or more means requests are waiting on each other: a burst. 8 also caught a steady
 * 1,000/s whenever delivery briefly held the event loop, and rested the pipeline then (end to end p50 ~900 ms
 * against ~370 ms with 16, quick runs); 16 answers a 32-connection burst as fast (0.16 of bare on SQLite, against
 * 0.08 with no rests at all).
 */
export const BURST_BATCH = 16;
/** How long after the last commit that looked like a burst the pipeline keeps resting. */
export const QUIET_MS = 20;
/** The longest one rest lasts in a burst: the pipeline's minimum share. */
export const MAX_REST_MS = 200;

export interface IngestFirst {
  /** The inbox committed `size` webhooks in one transaction. */
  committed(size: number): void;
  /** True while webhooks are arriving in a burst. */
  readonly bursting: boolean;
  /** Resolves when the pipeline may take its next step: at once, or when the burst has paused (at most MAX_REST_MS). */
  turn(stop?: AbortSignal): Promise<void>;
}

/** Wall-clock time and a sleep that ends early when stopped; tests pass fakes of both. */
export interface WallClock {
  now: () => number;
  sleep: (ms: number, stop?: AbortSignal) => Promise<void>;
}

export function createIngestFirst(wall: WallClock = { now: () => performance.now(), sleep }): IngestFirst {
  const { now } = wall;
  let burstUntil = -Infinity;
  return {
    committed(size) {
      if (size >= BURST_BATCH) burstUntil = now() + QUIET_MS;
    },
    get bursting() {
      return now() < burstUntil;
    },
    async turn(stop) {
      const deadline = now() + MAX_REST_MS;
      // Each commit of the burst pushes burstUntil on; the pipeline goes on once QUIET_MS pass without one.
      while (!stop?.aborted && now() < burstUntil && now() < deadline) {
        await wall.sleep(Math.min(burstUntil, deadline) - now(), stop);
      }
    },
  };
}

function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(1, ms));
    stop?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    }
  });
}
