import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DeliveryConfig } from '../model/config.js';
import type { DeliveryJob, JobContext } from '../model/job.js';
import type { Metrics } from '../metrics.js';
import type { Receiver } from '../receivers/receiver.js';
import type { Store } from '../store/store.js';
import { DIGEST_FIRST, DIGEST_ITEMS } from '../present/digest.js';
import { attemptDelivery } from './attempt-delivery.js';
import { takeSlot } from './pace.js';
import { createPump, type PumpDeps } from './pump.js';
import { recordOutcome, recordReceiverRemoved, type OutcomeDeps } from './record-outcome.js';
import { createJobScheduler, leaseCoversAttempt } from './schedule-jobs.js';
import { completionWriter } from './write-completions.js';

export interface WorkerDeps {
  store: Store;
  receivers: () => Map<string, Receiver>;
  delivery: () => DeliveryConfig;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Identifies this process's leases; replicas must differ. */
  owner?: string;
  random?: () => number;
  /** Resolves when the next claim may run: webhooks in a burst go first (ingest-first.ts). */
  turn?: PumpDeps['turn'];
}

/**
 * Step three: claims due jobs (oldest per entity first; schedule-jobs.ts),
 * paces each channel (pace.ts), delivers with a timeout (attempt-delivery.ts),
 * and records the outcome: done, retry at a time the policy chose, or dead
 * letter (record-outcome.ts). At most delivery.concurrency in flight, and at
 * most destinationLimit() per channel; a slow, paced or paused channel holds
 * only its own jobs.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const { store, clock } = deps;
  const owner = deps.owner ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  const hardStop = new AbortController();
  // Every delivery in flight listens on it (delivery.concurrency of them), and removes its listener when done.
  setMaxListeners(0, hardStop.signal);
  // Completions are written together (write-completions.ts). Not fsynced on their own: a completion lost to a crash
  // only means the message is sent again (at least once), never that an event is lost.
  const completions = completionWriter(store);
  const scheduler = createJobScheduler({
    store, clock, logger: deps.logger, delivery: deps.delivery, owner,
    receivers: () => deps.receivers().keys(),
    withContext: () => [...deps.receivers()].filter(([, r]) => r.usesHistory).map(([name]) => name),
    run: deliverJob,
    onFinished: () => pump.wake(),
  });
  const outcomes: OutcomeDeps = {
    store, clock, metrics: deps.metrics, owner, random: deps.random,
    complete: (item) => completions.add(item),
    hold: scheduler.hold,
  };
  // More may be due after a full claim: claim again, after a turn of the event loop so webhooks are answered in between.
  const pump = createPump('claiming jobs', async () => ((await scheduler.claim()) ? 1 : 0), {
    clock, logger: deps.logger, afterErrorMs: 0, turn: deps.turn,
    intervalMs: () => scheduler.waitMs(deps.delivery().pollIntervalMs),
  });

  /** One claimed job: its receiver, a send slot for its channel, its check's history, one attempt, the outcome. */
  async function deliverJob(job: DeliveryJob, claimedAt: number): Promise<void> {
    const receiver = deps.receivers().get(job.receiver);
    const log = deps.logger.child({ eventId: job.eventId, receiver: job.receiver, attempt: job.attempt, jobId: job.id });
    if (!receiver) return recordReceiverRemoved(outcomes, job, log);
    // Pacing: a job whose channel has no free slot goes back to the queue, due when the slot is,
    // so it holds no concurrency while other channels keep flowing.
    const wait = await takeSlot(store, job.destinationKey, receiver.pacing, clock.now());
    if (wait > 0) {
      const until = clock.now() + wait;
      scheduler.hold(job.destinationKey, until);
      await store.releaseJob(job.id, owner, until);
      return;
    }
    const policy = deps.delivery();
    // Read in the claim (withContext above); read here only for a job claimed before its receiver came to need it.
    const { previous, history } = receiver.usesHistory ? job.context ?? (await readContext(store, job)) : NO_CONTEXT;
    // Once fewer than delivery.concurrency jobs are sent and not yet recorded (completionWriter's send).
    return completions.send(policy.concurrency, log, async () => {
      if (!leaseCoversAttempt(claimedAt, clock.now(), policy)) {
        await store.releaseJob(job.id, owner, clock.now());
        log.warn({ sinceClaimMs: clock.now() - claimedAt }, 'lease too short left for a whole attempt; given back to the queue, not sent');
        return undefined;
      }
      // A digest is rendered from its group's members as sent so far (store/timers.ts).
      if (job.kind === 'digest' && job.digestOf !== undefined) {
        const digest = await store.groupDigest(job.digestOf, { attention: DIGEST_FIRST, limit: DIGEST_ITEMS });
        if (digest) job = { ...job, digest };
      }
      const attempt = await attemptDelivery(receiver, job, { previous, history, logger: log }, { clock, timeoutMs: policy.timeoutMs, stop: hardStop.signal });
      return { sent: attempt.result.ok, recorded: recordOutcome(outcomes, { job, receiver, previous, attempt, policy, log }) };
    });
  }

  return {
    owner,
    /** Starts claiming jobs. */
    start: () => pump.start(),
    /** New jobs may be due: look now rather than at the next poll. */
    wake: () => pump.wake(),
    /** Deliveries in flight now. */
    get inflight() {
      return scheduler.inflight;
    },
    /**
     * Stops claiming at once, lets deliveries in flight finish within
     * `graceMs`, then aborts the rest and gives every lease back, so what did
     * not finish stays queued (due at once, no attempt counted).
     */
    async stop(graceMs: number) {
      // Jobs kept waiting are leased by us: releaseLeases below gives them back with the rest.
      scheduler.stop();
      await pump.stop();
      const all = scheduler.settled();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), Math.max(0, graceMs)); });
      const outcome = await Promise.race([all, expired]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        hardStop.abort();
        await Promise.race([all, new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      // What was sent is marked done first: a lease given back before its completion is written is sent again.
      await completions.drain();
      await store.releaseLeases(owner);
    },
  };
}

const NO_CONTEXT: JobContext = { previous: null, history: [] };

/** A job's context read on its own: two reads (round trips on PostgreSQL) that a claim withContext saves. */
async function readContext(store: Store, job: DeliveryJob): Promise<JobContext> {
  const [previous, history] = await Promise.all([store.getMessageRef(job.receiver, job.entityKey), store.entityHistory(job.event.id, job.event.type)]);
  return { previous, history };
}
