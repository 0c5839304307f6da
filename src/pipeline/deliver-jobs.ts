import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DeliveryConfig } from '../config/types.js';
import { failureReason, type Metrics } from '../metrics.js';
import type { DeliveryJob, DeliveryResult, Receiver } from '../receivers/receiver.js';
import type { Store } from '../store/store.js';
import { takeSlot } from './pace.js';
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
 * Step three: claims due jobs (oldest per entity first), paces each channel,
 * delivers with a timeout, and records the outcome: done, retry at a time the
 * policy chose, or dead letter. At most delivery.concurrency in flight; a
 * slow or paced channel holds only its own jobs.
 */
export function createDeliveryWorker(deps: WorkerDeps) {
  const owner = deps.owner ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  const inflight = new Map<number, Promise<void>>();
  /** Destinations that must not be claimed before the time given (paced, paused by a 429, or busy). */
  const heldUntil = new Map<string, number>();
  const hardStop = new AbortController();
  let running = false;
  let wake: (() => void) | null = null;
  let loopDone: Promise<void> = Promise.resolve();

  function poke() {
    wake?.();
  }

  async function loop() {
    while (running) {
      const { concurrency, pollIntervalMs, leaseMs } = deps.delivery();
      const free = concurrency - inflight.size;
      let claimed = 0;
      if (free > 0) {
        const now = deps.clock.now();
        for (const [dest, until] of heldUntil) if (until <= now) heldUntil.delete(dest);
        try {
          const jobs = await deps.store.claimJobs({
            now, limit: free, owner, leaseMs,
            receivers: [...deps.receivers().keys()],
            skipDestinations: [...heldUntil.keys()],
          });
          claimed = jobs.length;
          for (const job of jobs) start(job);
        } catch (err) {
          deps.logger.error({ err }, 'claiming jobs failed; will try again');
        }
      }
      if (!running) break;
      if (claimed > 0 && claimed === free) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        const nextHeld = Math.min(...heldUntil.values()) - deps.clock.now();
        void deps.clock.sleep(Math.max(1, Math.min(pollIntervalMs, Number.isFinite(nextHeld) ? nextHeld : pollIntervalMs))).then(resolve);
      });
      wake = null;
    }
  }

  function start(job: DeliveryJob) {
    const p = run(job)
      .catch((err) => deps.logger.error({ err, eventId: job.eventId, receiver: job.receiver, jobId: job.id }, 'delivery step failed'))
      .finally(() => {
        inflight.delete(job.id);
        poke();
      });
    inflight.set(job.id, p);
  }

  async function run(job: DeliveryJob) {
    const receiver = deps.receivers().get(job.receiver);
    const log = deps.logger.child({ eventId: job.eventId, receiver: job.receiver, attempt: job.attempt, jobId: job.id });
    if (!receiver) {
      await deps.store.deadLetterJob(job.id, owner, null, 'receiver removed', deps.clock.now());
      return;
    }
    // Pacing: a job whose channel has no free slot goes back to the queue, due when the slot is,
    // so it holds no concurrency while other channels keep flowing.
    const wait = await takeSlot(deps.store, job.destinationKey, receiver.pacing, deps.clock.now());
    if (wait > 0) {
      const until = deps.clock.now() + wait;
      heldUntil.set(job.destinationKey, Math.max(heldUntil.get(job.destinationKey) ?? 0, until));
      await deps.store.releaseJob(job.id, owner, until);
      return;
    }
    const policy = deps.delivery();
    const [previous, history] = await Promise.all([
      deps.store.getMessageRef(job.receiver, job.entityKey),
      deps.store.entityHistory(job.event.id, job.event.type),
    ]);
    const upTo = history.findIndex((h) => h.eventId === job.eventId);
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = AbortSignal.any([timeout, hardStop.signal]);
    const startedAt = deps.clock.now();
    let result: DeliveryResult;
    try {
      result = await Promise.race([
        receiver.deliver(job, { signal, previous, history: (upTo >= 0 ? history.slice(0, upTo + 1) : history).map(({ status, at }) => ({ status, at })), logger: log }),
        new Promise<DeliveryResult>((resolve) => signal.addEventListener('abort', () => resolve(abortResult(timeout.aborted, policy.timeoutMs)), { once: true })),
      ]);
    } catch (err) {
      result = { ok: false, retryable: true, reason: `receiver threw: ${(err as Error).message}`, code: 'other' };
    }
    const now = deps.clock.now();
    if (result.ok) {
      if (result.messageRef && !previous) await deps.store.putMessageRef(job.receiver, job.entityKey, result.messageRef);
      const kept = await deps.store.completeJob(job.id, owner, { attempt: job.attempt, at: now, ok: true }, now);
      deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'delivered', reason: '' });
      deps.metrics.deliveryLatency.observe({ receiver: job.receiver, integration: receiver.kind }, Math.max(0, now - job.event.receivedAt) / 1000);
      log.info({ ms: now - startedAt, leaseLost: !kept || undefined }, 'delivered');
      return;
    }
    const reason = failureReason(result.code);
    const attempt = { attempt: job.attempt, at: now, ok: false, code: result.code, reason: result.reason };
    if (result.retryAfterMs !== undefined) {
      // A 429 pauses this channel only, for as long as the platform asked.
      await deps.store.pauseDestination(job.destinationKey, now + result.retryAfterMs);
      heldUntil.set(job.destinationKey, now + result.retryAfterMs);
    }
    const decision = decideRetry(result, job, now, policy, deps.random);
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
     * Stops claiming, lets deliveries in flight finish within `graceMs`, then
     * aborts the rest and gives their leases back so they stay queued.
     */
    async stop(graceMs: number) {
      running = false;
      poke();
      await loopDone;
      const all = Promise.allSettled([...inflight.values()]);
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([all, timer])) === 'timeout') {
        hardStop.abort();
        await Promise.race([all, new Promise((r) => setTimeout(r, 1000).unref())]);
      }
      await deps.store.releaseLeases(owner);
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

function abortResult(timedOut: boolean, timeoutMs: number): DeliveryResult {
  return timedOut
    ? { ok: false, retryable: true, reason: `no answer within ${timeoutMs} ms (delivery.timeout)`, code: 'timeout' }
    : { ok: false, retryable: true, reason: 'aborted by shutdown', code: 'other' };
}
