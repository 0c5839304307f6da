import type { GroupDigest, GroupKind } from '../model/job.js';

/** A group whose flush is due, leased to the caller (claimDueGroups). */
export interface DueGroup {
  id: number;
  receiver: string;
  kind: GroupKind;
  routePath: string;
  flushAt: number;
}

/** A reminder that is due, leased to the caller (claimDueReminders). */
export interface DueReminder {
  receiver: string;
  entityKey: string;
  routePath: string;
  dueAt: number;
}

/** What a flush did (window.ts decides): nothing new (the group closed), one normal job, or a digest job. */
export type FlushResult = 'close' | 'single' | 'digest';

/** A delivery held by a time interval, for the admin page and the CLI. */
export interface HeldDelivery {
  receiver: string;
  eventId: string;
  entityKey: string;
  /** The held event's status. */
  status: string;
  routePath: string;
  /** When it goes out, unless the interval is changed. */
  until: number;
}

export interface TimerStats {
  /** Group windows open (waiting for group_wait, or gathering for group_interval). */
  openGroups: number;
  /** Deliveries held by a muted time interval. */
  held: number;
  /** Reminders waiting to be due. */
  reminders: number;
}

export interface TimerLease {
  now: number;
  owner: string;
  leaseMs: number;
  limit: number;
}

/**
 * Groups, held deliveries and reminders (src/grouping/ decides, the store keeps): members join their group in the
 * routing transaction (Store.routeEvents with NewJob.timers); a due group or reminder is leased to one replica, which
 * flushes it (or defers it, while its route is muted) in one transaction that checks the lease, so each window
 * gives exactly one digest.
 */
export interface Timers {
  claimDueGroups(o: TimerLease): Promise<DueGroup[]>;
  /** Holds a leased group until `until` (its route is muted now) and gives the lease back; false when it was lost. */
  deferGroup(groupId: number, owner: string, until: number, now: number): Promise<boolean>;
  /**
   * Flushes a leased group (grouping/window.ts's decideFlush): closes it, or enqueues one normal job for its one new
   * member, or one digest job (entity `group:ID`, so later digests edit the first); null when the lease was lost.
   */
  flushGroup(groupId: number, owner: string, now: number): Promise<FlushResult | null>;
  /** The digest of a group's members sent so far: counts by status, `limit` items, attention statuses first. */
  groupDigest(groupId: number, o: { attention: readonly string[]; limit: number }): Promise<GroupDigest | null>;
  claimDueReminders(o: TimerLease): Promise<DueReminder[]>;
  deferReminder(receiver: string, entityKey: string, owner: string, until: number): Promise<boolean>;
  /** Enqueues the reminder job and schedules the next (or ends the count); false when the lease was lost. */
  fireReminder(receiver: string, entityKey: string, owner: string, now: number): Promise<boolean>;
  timerStats(now: number): Promise<TimerStats>;
  /** Deliveries held now, the first to go out first (then in arrival order); with `receiver`, only that receiver's. */
  listHeld(now: number, limit: number, receiver?: string): Promise<HeldDelivery[]>;
  /**
   * Retention (storage.retention): deletes up to `limit` members of groups closed before `before` that no job refers
   * to any more, and up to `limit` members of open groups sent (and added) before it; then up to `limit` of those
   * closed groups left with no member, each with its digest's message reference. Returns how many of each went.
   */
  pruneGroups(before: number, limit: number): Promise<{ groups: number; members: number }>;
}
