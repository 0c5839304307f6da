import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DeliveryConfig } from '../model/config.js';
import { RECEIVER_REMOVED, type DeliveryJob, type MessageRef } from '../model/job.js';
import type { Metrics } from '../metrics.js';
import type { DeliveryResult, Receiver } from '../receivers/receiver.js';
import type { CompletedJob, Store } from '../store/store.js';
import type { Attempt } from './attempt-delivery.js';
import { decideRetry } from './retry-policy.js';

type Failure = Extract<DeliveryResult, { ok: false }>;

export interface OutcomeDeps {
  store: Pick<Store, 'releaseJob' | 'retryJob' | 'deadLetterJob' | 'pauseDestination'>;
  /** Marks a job done; deliveries that end in one turn share one transaction. False when the lease was lost. */
  complete: (item: CompletedJob) => Promise<boolean>;
  /** Claims nothing for a destination before `until` (a 429 paused it). */
  hold: (destination: string, until: number) => void;
  clock: Pick<Clock, 'now'>;
  metrics: Pick<Metrics, 'deliveries' | 'deliveryLatency' | 'attemptDuration'>;
  /** This process's lease owner. */
  owner: string;
  random?: () => number;
}

export interface Outcome {
  job: DeliveryJob;
  receiver: Pick<Receiver, 'kind'>;
  /** The message reference the receiver was given. */
  previous: MessageRef | null;
  attempt: Attempt;
  policy: Pick<DeliveryConfig, 'backoff' | 'maxAgeMs'>;
  log: Logger;
}

/**
 * Records one attempt's outcome: done (with the message's new reference), a
 * retry at the time the policy chose, or a dead letter; a 429 also pauses the
 * channel. An attempt cut short by shutdown leaves the job queued, uncounted.
 */
export async function recordOutcome(deps: OutcomeDeps, outcome: Outcome): Promise<void> {
  const now = deps.clock.now();
  if (outcome.attempt.interrupted) {
    // Not the endpoint's fault, so no attempt is counted; due again at once after a restart.
    await deps.store.releaseJob(outcome.job.id, deps.owner, now);
    outcome.log.warn('delivery cut short by shutdown; left queued');
    return;
  }
  const result = outcome.attempt.result;
  // The per-request latency: this attempt alone, whatever its outcome (delivery_latency_seconds is end to end).
  deps.metrics.attemptDuration.observe({ receiver: outcome.job.receiver, integration: outcome.receiver.kind }, Math.max(0, now - outcome.attempt.startedAt) / 1000);
  if (result.ok) await recordDelivered(deps, outcome, result.messageRef, now);
  else await recordFailed(deps, outcome, result, now);
}

async function recordDelivered(deps: OutcomeDeps, { job, receiver, previous, attempt, log }: Outcome, ref: MessageRef | undefined, now: number) {
  const changed = ref && !sameRef(ref, previous) ? ref : undefined;
  const kept = await deps.complete({
    jobId: job.id, owner: deps.owner, attempt: { attempt: job.attempt, at: now, ok: true }, now,
    messageRef: changed && { receiver: job.receiver, entityKey: job.entityKey, ref: changed },
  });
  deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'delivered', reason: '' });
  // A job that follows a check action is about an event received long before: it would skew the end-to-end latency.
  if (job.actionId === undefined) deps.metrics.deliveryLatency.observe({ receiver: job.receiver, integration: receiver.kind }, Math.max(0, now - job.event.receivedAt) / 1000);
  log.info({ ms: now - attempt.startedAt, leaseLost: !kept || undefined }, 'delivered');
}

async function recordFailed(deps: OutcomeDeps, { job, receiver, policy, log }: Outcome, result: Failure, now: number) {
  const reason = result.failure;
  const record = { attempt: job.attempt, at: now, ok: false, code: result.code, reason: result.reason };
  const decision = decideRetry(result, job, now, policy, deps.random);
  // A 429 (or a 503 with Retry-After) pauses this channel only: for as long as the platform
  // asked, or, when it did not say, until this job's own backoff ends.
  const pauseUntil = result.retryAfterMs !== undefined
    ? now + result.retryAfterMs
    : reason === 'rateLimited' && decision.action === 'retry' ? decision.at : undefined;
  if (pauseUntil !== undefined) {
    await deps.store.pauseDestination(job.destinationKey, pauseUntil);
    deps.hold(job.destinationKey, pauseUntil);
  }
  if (decision.action === 'retry') {
    await deps.store.retryJob(job.id, deps.owner, record, decision.at);
    deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'retried', reason });
    log.warn({ code: result.code, reason: result.reason, retryInMs: decision.at - now }, 'delivery failed; will retry');
  } else {
    await deps.store.deadLetterJob(job.id, deps.owner, record, decision.reason, now);
    deps.metrics.deliveries.inc({ receiver: job.receiver, integration: receiver.kind, outcome: 'deadLettered', reason });
    log.error({ code: result.code, reason: decision.reason }, 'delivery failed; moved to dead letters');
  }
}

/** A job whose receiver the config no longer has goes to the dead letters, unsent. */
export async function recordReceiverRemoved(deps: OutcomeDeps, job: DeliveryJob, log: Logger): Promise<void> {
  await deps.store.deadLetterJob(job.id, deps.owner, null, RECEIVER_REMOVED, deps.clock.now());
  deps.metrics.deliveries.inc({ receiver: job.receiver, integration: 'unknown', outcome: 'deadLettered', reason: 'other' });
  log.warn({ reason: RECEIVER_REMOVED }, 'receiver no longer configured; moved to dead letters');
}

/** Whether a delivery's message reference is the one already stored (a receiver posting anew returns a different one). */
function sameRef(ref: MessageRef, previous: MessageRef | null): boolean {
  return previous !== null && previous.channel === ref.channel && previous.messageId === ref.messageId
    && JSON.stringify(previous.extra ?? null) === JSON.stringify(ref.extra ?? null);
}
