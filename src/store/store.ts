import type { CheckActionRecord, CheckState, NewCheckAction } from '../model/check-state.js';
import type { AverEvent, EventDetails, Labels } from '../model/event.js';
import type { AttemptRecord, DeliveryJob, EntityHistory, JobRecord, JobState, MessageRef, NewJob } from '../model/job.js';
import type { Timers } from './timers.js';

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

/**
 * An event whose route result the store refused (routing tried it in its batch, then alone): kept out of the way
 * as dead letters, so the events beside and behind it go on.
 */
export interface ParkedEvent {
  eventId: string;
  /** Stored as the event's labels (text made storable); its details are not kept. */
  labels: Labels;
  /** One dead letter each, with `reason`: a retry delivers the event to that receiver, without details. */
  jobs: NewJob[];
  reason: string;
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
  /** At most this many jobs of one destination (default: `limit`). */
  perDestination?: number;
  /**
   * Receivers whose jobs come with their JobContext (message reference and entity history), read in the claim
   * instead of in two more reads (round trips on PostgreSQL) each.
   */
  withContext?: string[];
}

/** The inbox: webhooks stored with their dedup keys, routed later. */
export interface Inbox {
  /** Appends in one transaction (the group commit); a live dedupKey makes a duplicate. */
  appendEvents(batch: NewEvent[]): Promise<AppendResult[]>;
  /**
   * Events not yet routed, oldest first. With `lease`, where several replicas share the store, the events
   * returned are taken for routing until `lease.until`: other callers with a lease skip them meanwhile, so
   * replicas do not route (or ask Aver's API about) the same events at once. Routing stays idempotent either
   * way. A store one process owns (SQLite) has one router and ignores the lease.
   */
  unroutedEvents(limit: number, lease?: { now: number; until: number }): Promise<AverEvent[]>;
  /**
   * Records each event's route result and enqueues its jobs (due at `now`), in one transaction. Idempotent per
   * event: an event already routed, here or by a concurrent call, keeps its first result and gets no more jobs.
   */
  routeEvents(results: RouteResult[], now: number): Promise<void>;
  /**
   * Parks an event routing could not store: marks it routed with its labels (no details) and adds one dead letter
   * per job, each with the reason (seen in the admin page and `dead-letters list`, retried like any other). Every
   * string is made storable first (NUL and lone surrogates become U+FFFD). Nothing if the event is already routed.
   */
  parkEvent(parked: ParkedEvent, now: number): Promise<void>;
  getEvent(eventId: string): Promise<StoredEvent | null>;
  /** The most recent events, newest first. */
  recentEvents(limit: number): Promise<StoredEvent[]>;
  /** Statuses an entity went through, oldest first (by type and id, or id alone when type is omitted). */
  entityHistory(id: string, type?: string): Promise<EntityHistory>;
}

/** Delivery jobs: claimed under a lease, then completed, retried, given back or dead-lettered by the lease holder. */
export interface JobQueue {
  /**
   * Claims due pending jobs under a lease, at most one per (receiver, entity):
   * the oldest, so an entity's messages go out in order. Expired leases are claimable.
   * The rule is written once, in claim-rule.ts.
   */
  claimJobs(options: ClaimOptions): Promise<DeliveryJob[]>;
  /**
   * Marks leased jobs done, in one transaction (message refs first); one result per item, in order: false when
   * the lease was lost (another replica has the job) or the job is listed again.
   */
  completeJobs(items: CompletedJob[]): Promise<boolean[]>;
  /** Records a failed attempt and when to try again; releases the lease. */
  retryJob(jobId: number, owner: string, attempt: AttemptRecord, nextAttemptAt: number): Promise<boolean>;
  /** Moves a job to the dead letters with its reason. */
  deadLetterJob(jobId: number, owner: string | null, attempt: AttemptRecord | null, reason: string, now: number): Promise<boolean>;
  /** Gives one leased job back, due at `nextAttemptAt`, without counting an attempt (paced out); never below zero. */
  releaseJob(jobId: number, owner: string, nextAttemptAt: number): Promise<boolean>;
  /** Gives leases held by `owner` back without counting an attempt (graceful shutdown); never below zero. */
  releaseLeases(owner: string): Promise<number>;
}

/** Pacing, shared by every process on the store: a GCRA token bucket per destination (send-slot.ts). */
export interface Pacing {
  /**
   * Takes one send slot for `destinationKey` if one is free now; otherwise says how long to wait, in whole
   * milliseconds (at least 1). `intervalMs` is 1000/rate, `burst` the bucket size (floored, at least 1).
   */
  takeSendSlot(destinationKey: string, now: number, intervalMs: number, burst: number): Promise<{ ok: true } | { ok: false; waitMs: number }>;
  /** Pauses a destination until `until` (a 429's Retry-After). */
  pauseDestination(destinationKey: string, until: number): Promise<void>;
}

/** Where each entity's message lives, for edits and threads (written by completeJobs). */
export interface MessageRefs {
  getMessageRef(receiver: string, entityKey: string): Promise<MessageRef | null>;
}

/** The Teams channels the bot was added to. */
export interface Installations {
  putInstallation(installation: TeamsInstallation): Promise<void>;
  removeInstallation(teamId: string, now: number): Promise<void>;
  listInstallations(): Promise<TeamsInstallation[]>;
}

/** A check action to record, with the jobs that follow it when it changes the check's state. */
export interface CheckActionWrite {
  action: NewCheckAction;
  /**
   * Enqueued (due at `action.at`, each carrying the action's id) only when the state changed: one per receiver
   * that shows the state (its message is edited) or follows actions (a webhook with `actions: true`), each for
   * the check's latest event routed to it, so it runs after that receiver's earlier jobs of the check.
   */
  jobs: Array<NewJob & { eventId: string }>;
}

/** What recording an action did: the state before and after, and the audit entry when it changed anything. */
export interface CheckActionResult {
  changed: boolean;
  previous: CheckState;
  state: CheckState;
  record?: CheckActionRecord;
}

/**
 * Who is on each check (acknowledged, assigned) and the audit trail of every change. Kept apart from retention:
 * the trail outlives the events it is about.
 */
export interface CheckStates {
  /** The check's state; null when nobody ever acted on it. */
  getCheckState(entityKey: string): Promise<CheckState | null>;
  /**
   * Applies one action (check-rule.ts) under the check's row lock, so replicas acting at once are serialised: when
   * it changes the state, stores the state, appends the audit entry and enqueues `jobs`, in one transaction.
   */
  recordCheckAction(write: CheckActionWrite): Promise<CheckActionResult>;
  getCheckAction(id: number): Promise<CheckActionRecord | null>;
  /** The audit trail of these checks (entity keys): their latest `limit` entries, oldest first. */
  checkActions(entityKeys: string[], limit: number): Promise<CheckActionRecord[]>;
}

/** What operators read and do: the admin page, the CLI, /metrics. */
export interface AdminQueries {
  getJob(jobId: number): Promise<JobRecord | null>;
  jobsForEvent(eventId: string): Promise<JobRecord[]>;
  listJobs(filter: { state?: JobState; receiver?: string; limit: number }): Promise<JobRecord[]>;
  /** Pending jobs per receiver and the age of the oldest. */
  queueStats(now: number): Promise<Array<{ receiver: string; pending: number; oldestCreatedAt: number | null; dead: number }>>;
  /** Dead letter back to pending, due now, attempts kept in its history. */
  retryDeadLetter(jobId: number, now: number): Promise<boolean>;
  retryAllDeadLetters(now: number, receiver?: string): Promise<number>;
  purgeDeadLetters(olderThan: number): Promise<number>;
}

/** What the housekeeping pass (and a reload) deletes or gives up on. */
export interface Housekeeping {
  /** Deletes dedup keys whose window has passed. */
  pruneDedup(now: number): Promise<number>;
  /**
   * Retention: deletes up to `limit` delivered jobs last updated before `before`, first the ones delivered longest ago
   * (by update time, then id), then up to `limit` routed events received before it that have no job left (none
   * queued, none dead), the earliest received first. Returns how many of each went.
   */
  pruneDelivered(before: number, limit: number): Promise<{ jobs: number; events: number }>;
  /**
   * Dead-letters the pending jobs (leased or not) of the receivers named, with `reason`: those a reload removed,
   * or that no configuration has any more. With `createdBefore`, only jobs created before that time.
   */
  deadLetterReceivers(receivers: string[], reason: string, now: number, createdBefore?: number): Promise<number>;
}

/**
 * Everything the bridge keeps, behind one contract made of the roles above, implemented for SQLite and
 * PostgreSQL and tested by one shared suite (test/store/contract.ts).
 * Times are epoch milliseconds. Every write is committed when its promise resolves, and survives a crash of the
 * bridge. Those someone was told about (an appended webhook, a person's action on a check, an installation, an
 * operator's retry or purge) are on disk by then; the queue's own bookkeeping (claims, completions, retries, send
 * slots, routing, timers) may be lost to power loss or a crash of the database server, which costs at most a
 * resend or a re-route, never an event.
 */
export interface Store extends Inbox, JobQueue, Pacing, MessageRefs, Installations, AdminQueries, Housekeeping, CheckStates, Timers {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema (under a lock where replicas share the store); see migrations.ts. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Calls `listener` when new events or jobs are committed by any process sharing the store (PostgreSQL: LISTEN/
   * NOTIFY), so replicas wake at once; the poll stays the fallback. Absent where one process owns the store.
   */
  watchWork?(listener: (kind: 'events' | 'jobs') => void): () => void;
  /** A cheap round trip, for /readyz. */
  ping(): Promise<void>;
}
