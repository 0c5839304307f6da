import type { AverEvent, EventDetails, Labels } from '../model/event.js';
import type { AttemptRecord, DeliveryJob, JobRecord, JobState, MessageRef, NewJob, StatusChange } from '../model/job.js';

/** An event to append, with the key that makes a repeat within the window a duplicate. */
export interface NewEvent {
  event: AverEvent;
  dedupKey: string;
  /** Epoch ms after which the same dedupKey counts as new again. */
  dedupUntil: number;
  /** Stored already routed, with these labels and jobs (the chat `test` command targets one channel). */
  preRouted?: { labels: Labels; jobs: NewJob[] };
}

export type AppendResult = { duplicate: false; eventId: string } | { duplicate: true; eventId: string };

/** A stored event, with its route result once routed. */
export interface StoredEvent {
  event: AverEvent;
  routed: boolean;
  labels: Labels | null;
  details: EventDetails | null;
}

export interface TeamsInstallation {
  /** Teams team id (or conversation id for group chats). */
  teamId: string;
  teamName: string;
  channelId: string;
  channelName: string;
  serviceUrl: string;
  tenantId: string;
  /** The conversation reference botbuilder gave us, as JSON. */
  reference: Record<string, unknown>;
  removed: boolean;
  updatedAt: number;
}

/** One event's route result, for routeEvents. */
export interface RouteResult {
  eventId: string;
  labels: Labels;
  details: EventDetails | null;
  jobs: NewJob[];
}

/** One delivery that succeeded, for completeJobs: its outcome and, when it changed, where its message now lives. */
export interface CompletedJob {
  jobId: number;
  owner: string;
  attempt: AttemptRecord;
  now: number;
  /** Stored (replacing any earlier one) before the job is marked done, whether or not the lease held. */
  messageRef?: { receiver: string; entityKey: string; ref: MessageRef };
}

export interface ClaimOptions {
  now: number;
  limit: number;
  /** Who claims: a replica id. */
  owner: string;
  leaseMs: number;
  /** Only jobs of these receivers (the ones the current config knows). */
  receivers?: string[];
  /** Destinations not to claim now (paused or paced by the caller). */
  skipDestinations?: string[];
}

/**
 * Everything the bridge keeps, behind one contract, implemented for SQLite and
 * PostgreSQL and tested by one shared suite (test/store/contract.ts).
 * Times are epoch milliseconds. Every write is durable when its promise resolves.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema (under a lock where replicas share the store). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** A cheap round trip, for /readyz. */
  ping(): Promise<void>;

  // Inbox
  /** Appends in one transaction (the group commit); a live dedupKey makes a duplicate. */
  appendEvents(batch: NewEvent[]): Promise<AppendResult[]>;
  /**
   * Events not yet routed, oldest first. With `lease`, where several replicas share the store, the events
   * returned are taken for routing until `lease.until`: other callers with a lease skip them meanwhile, so
   * replicas do not route (or ask Aver's API about) the same events at once. Routing stays idempotent either
   * way. A store one process owns (SQLite) has one router and ignores the lease.
   */
  unroutedEvents(limit: number, lease?: { now: number; until: number }): Promise<AverEvent[]>;
  /** Records the route result and enqueues its jobs, atomically. Idempotent per event. */
  routeEvent(eventId: string, labels: Labels, details: EventDetails | null, jobs: NewJob[], now: number): Promise<void>;
  /** routeEvent for many events, in one transaction: each is recorded as routeEvent would (idempotent per event). */
  routeEvents(results: RouteResult[], now: number): Promise<void>;
  getEvent(eventId: string): Promise<StoredEvent | null>;
  /** The most recent events, newest first. */
  recentEvents(limit: number): Promise<StoredEvent[]>;
  /** Statuses an entity went through, oldest first (by type and id, or id alone when type is omitted). */
  entityHistory(id: string, type?: string): Promise<Array<StatusChange & { type: string; eventId: string; groupId: string }>>;
  /** Deletes dedup keys whose window has passed. */
  pruneDedup(now: number): Promise<number>;
  /**
   * Retention: deletes up to `limit` delivered jobs last updated before `before`, then up to `limit` routed events
   * received before it that have no job left (none queued, none dead). Returns how many of each went.
   */
  pruneDelivered(before: number, limit: number): Promise<{ jobs: number; events: number }>;

  // Delivery jobs
  /**
   * Claims due pending jobs under a lease, at most one per (receiver, entity):
   * the oldest, so an entity's messages go out in order. Expired leases are claimable.
   */
  claimJobs(options: ClaimOptions): Promise<DeliveryJob[]>;
  /** Marks a leased job done. False when the lease was lost (another replica has it). */
  completeJob(jobId: number, owner: string, attempt: AttemptRecord, now: number): Promise<boolean>;
  /** completeJob for many jobs in one transaction (message refs first); one result per item, in order. */
  completeJobs(items: CompletedJob[]): Promise<boolean[]>;
  /** Records a failed attempt and when to try again; releases the lease. */
  retryJob(jobId: number, owner: string, attempt: AttemptRecord, nextAttemptAt: number): Promise<boolean>;
  /** Moves a job to the dead letters with its reason. */
  deadLetterJob(jobId: number, owner: string | null, attempt: AttemptRecord | null, reason: string, now: number): Promise<boolean>;
  /** Gives one leased job back, due at `nextAttemptAt`, without counting an attempt (paced out). */
  releaseJob(jobId: number, owner: string, nextAttemptAt: number): Promise<boolean>;
  /** Gives leases held by `owner` back without counting an attempt (graceful shutdown). */
  releaseLeases(owner: string): Promise<number>;
  getJob(jobId: number): Promise<JobRecord | null>;
  jobsForEvent(eventId: string): Promise<JobRecord[]>;
  listJobs(filter: { state?: JobState; receiver?: string; limit: number }): Promise<JobRecord[]>;
  /** Pending jobs per receiver and the age of the oldest. */
  queueStats(now: number): Promise<Array<{ receiver: string; pending: number; oldestCreatedAt: number | null; dead: number }>>;
  /** Dead letter back to pending, due now, attempts kept in its history. */
  retryDeadLetter(jobId: number, now: number): Promise<boolean>;
  retryAllDeadLetters(now: number, receiver?: string): Promise<number>;
  purgeDeadLetters(olderThan: number): Promise<number>;
  /**
   * Dead-letters the pending jobs (leased or not) of the receivers named, with `reason`: those a reload removed,
   * or that no configuration has any more. With `createdBefore`, only jobs created before that time.
   */
  deadLetterReceivers(receivers: string[], reason: string, now: number, createdBefore?: number): Promise<number>;

  // Pacing, shared by every process on the store: a GCRA token bucket per destination
  /**
   * Takes one send slot for `destinationKey` if one is free now; otherwise says
   * how long to wait. `intervalMs` is 1000/rate, `burst` the bucket size.
   */
  takeSendSlot(destinationKey: string, now: number, intervalMs: number, burst: number): Promise<{ ok: true } | { ok: false; waitMs: number }>;
  /** Pauses a destination until `until` (a 429's Retry-After). */
  pauseDestination(destinationKey: string, until: number): Promise<void>;

  // Message references, for edits and threads
  getMessageRef(receiver: string, entityKey: string): Promise<MessageRef | null>;
  /** Records where the entity's message now lives (replacing any earlier reference: a deleted message is posted anew). */
  putMessageRef(receiver: string, entityKey: string, ref: MessageRef): Promise<void>;

  // Teams installations
  putInstallation(installation: TeamsInstallation): Promise<void>;
  removeInstallation(teamId: string, now: number): Promise<void>;
  listInstallations(): Promise<TeamsInstallation[]>;
}
