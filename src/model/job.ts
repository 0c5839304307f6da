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
  /** A digest (entityKey `group:ID`, `digest` loaded before delivery) or a reminder (number `reminder`); absent: the event. */
  kind?: JobKind;
  /** The alert group a digest job is for. */
  digestOf?: number;
  digest?: GroupDigest;
  reminder?: number;
  /** 1 on the first attempt. */
  attempt: number;
  /** Labels the event was routed with (enrichment included). */
  labels: Labels;
  /** Enrichment details, when aver.api is configured and answered. */
  details?: EventDetails | null;
  /**
   * Set on a job that follows a check action (an acknowledgement or assignment) rather than a status: a Slack or
   * Teams receiver edits the check's message to show the new state, a webhook posts the action.
   */
  actionId?: number;
  /** Read in the claim when the caller asked for it (ClaimOptions.withContext): what the receiver needs besides the job. */
  context?: JobContext;
}

/** What a receiver that edits and threads needs besides the job, read with it in one claim. */
export interface JobContext {
  /** The message posted earlier for this (receiver, entity), if any. */
  previous: MessageRef | null;
  /** The entity's statuses by arrival (same type and id), oldest first. */
  history: EntityHistory;
}

/** An entity's statuses by arrival, oldest first, with the event each came in. */
export type EntityHistory = Array<StatusChange & { type: string; eventId: string; groupId: string }>;

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
  /** What the route's grouping, time intervals and reminders ask (absent: a job due at once, as always). */
  timers?: JobTimers;
}

/** The store keeps these timers (src/grouping/ decides them); see Store's Timers role. */
export interface JobTimers {
  /** Instead of a job: a member of this group, flushed at `flushAt` (group_wait, or when a mute ends). */
  group?: {
    key: string;
    labels: Labels;
    /** `group`: group_by's window; `held`: the deliveries of an ungrouped route held while it is muted. */
    kind: GroupKind;
    routePath: string;
    flushAt: number;
    intervalMs: number;
  };
  /** A reminder for the check from this receiver (any earlier one cancelled); null: only cancel. */
  remind?: { routePath: string; dueAt: number; afterMs: number; repeat: number } | null;
}

export type GroupKind = 'group' | 'held';

/** What a job sends: the event's own message (absent), a group's digest, or a reminder about the check. */
export type JobKind = 'digest' | 'reminder';

/** A group's digest as receivers render it (present/digest.ts): counts over its checks, the attention items first. */
export interface GroupDigest {
  groupId: number;
  kind: GroupKind;
  /** The group-by labels (empty for a hold group). */
  labels: Labels;
  openedAt: number;
  /** Checks in the group (each counted once, at its latest status). */
  total: number;
  byStatus: Record<string, number>;
  /** Up to the limit asked, attention statuses first, then in arrival order. */
  items: Array<{ event: AverEvent; labels: Labels }>;
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
