import type { AverEvent, EventDetails, Labels } from './event.js';

/** Where a job stands: waiting (or leased), delivered, or in the dead letters. */
export type JobState = 'pending' | 'done' | 'dead';

/** The reason a job gets when its receiver is no longer configured. */
export const RECEIVER_REMOVED = 'receiver removed';

/** What every view of a delivery job shares: one event owed to one receiver. */
export interface JobBase {
  id: number;
  eventId: string;
  receiver: string;
  /** `${type}:${id}`: jobs with the same receiver and entity are delivered in order. */
  entityKey: string;
  /** The channel that pacing applies to (Receiver.destinationKey at enqueue time). */
  destinationKey: string;
  /** When the job was created (or a dead letter was retried): delivery.maxAge counts from here. */
  createdAt: number;
  event: AverEvent;
}

/** A job claimed for delivery: what a receiver is handed. */
export interface DeliveryJob extends JobBase {
  /** 1 on the first attempt. */
  attempt: number;
  /** Labels the event was routed with (enrichment included). */
  labels: Labels;
  /** Enrichment details, when aver.api is configured and answered. */
  details?: EventDetails | null;
}

/** One attempt's outcome, as kept on the job for operators. */
export interface AttemptRecord {
  attempt: number;
  at: number;
  ok: boolean;
  code?: string;
  reason?: string;
}

/** A job with everything an operator or the admin page wants to see. */
export interface JobRecord extends JobBase {
  state: JobState;
  attempts: number;
  nextAttemptAt: number;
  updatedAt: number;
  lastReason: string | null;
  history: AttemptRecord[];
}

/** A job the router creates for one (event, receiver). */
export interface NewJob {
  receiver: string;
  entityKey: string;
  destinationKey: string;
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
