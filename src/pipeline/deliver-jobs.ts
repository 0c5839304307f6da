import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DeliveryConfig } from '../model/config.js';
import { failureReason, type Metrics } from '../metrics.js';
import type { DeliveryResult, Receiver } from '../receivers/receiver.js';
import type { DeliveryJob, MessageRef } from '../model/job.js';
import type { CompletedJob, Store } from '../store/store.js';
import { batchPerTurn } from './batch-per-turn.js';
import { RECEIVER_REMOVED } from '../model/job.js';
import { takeSlot } from './pace.js';
import { yieldTurn } from './pump.js';
import { decideRetry } from './retry-policy.js';

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
}

/**
 * How many deliveries one destination may have in flight: a quarter of
 * delivery.concurrency (at least one), so a slow or hanging endpoint can
 * never take every slot from the others.
 */
export function destinationLimit(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 4));
}

/** Time a lease keeps, beyond delivery.timeout, for recording an attempt's outcome in the store. */
const RECORD_MARGIN_MS = 1000;

/**
 * The lease a claim takes: delivery.leaseTime, but never shorter than a second
 * to get ready, one attempt (delivery.timeout) and a second to record it.
 */
export function leaseFor(policy: Pick<DeliveryConfig, 'leaseMs' | 'timeoutMs'>): number {
  return Math.max(policy.leaseMs, policy.timeoutMs + 2 * RECORD_MARGIN_MS);
}

/**
 * Whether a job claimed at `claimedAt` may still be sent: its lease must cover a
 * whole attempt and the recording of its outcome. Otherwise another replica may
 * claim it while it is in flight here and send it a second time, so it is given
 * back instead (a slow store or a stalled process, not the endpoint's fault).
 */
export function leaseCoversAttempt(claimedAt: number, now: number, policy: Pick<DeliveryConfig, 'leaseMs' | 'timeoutMs'>): boolean {
  return claimedAt + leaseFor(policy) - now >= policy.timeoutMs + RECORD_MARGIN_MS;
}

/**
 * Step three: claims due jobs (oldest per entity first), paces each channel,
 * delivers with a timeout, and records the outcome: done, retry at a time the
 * policy chose, or dead letter. At most delivery.concurrency in flight, and at
 * most destinationLimit() per channel; a slow, paced or paused channel holds
 * only its own jobs.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const owner = deps.owner ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  const inflight = new Map<number, Promise<void>>();
  /** Deliveries in flight per destination. */
  const busy = new Map<string, number>();
  /** Destinations that must not be claimed before the time given (paced, or paused by a 429/503). */
  const heldUntil = new Map<string, number>();
  /** Jobs claimed for a destination that had no free slot then, started as its deliveries end. */
  const ready = new Map<string, Array<{ job: DeliveryJob; claimedAt: number }>>();
  const waiting = new Set<number>();
  const hardStop = new AbortController();
  // Every delivery in flight listens on it (delivery.concurrency of them), and removes its listener when done.
  setMaxListeners(0, hardStop.signal);
  let running = false;
  let wake: (() => void) | null = null;
  let loopDone: Promise<void> = Promise.resolve();
  // Deliveries that finish in one turn are recorded in one transaction. Not fsynced on its own: a completion
  // lost to a crash only means the message is sent again (at least once), never that an event is lost.
  const complete = batchPerTurn((items: CompletedJob[]) => deps.store.completeJobs(items));

  function poke() {
    wake?.();
  }

  function hold(destination: string, until: number) {
    heldUntil.set(destination, Math.max(heldUntil.get(destination) ?? 0, until));
    releaseWaiting(destination, until);
  }

  /** Claims what fits; returns true when every free slot was filled (more may be due). */
  async function claimOnce(): Promise<boolean> {
    const policy = deps.delivery();
    const free = policy.concurrency - inflight.size;
    if (free <= 0) return false;
    const now = deps.clock.now();
    for (const [dest, until] of heldUntil) if (until <= now) heldUntil.delete(dest);
    const perDestination = destinationLimit(policy.concurrency);
    const full = [...busy].filter(([, n]) => n >= perDestination).map(([dest]) => dest);
    // At most one destination's share per claim, so a backlog on one channel is not claimed only to be given back.
    const limit = Math.min(free, perDestination);
    const jobs = await deps.store.claimJobs({
      now, limit, owner, leaseMs: leaseFor(policy),
      receivers: [...deps.receivers().keys()],
      skipDestinations: [...heldUntil.keys(), ...full],
    });
    let started = 0;
    const excess: DeliveryJob[] = [];
    for (const job of jobs) {
      // Our own lease, renewed by the claim: the job is already running (or waiting) here.
      if (inflight.has(job.id) || waiting.has(job.id)) continue;
      if ((busy.get(job.destinationKey) ?? 0) < perDestination) {
        start(job, now);
        started++;
      } else if ((ready.get(job.destinationKey)?.length ?? 0) < perDestination) {
        // Kept, leased, for the moment one of its channel's deliveries ends: no claim, no store round trip then.
        enqueue(job, now);
        started++;
      } else excess.push(job);
    }
    // More than a channel may run or keep waiting: back to the queue, due now, uncounted.
    await Promise.all(excess.map((job) => deps.store.releaseJob(job.id, owner, now)));
    return jobs.length > 0 && started === limit;
  }

  function enqueue(job: DeliveryJob, claimedAt: number) {
    const list = ready.get(job.destinationKey);
    if (list) list.push({ job, claimedAt });
    else ready.set(job.destinationKey, [{ job, claimedAt }]);
    waiting.add(job.id);
  }

  /** Starts the next job kept for `destination`, if its lease still covers a whole attempt; else gives it back. */
  function startWaiting(destination: string) {
    const list = ready.get(destination);
    const next = list?.shift();
    if (list && list.length === 0) ready.delete(destination);
    if (!next) return;
    waiting.delete(next.job.id);
    const policy = deps.delivery();
    const now = deps.clock.now();
    if (!running || heldUntil.has(destination) || !leaseCoversAttempt(next.claimedAt, now, policy)) {
      void deps.store.releaseJob(next.job.id, owner, now).catch((err) => deps.logger.warn({ err, jobId: next.job.id }, 'giving a job back failed'));
      return startWaiting(destination);
    }
    start(next.job, next.claimedAt);
  }

  /** Gives every job kept for `destination` back to the queue, due at `at` (the channel is held). */
  function releaseWaiting(destination: string, at: number) {
    const list = ready.get(destination) ?? [];
    ready.delete(destination);
    for (const { job } of list) {
      waiting.delete(job.id);
      void deps.store.releaseJob(job.id, owner, at).catch((err) => deps.logger.warn({ err, jobId: job.id }, 'giving a job back failed'));
    }
  }

  async function loop() {
    while (running) {
      let more = false;
      try {
        more = await claimOnce();
      } catch (err) {
        deps.logger.error({ err }, 'claiming jobs failed; will try again');
      }
      if (!running) break;
      // More may be due: claim again, but after a turn of the event loop, so webhooks are answered in between.
      if (more) {
        await yieldTurn();
        continue;
      }
      const { pollIntervalMs } = deps.delivery();
      const timer = new AbortController();
      await new Promise<void>((resolve) => {
        wake = resolve;
        const nextHeld = Math.min(...heldUntil.values()) - deps.clock.now();
        void deps.clock.sleep(Math.max(1, Math.min(pollIntervalMs, Number.isFinite(nextHeld) ? nextHeld : pollIntervalMs)), timer.signal).then(resolve);
      });
      wake = null;
      timer.abort();
      // Deliveries finishing together wake us many times in one turn: one claim for all of them.
      await yieldTurn();
    }
  }

  function start(job: DeliveryJob, claimedAt: number) {
    busy.set(job.destinationKey, (busy.get(job.destinationKey) ?? 0) + 1);
    const p = run(job, claimedAt)
      .catch((err) => deps.logger.error({ err, eventId: job.eventId, receiver: job.receiver, attempt: job.attempt, jobId: job.id }, 'delivery step failed'))
      .finally(() => {
        inflight.delete(job.id);
        const n = (busy.get(job.destinationKey) ?? 1) - 1;
        if (n > 0) busy.set(job.destinationKey, n);
        else busy.delete(job.destinationKey);
        startWaiting(job.destinationKey);
        poke();
      });
    inflight.set(job.id, p);
  }

  async function run(job: DeliveryJob, claimedAt: number) {
    const receiver = deps.receivers().get(job.receiver);
    const log = deps.logger.child({ eventId: job.eventId, receiver: job.receiver, attempt: job.attempt, jobId: job.id });
    if (!receiver) {
      await deps.store.deadLetterJob(job.id, owner, null, RECEIVER_REMOVED, deps.clock.now());
      deps.metrics.deliveries.inc({ receiver: job.receiver, integration: 'unknown', outcome: 'deadLettered', reason: 'other' });
      log.warn({ reason: RECEIVER_REMOVED }, 'receiver no longer configured; moved to dead letters');
      return;
    }
    // Pacing: a job whose channel has no free slot goes back to the queue, due when the slot is,
    // so it holds no concurrency while other channels keep flowing.
    const wait = await takeSlot(deps.store, job.destinationKey, receiver.pacing, deps.clock.now());
    if (wait > 0) {
      const until = deps.clock.now() + wait;
      hold(job.destinationKey, until);
      await deps.store.releaseJob(job.id, owner, until);
      return;
    }
    const policy = deps.delivery();
    const [previous, history] = receiver.usesHistory
      ? await Promise.all([deps.store.getMessageRef(job.receiver, job.entityKey), deps.store.entityHistory(job.event.id, job.event.type)])
      : [null, []];
    const upTo = history.findIndex((h) => h.eventId === job.eventId);
    if (!leaseCoversAttempt(claimedAt, deps.clock.now(), policy)) {
      await deps.store.releaseJob(job.id, owner, deps.clock.now());
      log.warn({ sinceClaimMs: deps.clock.now() - claimedAt }, 'lease too short left for a whole attempt; given back to the queue, not sent');
      return;
    }
    // One controller and one timer per delivery (AbortSignal.timeout + AbortSignal.any cost several times more).
    const abort = new AbortController();
    const signal = abort.signal;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new DOMException(`no answer within ${policy.timeoutMs} ms`, 'TimeoutError'));
    }, policy.timeoutMs);
    const onStop = () => abort.abort(hardStop.signal.reason);
    if (hardStop.signal.aborted) onStop();
    else hardStop.signal.addEventListener('abort', onStop, { once: true });
    const startedAt = deps.clock.now();
    let result: DeliveryResult;
    try {
      // The race makes delivery.timeout hold even for a receiver that ignores its signal.
      result = await Promise.race([
        receiver.deliver(job, { signal, previous, history: (upTo >= 0 ? history.slice(0, upTo + 1) : history).map(({ status, at }) => ({ status, at })), logger: log }),
        new Promise<DeliveryResult>((resolve) => signal.addEventListener('abort', () => resolve(abortResult(timedOut, policy.timeoutMs)), { once: true })),
      ]);
    } catch (err) {
      result = { ok: false, retryable: true, reason: `receiver threw: ${(err as Error).message}`, code: 'other' };
    } finally {
      clearTimeout(timer);
      hardStop.signal.removeEventListener('abort', onStop);
    }
    const now = deps.clock.now();
    if (!result.ok && hardStop.signal.aborted && !timedOut) {
      // Cut short by shutdown: not the endpoint's fault, so no attempt is counted; due again at once after a restart.
      await deps.store.releaseJob(job.id, owner, now);
      log.warn('delivery cut short by shutdown; left queued');
      return;
    }
    if (result.ok) {
      const changed = result.messageRef && !sameRef(result.messageRef, previous) ? result.messageRef : undefined;
      const kept = await complete({
        jobId: job.id, owner, attempt: { attempt: job.attempt, at: now, ok: true }, now,
        messageRef: changed && { receiver: job.receiver, entityKey: job.entityKey, ref: changed },
      });
      deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'delivered', reason: '' });
      deps.metrics.deliveryLatency.observe({ receiver: job.receiver, integration: receiver.kind }, Math.max(0, now - job.event.receivedAt) / 1000);
      log.info({ ms: now - startedAt, leaseLost: !kept || undefined }, 'delivered');
      return;
    }
    const reason = failureReason(result.code);
    const attempt = { attempt: job.attempt, at: now, ok: false, code: result.code, reason: result.reason };
    const decision = decideRetry(result, job, now, policy, deps.random);
    // A 429 (or a 503 with Retry-After) pauses this channel only: for as long as the platform
    // asked, or, when it did not say, until this job's own backoff ends.
    const pauseUntil = result.retryAfterMs !== undefined
      ? now + result.retryAfterMs
      : reason === 'rateLimited' && decision.action === 'retry' ? decision.at : undefined;
    if (pauseUntil !== undefined) {
      await deps.store.pauseDestination(job.destinationKey, pauseUntil);
      hold(job.destinationKey, pauseUntil);
    }
    if (decision.action === 'retry') {
      await deps.store.retryJob(job.id, owner, attempt, decision.at);
      deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'retried', reason });
      log.warn({ code: result.code, reason: result.reason, retryInMs: decision.at - now }, 'delivery failed; will retry');
    } else {
      await deps.store.deadLetterJob(job.id, owner, attempt, decision.reason, now);
      deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'deadLettered', reason });
      log.error({ code: result.code, reason: decision.reason }, 'delivery failed; moved to dead letters');
    }
  }

  return {
    owner,
    /** Starts claiming jobs. */
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
    },
    /** New jobs may be due: look now rather than at the next poll. */
    wake: poke,
    /** Deliveries in flight now. */
    get inflight() {
      return inflight.size;
    },
    /**
     * Stops claiming at once, lets deliveries in flight finish within
     * `graceMs`, then aborts the rest and gives every lease back, so what did
     * not finish stays queued (due at once, no attempt counted).
     */
    async stop(graceMs: number) {
      running = false;
      // Jobs kept waiting are leased by us: releaseLeases below gives them back with the rest.
      ready.clear();
      waiting.clear();
      poke();
      await loopDone;
      const all = Promise.allSettled([...inflight.values()]);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), Math.max(0, graceMs)); });
      const outcome = await Promise.race([all, expired]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        hardStop.abort();
        await Promise.race([all, new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      await deps.store.releaseLeases(owner);
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

/** Whether a delivery's message reference is the one already stored (a receiver posting anew returns a different one). */
function sameRef(ref: MessageRef, previous: MessageRef | null): boolean {
  return previous !== null && previous.channel === ref.channel && previous.messageId === ref.messageId
    && JSON.stringify(previous.extra ?? null) === JSON.stringify(ref.extra ?? null);
}

function abortResult(timedOut: boolean, timeoutMs: number): DeliveryResult {
  return timedOut
    ? { ok: false, retryable: true, reason: `no answer within ${timeoutMs} ms (delivery.timeout)`, code: 'timeout' }
    : { ok: false, retryable: true, reason: 'aborted by shutdown', code: 'other' };
}
