import type { DeliveryJob, MessageRef, StatusChange } from '../model/job.js';
import type { Logger } from 'pino';
import type { ReceiverKind } from '../model/config.js';
import type { FailureReason } from '../model/failure-reason.js';

export interface DeliveryContext {
  /** Aborted when `delivery.timeout` passes or the bridge shuts down hard. */
  signal: AbortSignal;
  /** The first message posted for this entity by this receiver, if any. */
  previous: MessageRef | null;
  /** The entity's statuses so far, oldest first, this event's included. */
  history: StatusChange[];
  logger: Logger;
}

export type DeliveryResult =
  | { ok: true; messageRef?: MessageRef }
  | {
      ok: false;
      retryable: boolean;
      /** From a Retry-After header: the next attempt comes no sooner. */
      retryAfterMs?: number;
      /** For people: what happened and what to do ("invite the bot to #kyc-ops"). */
      reason: string;
      /** The class of failure, as the metrics count it: set here, by the receiver that saw it. */
      failure: FailureReason;
      /** Stable, kept in the job's history: the failure class itself, or a platform code that says more (`channel_not_found`). */
      code: string;
    };

/**
 * What an integration must do, and nothing more. The pipeline owns retries,
 * backoff, pacing, ordering and dead letters; a receiver owns formatting and
 * the one HTTP call, and never retries on its own.
 */
export interface Receiver {
  readonly name: string;
  readonly kind: ReceiverKind;
  /** The channel that pacing and ordering apply to. */
  destinationKey(job: Pick<DeliveryJob, 'receiver' | 'event' | 'labels'>): string;
  /** Pacing for one destination: a steady rate with a short burst. */
  readonly pacing: PacingLimit;
  /**
   * Whether deliver() reads `ctx.previous` and `ctx.history` (one message per check, edited or threaded, or a card
   * that lists its statuses). When false they are not looked up, and arrive as null and [].
   */
  readonly usesHistory: boolean;
  deliver(job: DeliveryJob, ctx: DeliveryContext): Promise<DeliveryResult>;
  /** Optional start-up work (resolve a channel name, check a token). */
  start?(): Promise<void>;
}

/** A token bucket: `ratePerSecond` sustained, `burst` at once, optionally a cap per hour. */
export interface PacingLimit {
  ratePerSecond: number;
  burst: number;
  perHour?: number;
}
