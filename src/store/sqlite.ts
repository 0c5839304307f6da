import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AverEvent, EventDetails, Labels } from '../model/event.js';
import type { AttemptRecord, DeliveryJob, EntityHistory, JobRecord, JobState, MessageRef, NewJob } from '../model/job.js';
import { CLAIM_WINDOW, claimable, GIVE_BACK_LEASE, type ClaimDialect } from './claim-rule.js';
import {
  DELIVERY_JOB_COLUMNS, EVENT_COLUMNS, JOB_RECORD_COLUMNS, rowMappers, SQLITE_COLUMNS, STORED_EVENT_COLUMNS,
  type DeliveryJobRow, type EventRow, type JobRecordRow, type StoredEventRow,
} from './rows.js';
import { takeSlot, type Bucket } from './send-slot.js';
import { applySqliteMigrations } from './sqlite-migrations.js';
import { SqliteTimers } from './sqlite-timers.js';
import type { Timers } from './timers.js';
import { storableCopy } from './storable.js';
import type { AppendResult, CheckActionResult, CheckActionWrite, ClaimOptions, CompletedJob, NewEvent, ParkedEvent, RouteResult, Store, StoredEvent, TeamsInstallation } from './store.js';
import type { CheckActionRecord, CheckState } from '../model/check-state.js';
import { applyCheckAction } from './check-rule.js';
import { actionData, actionRecord, type CheckActionRow } from './check-rows.js';

const decode = rowMappers(SQLITE_COLUMNS);

/**
 * The claim rule in SQLite's spelling. The index hints matter: left to itself the planner picked an index on the
 * job's state for the per-entity lookups and a claim read pending × pending rows (seconds at 8,000).
 */
const CLAIMABLE = claimable({
  now: '@now',
  receiverAsked: '(@receivers IS NULL OR j.receiver IN (SELECT value FROM json_each(@receivers)))',
  destinationOpen: 'j.destination_key NOT IN (SELECT value FROM json_each(@skip))',
  entityIndex: 'INDEXED BY jobs_entity',
  unrouted: 'u.routed = 0',
} satisfies ClaimDialect);

/** The claim's statements: a first look at the earliest due jobs, then destination by destination. */
const CLAIM = {
  // First look: the earliest due jobs only (up to the CLAIM_WINDOW-th, in claim order), so a claim never reads a
  // long backlog that belongs to held or busy destinations only to reject it row by row.
  bound: `SELECT next_attempt_at AS at, id FROM jobs INDEXED BY jobs_pending WHERE state = 'pending' AND next_attempt_at <= ?
    ORDER BY next_attempt_at, id LIMIT 1 OFFSET ${CLAIM_WINDOW - 1}`,
  inWindow: `
    SELECT j.id, j.next_attempt_at AS at, j.destination_key AS k FROM jobs j INDEXED BY jobs_pending JOIN events e ON e.event_id = j.event_id
    WHERE ${CLAIMABLE} AND (j.next_attempt_at < @boundAt OR (j.next_attempt_at = @boundAt AND j.id <= @boundId))
    ORDER BY j.next_attempt_at, j.id LIMIT CAST(@limit AS INTEGER)`,
  // When that window did not yield enough: destination by destination, in the order of their earliest due job
  // (one index seek each), skipping held ones without reading their rows, until no later destination can do better.
  destinations: `
    WITH RECURSIVE d(k) AS (
      SELECT (SELECT destination_key FROM jobs INDEXED BY jobs_destination WHERE state = 'pending' ORDER BY destination_key LIMIT 1)
      UNION ALL
      SELECT (SELECT destination_key FROM jobs INDEXED BY jobs_destination WHERE state = 'pending' AND destination_key > d.k ORDER BY destination_key LIMIT 1)
      FROM d WHERE d.k IS NOT NULL),
    due AS (SELECT k, (SELECT x.next_attempt_at FROM jobs x INDEXED BY jobs_destination WHERE x.state = 'pending' AND x.destination_key = d.k
                       ORDER BY x.next_attempt_at LIMIT 1) AS at FROM d WHERE k IS NOT NULL AND k NOT IN (SELECT value FROM json_each(@skip)))
    SELECT k, at FROM due WHERE at <= @now ORDER BY at`,
  inDestination: `
    SELECT j.id, j.next_attempt_at AS at, j.destination_key AS k FROM jobs j INDEXED BY jobs_destination JOIN events e ON e.event_id = j.event_id
    WHERE j.destination_key = @dest AND ${CLAIMABLE}
    ORDER BY j.next_attempt_at, j.id LIMIT CAST(@limit AS INTEGER)`,
  lease: 'UPDATE jobs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?',
  load: `SELECT ${DELIVERY_JOB_COLUMNS} FROM jobs j JOIN events e ON e.event_id = j.event_id WHERE j.id = ?`,
};

/** Opens (creating if needed) the SQLite store at `path` (`:memory:` for a throwaway one). */
export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Every commit is NORMAL; an append then syncs the write-ahead log itself before it resolves (see durably()).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  return new SqliteStore(db, path === ':memory:' ? null : `${path}-wal`);
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  /** Pacing lives in memory: one process owns an SQLite store's deliveries. */
  private readonly pacing = new Map<string, Bucket>();

  private readonly statements = new Map<string, Database.Statement>();

  /** Groups, held deliveries and reminders (sqlite-timers.ts). */
  private readonly timers: SqliteTimers;

  /** The write-ahead log, opened once to sync it (durably()); null for an in-memory store. */
  private wal: Promise<FileHandle> | null = null;

  constructor(private readonly db: Database.Database, private readonly walPath: string | null) {
    this.timers = new SqliteTimers(db);
  }

  /**
   * Prepared once, reused: preparing costs more than running these small statements.
   * Never write a bare `LIMIT ?`: SQLite (3.47+) plans with the bound limit and marks the statement
   * to be re-prepared whenever it is bound again, so every run would pay a full prepare (the claim
   * cost 85 µs instead of 5). `LIMIT CAST(? AS INTEGER)` keeps the plan.
   */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs a write transaction, committed with synchronous=NORMAL: in WAL mode that survives a process crash, and
   * is made durable by the next sync. Losing job bookkeeping to power loss costs at most a duplicate delivery,
   * never a lost event. Only the inbox needs more (durably()).
   */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * A write that must survive power loss before the caller answers (an acknowledged webhook): committed as any
   * other, then the write-ahead log is fsynced on libuv's thread pool. The same guarantee as synchronous=FULL, whose
   * only difference in WAL mode is that sync at commit (SQLite syncs the log before every checkpoint and the database
   * after it either way), but the event loop is not stopped for the disk (0.5–0.6 ms a commit on the benchmark's
   * machine): requests are read meanwhile, and join the next commit.
   */
  private async durably<T>(fn: () => T): Promise<T> {
    const result = this.write(fn);
    if (this.walPath) {
      // Opened after the first commit, which creates the log if it was not there.
      this.wal ??= open(this.walPath, 'r').catch((err: unknown) => {
        this.wal = null;
        throw err;
      });
      await (await this.wal).datasync();
    }
    return result;
  }

  async migrate(): Promise<void> {
    this.write(() => applySqliteMigrations(this.db));
  }

  async close(): Promise<void> {
    const wal = this.wal;
    this.wal = null;
    await (await wal?.catch(() => undefined))?.close();
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  // Inbox

  async appendEvents(batch: NewEvent[]): Promise<AppendResult[]> {
    const findKey = this.stmt('SELECT event_id, until FROM dedup WHERE key = ?');
    const putKey = this.stmt('INSERT INTO dedup (key, event_id, until) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, until = excluded.until');
    // An event routed as it is stored goes in routed, with its labels: never into the unrouted index, no second write.
    const insert = this.stmt(`INSERT INTO events (event_id, type, id, group_id, status, received_at, unknown_type, unknown_status, raw, routed, labels)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return this.durably(() =>
      batch.map(({ event: e, dedupKey, dedupUntil, preRouted }): AppendResult => {
        const existing = findKey.get(dedupKey) as { event_id: string; until: number } | undefined;
        if (existing && existing.until > e.receivedAt) return { duplicate: true, eventId: existing.event_id };
        putKey.run(dedupKey, e.eventId, dedupUntil);
        const seq = insert.run(e.eventId, e.type, e.id, e.groupId, e.status, e.receivedAt, e.unknownType ? 1 : 0, e.unknownStatus ? 1 : 0,
          JSON.stringify(e.raw), preRouted ? 1 : 0, preRouted ? JSON.stringify(preRouted.labels) : null).lastInsertRowid;
        if (preRouted) this.addJobs(e.eventId, Number(seq), preRouted.jobs, e.receivedAt);
        return { duplicate: false, eventId: e.eventId };
      }));
  }

  /** One process owns this store and routes one batch at a time: the lease (for replicas) is not needed. */
  async unroutedEvents(limit: number): Promise<AverEvent[]> {
    const found = this.stmt(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.routed = 0 ORDER BY e.seq LIMIT CAST(? AS INTEGER)`).all(limit) as EventRow[];
    return found.map(decode.event);
  }

  async routeEvents(results: RouteResult[], now: number): Promise<void> {
    if (results.length === 0) return;
    this.write(() => {
      for (const r of results) this.routeOne(r.eventId, r.labels, r.details, r.jobs, now);
    });
  }

  async parkEvent(parked: ParkedEvent, now: number): Promise<void> {
    const p = storableCopy(parked);
    this.write(() => {
      if (!this.routeOne(p.eventId, p.labels, null, p.jobs, now)) return;
      this.stmt(`UPDATE jobs SET state = 'dead', last_reason = ?, updated_at = ? WHERE event_id = ? AND state = 'pending'`).run(p.reason, now, p.eventId);
    });
  }

  /** Marks the event routed and enqueues its jobs, inside the caller's transaction; false (nothing done) if already routed. */
  private routeOne(eventId: string, labels: Labels, details: EventDetails | null, jobs: NewJob[], now: number): boolean {
    const mark = this.stmt('UPDATE events SET routed = 1, labels = ?, details = ? WHERE event_id = ? AND routed = 0 RETURNING seq');
    const marked = mark.get(JSON.stringify(labels), details ? JSON.stringify(details) : null, eventId) as { seq: number } | undefined;
    if (!marked) return false;
    this.addJobs(eventId, marked.seq, jobs, now);
    return true;
  }

  /** Enqueues a routed event's jobs, inside the caller's transaction. */
  private addJobs(eventId: string, seq: number, jobs: NewJob[], now: number): void {
    const insert = this.stmt(`INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const j of jobs) {
      // A job of a grouping or muted route waits in its group instead (sqlite-timers.ts).
      if (j.timers) this.timers.routeTimed(eventId, j, now);
      if (!j.timers?.group) insert.run(eventId, seq, j.receiver, j.entityKey, j.destinationKey, now, now, now);
    }
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const row = this.stmt(`SELECT ${STORED_EVENT_COLUMNS} FROM events e WHERE e.event_id = ?`).get(eventId) as StoredEventRow | undefined;
    return row ? decode.storedEvent(row) : null;
  }

  async recentEvents(limit: number): Promise<StoredEvent[]> {
    const found = this.stmt(`SELECT ${STORED_EVENT_COLUMNS} FROM events e ORDER BY e.seq DESC LIMIT CAST(? AS INTEGER)`).all(limit) as StoredEventRow[];
    return found.map(decode.storedEvent);
  }

  async entityHistory(id: string, type?: string): Promise<EntityHistory> {
    return this.history(id, type);
  }

  private history(id: string, type?: string): EntityHistory {
    const found = (type
      ? this.stmt('SELECT event_id, type, group_id, status, received_at FROM events WHERE id = ? AND type = ? ORDER BY seq').all(id, type)
      : this.stmt('SELECT event_id, type, group_id, status, received_at FROM events WHERE id = ? ORDER BY seq').all(id)) as Array<
      Pick<EventRow, 'event_id' | 'type' | 'group_id' | 'status' | 'received_at'>
    >;
    return found.map((r) => ({ status: r.status, at: r.received_at, type: r.type, eventId: r.event_id, groupId: r.group_id }));
  }

  // Delivery jobs

  async claimJobs(o: ClaimOptions): Promise<DeliveryJob[]> {
    const lease = this.stmt(CLAIM.lease);
    const load = this.stmt(CLAIM.load);
    // One process writes at a time, so the pick and the leases cannot interleave with another claim.
    const withContext = new Set(o.withContext);
    return this.write(() => this.pickClaimable(o).map((id) => {
      lease.run(o.owner, o.now + o.leaseMs, o.now, id);
      const job = decode.deliveryJob(load.get(id) as DeliveryJobRow);
      if (withContext.has(job.receiver)) {
        job.context = { previous: this.messageRef(job.receiver, job.entityKey), history: this.history(job.event.id, job.event.type) };
      }
      return job;
    }));
  }

  /** The ids of up to `o.limit` claimable jobs (claim-rule.ts), earliest due first, at most `o.perDestination` of a destination. */
  private pickClaimable(o: ClaimOptions): number[] {
    const params = { now: o.now, receivers: o.receivers ? JSON.stringify(o.receivers) : null, skip: JSON.stringify(o.skipDestinations ?? []) };
    const cap = Math.max(1, Math.min(o.limit, o.perDestination ?? o.limit));
    type Row = { id: number; at: number; k: string };
    const b = this.stmt(CLAIM.bound).get(o.now) as Row | undefined;
    const first = capPerDestination(
      this.stmt(CLAIM.inWindow).all({ ...params, limit: o.limit, boundAt: b?.at ?? o.now, boundId: b?.id ?? Number.MAX_SAFE_INTEGER }) as Row[], cap);
    if (first.length >= o.limit || !b) return first.map((r) => r.id);
    // Destinations the first look filled to their share are not read again (with one busy channel, that second read
    // of its window was most of a claim's cost): their jobs stay as found; the others are read destination by destination.
    const full = destinationsAtCap(first, cap);
    let found = first.filter((r) => full.has(r.k));
    const skip = JSON.stringify([...(o.skipDestinations ?? []), ...full]);
    for (const { k, at } of this.stmt(CLAIM.destinations).all({ now: o.now, skip }) as Array<{ k: string; at: number }>) {
      // Every job of this destination and the ones after it is due at `at` or later.
      if (found.length >= o.limit && found[o.limit - 1].at < at) break;
      found = found.concat(this.stmt(CLAIM.inDestination).all({ ...params, dest: k, limit: cap }) as Row[]);
      found.sort((x, y) => x.at - y.at || x.id - y.id);
    }
    return found.slice(0, o.limit).map((r) => r.id);
  }

  async completeJobs(items: CompletedJob[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    const putRef = this.stmt(`INSERT INTO message_refs (receiver, entity_key, ref) VALUES (?, ?, ?)
      ON CONFLICT (receiver, entity_key) DO UPDATE SET ref = excluded.ref`);
    const complete = this.stmt(`UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ?,
        history = json_insert(history, '$[#]', json(?)), last_reason = NULL
      WHERE id = ? AND state = 'pending' AND lease_owner = ?`);
    return this.write(() => items.map((i) => {
      if (i.messageRef) putRef.run(i.messageRef.receiver, i.messageRef.entityKey, JSON.stringify(i.messageRef.ref));
      return complete.run(i.now, JSON.stringify(i.attempt), i.jobId, i.owner).changes === 1;
    }));
  }

  async retryJob(jobId: number, owner: string, attempt: AttemptRecord, nextAttemptAt: number): Promise<boolean> {
    return this.write(() => this.stmt(`UPDATE jobs SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?,
        history = json_insert(history, '$[#]', json(?)), last_reason = ?
      WHERE id = ? AND state = 'pending' AND lease_owner = ?`).run(nextAttemptAt, attempt.at, JSON.stringify(attempt), attempt.reason ?? null, jobId, owner).changes === 1);
  }

  async deadLetterJob(jobId: number, owner: string | null, attempt: AttemptRecord | null, reason: string, now: number): Promise<boolean> {
    return this.write(() => this.stmt(`UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, updated_at = ?,
        history = CASE WHEN ? IS NULL THEN history ELSE json_insert(history, '$[#]', json(?)) END, last_reason = ?
      WHERE id = ? AND state = 'pending' AND (? IS NULL OR lease_owner = ?)`).run(now, attempt && JSON.stringify(attempt), attempt && JSON.stringify(attempt), reason, jobId, owner, owner).changes === 1);
  }

  async releaseJob(jobId: number, owner: string, nextAttemptAt: number): Promise<boolean> {
    return this.stmt(`UPDATE jobs SET ${GIVE_BACK_LEASE}, next_attempt_at = ? WHERE id = ? AND state = 'pending' AND lease_owner = ?`)
      .run(nextAttemptAt, jobId, owner).changes === 1;
  }

  async releaseLeases(owner: string): Promise<number> {
    return this.stmt(`UPDATE jobs SET ${GIVE_BACK_LEASE} WHERE lease_owner = ? AND state = 'pending'`).run(owner).changes;
  }

  // Admin queries

  private jobRecords(where: string, ...params: unknown[]): JobRecord[] {
    const found = this.stmt(`SELECT ${JOB_RECORD_COLUMNS} FROM jobs j JOIN events e ON e.event_id = j.event_id ${where}`).all(...params) as JobRecordRow[];
    return found.map(decode.jobRecord);
  }

  async getJob(jobId: number): Promise<JobRecord | null> {
    return this.jobRecords('WHERE j.id = ?', jobId)[0] ?? null;
  }

  async jobsForEvent(eventId: string): Promise<JobRecord[]> {
    return this.jobRecords('WHERE j.event_id = ? ORDER BY j.id', eventId);
  }

  async listJobs(f: { state?: JobState; receiver?: string; limit: number }): Promise<JobRecord[]> {
    return this.jobRecords('WHERE (? IS NULL OR j.state = ?) AND (? IS NULL OR j.receiver = ?) ORDER BY j.id DESC LIMIT CAST(? AS INTEGER)',
      f.state ?? null, f.state ?? null, f.receiver ?? null, f.receiver ?? null, f.limit);
  }

  async queueStats(_now: number) {
    const pending = this.stmt(`SELECT receiver, COUNT(*) AS n FROM jobs INDEXED BY jobs_age WHERE state = 'pending' GROUP BY receiver`).all() as Array<{ receiver: string; n: number }>;
    const dead = this.stmt(`SELECT receiver, COUNT(*) AS n FROM jobs INDEXED BY jobs_dead WHERE state = 'dead' GROUP BY receiver`).all() as Array<{ receiver: string; n: number }>;
    const oldest = this.stmt(`SELECT MIN(created_at) AS at FROM jobs INDEXED BY jobs_age WHERE state = 'pending' AND receiver = ?`);
    const receivers = [...new Set([...pending, ...dead].map((r) => r.receiver))].sort();
    return receivers.map((receiver) => {
      const p = pending.find((r) => r.receiver === receiver)?.n ?? 0;
      return {
        receiver,
        pending: p,
        oldestCreatedAt: p > 0 ? ((oldest.get(receiver) as { at: number }).at) : null,
        dead: dead.find((r) => r.receiver === receiver)?.n ?? 0,
      };
    });
  }

  async retryDeadLetter(jobId: number, now: number): Promise<boolean> {
    return this.stmt(`UPDATE jobs SET state = 'pending', next_attempt_at = ?, updated_at = ?, created_at = ? WHERE id = ? AND state = 'dead'`)
      .run(now, now, now, jobId).changes === 1;
  }

  async retryAllDeadLetters(now: number, receiver?: string): Promise<number> {
    return this.stmt(`UPDATE jobs SET state = 'pending', next_attempt_at = ?, updated_at = ?, created_at = ? WHERE state = 'dead' AND (? IS NULL OR receiver = ?)`)
      .run(now, now, now, receiver ?? null, receiver ?? null).changes;
  }

  async purgeDeadLetters(olderThan: number): Promise<number> {
    return this.stmt(`DELETE FROM jobs WHERE state = 'dead' AND updated_at < ?`).run(olderThan).changes;
  }

  // Housekeeping

  async pruneDedup(now: number): Promise<number> {
    return this.stmt('DELETE FROM dedup WHERE until <= ?').run(now).changes;
  }

  async pruneDelivered(before: number, limit: number): Promise<{ jobs: number; events: number }> {
    return this.write(() => ({
      jobs: this.stmt(`DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs INDEXED BY jobs_done WHERE state = 'done' AND updated_at < ? ORDER BY updated_at, id LIMIT CAST(? AS INTEGER))`).run(before, limit).changes,
      // Events arrive in seq order: the scan stops at the first one inside the retention (no index on received_at).
      events: this.stmt(`DELETE FROM events WHERE seq IN (
        SELECT e.seq FROM events e
        WHERE e.seq < coalesce((SELECT seq FROM events WHERE received_at >= @before ORDER BY seq LIMIT 1), 9223372036854775807)
          AND e.received_at < @before AND e.routed = 1
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.event_id)
          AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.event_id = e.event_id AND m.sent = 0)
          AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.event_id = e.event_id)
        ORDER BY e.seq LIMIT CAST(@limit AS INTEGER))`).run({ before, limit }).changes,
    }));
  }

  async deadLetterReceivers(receivers: string[], reason: string, now: number, createdBefore?: number): Promise<number> {
    if (receivers.length === 0) return 0;
    return this.stmt(`UPDATE jobs SET state = 'dead', last_reason = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE state = 'pending' AND receiver IN (SELECT value FROM json_each(?)) AND created_at < ?`)
      .run(reason, now, JSON.stringify(receivers), createdBefore ?? Number.MAX_SAFE_INTEGER).changes;
  }

  // Pacing

  async takeSendSlot(key: string, now: number, intervalMs: number, burst: number) {
    const { answer, bucket } = takeSlot(this.pacing.get(key), now, intervalMs, burst);
    if (answer.ok) this.pacing.set(key, bucket);
    return answer;
  }

  async pauseDestination(key: string, until: number): Promise<void> {
    const s = this.pacing.get(key) ?? { tat: 0, pausedUntil: 0 };
    this.pacing.set(key, { tat: s.tat, pausedUntil: Math.max(s.pausedUntil, until) });
  }

  // Message references

  async getMessageRef(receiver: string, entityKey: string): Promise<MessageRef | null> {
    return this.messageRef(receiver, entityKey);
  }

  private messageRef(receiver: string, entityKey: string): MessageRef | null {
    const row = this.stmt('SELECT ref FROM message_refs WHERE receiver = ? AND entity_key = ?').get(receiver, entityKey) as { ref: string } | undefined;
    return row ? JSON.parse(row.ref) : null;
  }

  // Check states and actions

  async getCheckState(entityKey: string): Promise<CheckState | null> {
    const row = this.stmt('SELECT state FROM check_states WHERE entity_key = ?').get(entityKey) as { state: string } | undefined;
    return row ? JSON.parse(row.state) : null;
  }

  async recordCheckAction(write: CheckActionWrite): Promise<CheckActionResult> {
    const w = storableCopy(write);
    const a = w.action;
    const insertJob = this.stmt(`INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, next_attempt_at, created_at, updated_at, action_id)
      VALUES (?, (SELECT seq FROM events WHERE event_id = ?), ?, ?, ?, ?, ?, ?, ?)`);
    return this.write(() => {
      const row = this.stmt('SELECT state FROM check_states WHERE entity_key = ?').get(a.entityKey) as { state: string } | undefined;
      const previous: CheckState = row ? JSON.parse(row.state) : {};
      const { changed, state } = applyCheckAction(previous, a);
      if (!changed) return { changed, previous, state };
      this.stmt(`INSERT INTO check_states (entity_key, state, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (entity_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`).run(a.entityKey, JSON.stringify(state), a.at);
      const id = Number(this.stmt('INSERT INTO check_actions (entity_key, kind, at, data) VALUES (?, ?, ?, ?)')
        .run(a.entityKey, a.kind, a.at, JSON.stringify(actionData(a, state))).lastInsertRowid);
      for (const j of w.jobs) {
        if (!this.stmt('SELECT 1 FROM events WHERE event_id = ?').get(j.eventId)) continue;
        insertJob.run(j.eventId, j.eventId, j.receiver, j.entityKey, j.destinationKey, a.at, a.at, a.at, id);
      }
      return { changed, previous, state, record: { ...a, id, state } };
    });
  }

  async getCheckAction(id: number): Promise<CheckActionRecord | null> {
    const row = this.stmt('SELECT id, entity_key, kind, at, data FROM check_actions WHERE id = ?').get(id) as CheckActionRow | undefined;
    return row ? actionRecord({ ...row, data: JSON.parse(row.data as string) }) : null;
  }

  async checkActions(entityKeys: string[], limit: number): Promise<CheckActionRecord[]> {
    if (entityKeys.length === 0) return [];
    const found = this.stmt(`SELECT * FROM (SELECT id, entity_key, kind, at, data FROM check_actions
      WHERE entity_key IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT CAST(? AS INTEGER)) ORDER BY id`).all(JSON.stringify(entityKeys), limit) as CheckActionRow[];
    return found.map((r) => actionRecord({ ...r, data: JSON.parse(r.data as string) }));
  }

  // Teams installations

  async putInstallation(i: TeamsInstallation): Promise<void> {
    this.stmt(`INSERT INTO installations (team_id, channel_id, data, removed, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (team_id, channel_id) DO UPDATE SET data = excluded.data, removed = excluded.removed, updated_at = excluded.updated_at`)
      .run(i.teamId, i.channelId, JSON.stringify(i), i.removed ? 1 : 0, i.updatedAt);
  }

  async removeInstallation(teamId: string, now: number): Promise<void> {
    this.stmt('UPDATE installations SET removed = 1, updated_at = ? WHERE team_id = ?').run(now, teamId);
  }

  async listInstallations(): Promise<TeamsInstallation[]> {
    const found = this.stmt('SELECT data, removed, updated_at FROM installations ORDER BY team_id, channel_id').all() as Array<{ data: string; removed: number; updated_at: number }>;
    return found.map((r) => ({ ...JSON.parse(r.data), removed: r.removed === 1, updatedAt: r.updated_at }));
  }

  // Groups, held deliveries and reminders (timers.ts), kept by sqlite-timers.ts

  claimDueGroups: Timers['claimDueGroups'] = (o) => this.timers.claimDueGroups(o);
  deferGroup: Timers['deferGroup'] = (...a) => this.timers.deferGroup(...a);
  flushGroup: Timers['flushGroup'] = (...a) => this.timers.flushGroup(...a);
  groupDigest: Timers['groupDigest'] = (...a) => this.timers.groupDigest(...a);
  claimDueReminders: Timers['claimDueReminders'] = (o) => this.timers.claimDueReminders(o);
  deferReminder: Timers['deferReminder'] = (...a) => this.timers.deferReminder(...a);
  fireReminder: Timers['fireReminder'] = (...a) => this.timers.fireReminder(...a);
  timerStats: Timers['timerStats'] = (now) => this.timers.timerStats(now);
  listHeld: Timers['listHeld'] = (...a) => this.timers.listHeld(...a);
  pruneGroups: Timers['pruneGroups'] = (...a) => this.timers.pruneGroups(...a);
}

/** The rows in order, keeping at most `cap` of each destination. */
/** The destinations with `cap` or more of `rows`. */
function destinationsAtCap(rows: Array<{ k: string }>, cap: number): Set<string> {
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.k, (count.get(r.k) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n >= cap).map(([k]) => k));
}

function capPerDestination<R extends { k: string }>(rows: R[], cap: number): R[] {
  const taken = new Map<string, number>();
  return rows.filter((r) => {
    const n = taken.get(r.k) ?? 0;
    taken.set(r.k, n + 1);
    return n < cap;
  });
}
