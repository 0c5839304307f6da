import type { AverEvent, Labels } from '../aver/event.js';
import type { Logger } from 'pino';

/** One delivery owed: an event for one receiver, as the store keeps it. */
export interface DeliveryJob {
  id: number;
  eventId: string;
  receiver: string;
  /** `${type}:${id}`: jobs with the same receiver and entity are delivered in order. */
  entityKey: string;
  /** The channel that pacing applies to (Receiver.destinationKey at enqueue time). */
  destinationKey: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** When the job was created (or a dead letter was retried): delivery.maxAge counts from here. */
  createdAt: number;
  event: AverEvent;
  /** Labels the event was routed with (enrichment included). */
  labels: Labels;
  /** Enrichment details, when aver.api is configured and answered. */
  details?: EventDetails | null;
}

/** Details from Aver's REST API (issue: enrichment); optional everywhere. */
export interface EventDetails {
  available: boolean;
  statusReason?: string;
  warnings?: string[];
  watchlistHits?: number;
  adverseMediaHits?: number;
  thirdPartyIdentifier?: string;
  checkTypes?: string[];
  /** Only when aver.api.showPersonalData is true: the subject's name. */
  name?: string;
}

/** Where an earlier message for the same entity lives, so it can be edited or threaded. */
export interface MessageRef {
  /** Slack channel id, or Teams conversation id. */
  channel: string;
  /** Slack ts, or Teams activity id. */
  messageId: string;
  /** Receiver-specific extras (Teams serviceUrl, …). */
  extra?: Record<string, unknown>;
}

/** A status the entity went through, for one-line histories in messages. */
export interface StatusChange {
  status: string;
  at: number;
}

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
      /** Stable: rateLimited | clientError | serverError | timeout | authError | other, or a platform error code. */
      code: string;
    };

/**
 * What an integration must do, and nothing more. The pipeline owns retries,
 * backoff, pacing, ordering and dead letters; a receiver owns formatting and
 * the one HTTP call, and never retries on its own.
 */
export interface Receiver {
  readonly name: string;
  /** 'console' | 'webhook' | 'slack' | 'teams' | 'teamsWorkflow' */
  readonly kind: string;
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
