import type { Logger } from 'pino';
import { batchPerTurn } from '../store/batch-per-turn.js';
import type { CompletedJob, Store } from '../store/store.js';

/** How long a completion waits for others to share its transaction, and how many are written at once without waiting. */
const COMPLETION_WINDOW_MS = 10;
const COMPLETION_BATCH = 64;

/**
 * Completions, written together: each waits up to COMPLETION_WINDOW_MS for others to join it (or until
 * COMPLETION_BATCH wait), then they go to the store in one call, one transaction (batchPerTurn, one at a time). A
 * commit costs about the same for one row as for dozens (the same index pages are written), and with a channel's
 * few deliveries in flight each turn saw one or two: the commits cost a Slack drain more CPU than its HTTP calls.
 * `add` resolves, as completeJobs does, with whether the lease still held. It also counts the jobs sent and not yet
 * recorded (room, release), and cuts the window short while a delivery waits for room.
 */
export function completionWriter(store: Pick<Store, 'completeJobs'>) {
  const batch = batchPerTurn((items: CompletedJob[]) => store.completeJobs(items));
  let waiting: Array<{ item: CompletedJob; resolve: (kept: boolean) => void; reject: (err: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  /** Outcomes of sent deliveries still being recorded. */
  const recording = new Set<Promise<void>>();
  /** Jobs sent (or about to be) and not yet recorded; deliveries waiting for room, each handed one as it frees. */
  let unrecorded = 0;
  const waitingForRoom: Array<() => void> = [];
  async function room(limit: number): Promise<void> {
    if (unrecorded < limit && waitingForRoom.length === 0) {
      unrecorded++;
      return;
    }
    // The recordings it waits for should not wait out the window.
    flush();
    await new Promise<void>((resolve) => waitingForRoom.push(resolve));
  }
  function release() {
    const next = waitingForRoom.shift();
    if (next) next();
    else unrecorded--;
  }
  /** Keeps a sent delivery's recording (its completion, then its metrics and log line) until it ends, then its room. */
  function follow(recorded: Promise<void>, log: Logger) {
    const followed: Promise<void> = recorded
      .catch((err) => log.error({ err }, 'delivery step failed'))
      .finally(() => {
        recording.delete(followed);
        release();
      });
    recording.add(followed);
  }
  /** Hands what waits to the batch, in one turn, so that it is written in one call. */
  function flush() {
    clearTimeout(timer);
    timer = undefined;
    const items = waiting;
    waiting = [];
    for (const w of items) batch.add(w.item).then(w.resolve, w.reject);
  }
  return {
    add(item: CompletedJob): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        // No window while a delivery waits for room: the recordings it waits for go at once.
        if (waiting.length >= COMPLETION_BATCH || waitingForRoom.length > 0) flush();
        else timer ??= setTimeout(flush, COMPLETION_WINDOW_MS);
      });
    },
    /**
     * Runs `attempt` (one attempt and its recording) once fewer than `limit` jobs are sent and not yet recorded,
     * and counts it among them until its recording ends: as when each held its slot until recorded, a crash sends
     * at most delivery.concurrency again (docs/delivery.md). A delivery that went through (`sent`) resolves at once:
     * the channel's next one starts rather than wait for this one's completion to be written. Until then its job
     * stays pending and leased, so neither it nor its check's next job can be claimed (per-check order).
     */
    async send(limit: number, log: Logger, attempt: () => Promise<{ sent: boolean; recorded: Promise<void> } | undefined>): Promise<void> {
      await room(limit);
      let followed = false;
      try {
        const a = await attempt();
        if (!a?.sent) return await a?.recorded;
        followed = true;
        follow(a.recorded, log);
      } finally {
        if (!followed) release();
      }
    },
    /** Writes what waits now, without waiting out the window, and resolves once every recording followed has ended. */
    async drain(): Promise<void> {
      flush();
      await Promise.allSettled([...recording]);
    },
  };
}
