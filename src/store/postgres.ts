import pg from 'pg';
import { bookkeepingQuery, inTransaction, type TransactionOptions } from './pg-transaction.js';
import type { Logger } from 'pino';
import type { AverEvent } from '../model/event.js';
import { BridgeError } from '../errors.js';
import type { AttemptRecord, DeliveryJob, EntityHistory, JobRecord, JobState, MessageRef } from '../model/job.js';
import { GIVE_BACK_LEASE } from './claim-rule.js';
import { claimAnswer, claimQuery, claimUnprepared, PlannerStatistics } from './postgres-claim.js';
import { WorkListener, workChannel, type WorkKind } from './postgres-notify.js';
import { applyPostgresMigrations } from './postgres-migrations.js';
import { PostgresTimers, routeTimedJobs } from './postgres-timers.js';
import type { Timers } from './timers.js';
import {
  EVENT_COLUMNS, JOB_RECORD_COLUMNS, POSTGRES_COLUMNS, rowMappers, STORED_EVENT_COLUMNS,
  type DeliveryJobRow, type EventRow, type JobRecordRow, type StoredEventRow,
} from './rows.js';
import { burstTolerance, slotWait } from './send-slot.js';
import { storableCopy } from './storable.js';
import type { AppendResult, CheckActionResult, CheckActionWrite, ClaimOptions, CompletedJob, NewEvent, ParkedEvent, RouteResult, StoredEvent, Store, TeamsInstallation } from './store.js';
import type { CheckActionRecord, CheckState } from '../model/check-state.js';
import { applyCheckAction } from './check-rule.js';
import { actionData, actionRecord, type CheckActionRow } from './check-rows.js';

export interface PostgresStoreOptions {
  logger?: Logger;
  /** Connections per replica (default 10). */
  poolSize?: number;
  /** Schema that holds the tables, created by migrate(); also read from the URL's `?schema=`. Default: the server's search_path. */
  schema?: string;
}

// Namespace of every advisory lock this store takes ("aver" in ASCII), so other users of the database are not blocked.
const LOCK_NAMESPACE = 0x61766572;

const decode = rowMappers(POSTGRES_COLUMNS);

/** A claimed job's row: the job, and its context when its receiver was asked for one (postgres-claim.ts). */
interface ClaimedRow extends DeliveryJobRow {
  with_context: boolean;
  context_ref: MessageRefRow | null;
  context_history: EntityHistory | null;
}

interface MessageRefRow {
  channel: string;
  messageId: string;
  extra: Record<string, unknown> | null;
}

/** A message reference as the receivers know it: no `extra` when none was stored. */
function messageRefOf(r: MessageRefRow): MessageRef {
  return r.extra === null ? { channel: r.channel, messageId: r.messageId } : { channel: r.channel, messageId: r.messageId, extra: r.extra };
}

/** For the queue's own writes: safe to lose to a server crash (pg-transaction.ts), so not waiting for the WAL flush. */
const BOOKKEEPING: TransactionOptions = { bookkeeping: true };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Opens the PostgreSQL store for `url` (postgres://user:pass@host:5432/db[?schema=name]) and checks the server answers. */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const { connectionString, schema: urlSchema } = splitSchema(url);
  const schema = opts.schema ?? urlSchema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new BridgeError('store_schema_invalid', `storage: schema "${schema}" is not a plain identifier (letters, digits, _)`);
  }
  // Commits wait for their WAL flush (the server's synchronous_commit) unless the write opts out: the queue's own
  // bookkeeping does (bookkeepingQuery, inTransaction's `bookkeeping`, the claim; pg-transaction.ts says why that is
  // safe). This way round because a write left out of the list only pays an fsync, where a pool with the setting off
  // would let a write left out of the other list (an acknowledged webhook, an operator's action) be lost silently.
  // The durable writes also keep whatever the operator set (remote_apply with a standby, say).
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // bigint columns (ids, epoch milliseconds, counts) fit a JS number; parse them as numbers for this pool only.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => opts.logger?.warn({ err: { message: err.message, code: (err as Error & { code?: string }).code } }, 'postgres: idle connection lost'));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new BridgeError('store_unreachable', `storage: cannot reach PostgreSQL at ${describeUrl(connectionString)}: ${(err as Error).message}`, { cause: err });
  }
  const work = new WorkListener({ connectionString, ...(schema ? { options: `-c search_path=${schema}` } : {}) }, workChannel(schema ?? 'public'), opts.logger);
  return new PostgresStore(pool, schema ?? 'public', schema !== undefined, work);
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;

  /** Keeps the planner's statistics fresh (ANALYZE), for the claim above all. */
  private readonly statistics: PlannerStatistics;

  /** Groups, held deliveries and reminders (postgres-timers.ts). */
  private readonly timers: PostgresTimers;

  constructor(private readonly pool: pg.Pool, private readonly schema: string, private readonly createSchema: boolean, private readonly work: WorkListener) {
    this.timers = new PostgresTimers(pool);
    this.statistics = new PlannerStatistics(pool);
  }

  watchWork(listener: (kind: WorkKind) => void): () => void {
    return this.work.add(listener);
  }

  // Groups, held deliveries and reminders (timers.ts), kept by postgres-timers.ts
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

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Replicas starting together queue here; the first applies the steps, the others find them applied.
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, `migrate:${this.schema}`]);
      // Create the schema only when it is missing: CREATE SCHEMA IF NOT EXISTS needs the database's CREATE
      // right even when the schema exists, which a role that only owns its schema does not have.
      if (this.createSchema) {
        const { rowCount } = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
        if (rowCount === 0) await c.query(`CREATE SCHEMA "${this.schema}"`);
      }
      await applyPostgresMigrations(c);
    });
    this.statistics.start();
  }

  async close(): Promise<void> {
    this.statistics.stop();
    await this.work.close();
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  // Inbox

  async appendEvents(batch: NewEvent[]): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    // The first occurrence of each key goes to the database; repeats inside the batch are settled against it below.
    const first = new Map<string, number>();
    batch.forEach((n, i) => { if (!first.has(n.dedupKey)) first.set(n.dedupKey, i); });
    const firsts = [...first.values()].map((i) => batch[i]);

    const appended = await this.tx(async (c) => {
      // A key is taken when absent or when its window has passed (until <= the new event's receipt).
      // Rows go in key order so concurrent batches lock keys in the same order and cannot deadlock.
      const taken = await c.query(
        `INSERT INTO dedup (key, event_id, until, received_at)
         SELECT k, e, u, r FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS t(k, e, u, r) ORDER BY k
         ON CONFLICT (key) DO UPDATE SET event_id = EXCLUDED.event_id, until = EXCLUDED.until, received_at = EXCLUDED.received_at
           WHERE dedup.until <= EXCLUDED.received_at
         RETURNING key`,
        [firsts.map((n) => n.dedupKey), firsts.map((n) => n.event.eventId), firsts.map((n) => n.dedupUntil), firsts.map((n) => n.event.receivedAt)],
      );
      const takenKeys = new Set(taken.rows.map((r) => r.key as string));
      const live = new Map<string, { eventId: string; until: number }>();
      const heldKeys = firsts.map((n) => n.dedupKey).filter((k) => !takenKeys.has(k));
      if (heldKeys.length > 0) {
        // A new statement sees the rows concurrent batches committed while we waited on their keys.
        const held = await c.query('SELECT key, event_id, until FROM dedup WHERE key = ANY($1::text[])', [heldKeys]);
        for (const r of held.rows) live.set(r.key, { eventId: r.event_id, until: r.until });
      }

      const results: AppendResult[] = [];
      const fresh: NewEvent[] = [];
      const retaken = new Map<string, NewEvent>();
      batch.forEach((n, i) => {
        const current = live.get(n.dedupKey);
        if (!(first.get(n.dedupKey) === i && takenKeys.has(n.dedupKey))) {
          if (current && current.until > n.event.receivedAt) {
            results.push({ duplicate: true, eventId: current.eventId });
            return;
          }
          // A repeat inside the batch after the window passed, or a held key pruned between the two statements.
          retaken.set(n.dedupKey, n);
        }
        fresh.push(n);
        live.set(n.dedupKey, { eventId: n.event.eventId, until: n.dedupUntil });
        results.push({ duplicate: false, eventId: n.event.eventId });
      });

      if (retaken.size > 0) {
        const rs = [...retaken.values()];
        await c.query(
          `INSERT INTO dedup (key, event_id, until, received_at)
           SELECT k, e, u, r FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS t(k, e, u, r) ORDER BY k
           ON CONFLICT (key) DO UPDATE SET event_id = EXCLUDED.event_id, until = EXCLUDED.until, received_at = EXCLUDED.received_at`,
          [rs.map((n) => n.dedupKey), rs.map((n) => n.event.eventId), rs.map((n) => n.dedupUntil), rs.map((n) => n.event.receivedAt)],
        );
      }
      // Every replica's router (or, for events routed as they were stored, worker) wakes when this commits (postgres-notify.ts).
      if (fresh.length > 0) await insertEvents(c, fresh, workChannel(this.schema));
      return results;
    });
    this.statistics.jobsAdded(batch.reduce((n, e) => n + (e.preRouted?.jobs.length ?? 0), 0));
    return appended;
  }

  async unroutedEvents(limit: number, lease?: { now: number; until: number }): Promise<AverEvent[]> {
    if (!lease) {
      const found = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events e WHERE NOT e.routed ORDER BY e.seq LIMIT $1`, [limit]);
      return found.rows.map(decode.event);
    }
    const taken = await bookkeepingQuery<EventRow & { seq: number }>(this.pool,
      `UPDATE events e SET routing_until = $3 WHERE e.seq IN (
         SELECT seq FROM events WHERE NOT routed AND routing_until <= $2 ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING e.seq, ${EVENT_COLUMNS}`,
      [limit, lease.now, lease.until],
    );
    return taken.rows.sort((a, b) => a.seq - b.seq).map(decode.event);
  }

  async routeEvents(results: RouteResult[], now: number): Promise<void> {
    if (results.length === 0) return;
    await this.tx(async (c) => {
      await routeIn(c, results.map((r) => ({ ...r, now })));
      // Every replica's worker wakes when this commits (postgres-notify.ts).
      if (results.some((r) => r.jobs.length > 0)) await c.query('SELECT pg_notify($1, $2)', [workChannel(this.schema), 'jobs']);
    }, BOOKKEEPING);
    this.statistics.jobsAdded(results.reduce((n, r) => n + r.jobs.length, 0));
  }

  async parkEvent(parked: ParkedEvent, now: number): Promise<void> {
    const p = storableCopy(parked);
    await this.tx(async (c) => {
      const marked = await routeIn(c, [{ eventId: p.eventId, labels: p.labels, details: null, jobs: p.jobs, now }]);
      if (!marked.has(p.eventId)) return;
      await c.query(`UPDATE jobs SET state = 'dead', last_reason = $2, updated_at = $3 WHERE event_id = $1 AND state = 'pending'`, [p.eventId, p.reason, now]);
    }, BOOKKEEPING);
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const found = await this.pool.query<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM events e WHERE e.event_id = $1`, [eventId]);
    return found.rows.length ? decode.storedEvent(found.rows[0]) : null;
  }

  async recentEvents(limit: number): Promise<StoredEvent[]> {
    const found = await this.pool.query<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM events e ORDER BY e.seq DESC LIMIT $1`, [limit]);
    return found.rows.map(decode.storedEvent);
  }

  async entityHistory(id: string, type?: string) {
    type Row = Pick<EventRow, 'event_id' | 'type' | 'group_id' | 'status' | 'received_at'>;
    const found = type === undefined
      ? await this.pool.query<Row>('SELECT event_id, type, group_id, status, received_at FROM events WHERE id = $1 ORDER BY seq', [id])
      : await this.pool.query<Row>('SELECT event_id, type, group_id, status, received_at FROM events WHERE type = $2 AND id = $1 ORDER BY seq', [id, type]);
    return found.rows.map((r) => ({ status: r.status, at: r.received_at, type: r.type, eventId: r.event_id, groupId: r.group_id }));
  }

  async pruneDedup(now: number): Promise<number> {
    const r = await bookkeepingQuery(this.pool, 'DELETE FROM dedup WHERE until <= $1', [now]);
    return r.rowCount ?? 0;
  }

  async pruneDelivered(before: number, limit: number): Promise<{ jobs: number; events: number }> {
    return this.tx(async (c) => {
      const jobs = await c.query(
        `DELETE FROM jobs WHERE id IN (
           SELECT id FROM jobs WHERE state = 'done' AND updated_at < $1 ORDER BY updated_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [before, limit],
      );
      // Replicas pruning at once take different rows (SKIP LOCKED). An event being routed is not routed yet. Events
      // arrive in seq order: the scan stops at the first one inside the retention (no index on received_at).
      const events = await c.query(
        `DELETE FROM events WHERE seq IN (
           SELECT e.seq FROM events e
           WHERE e.seq < coalesce((SELECT seq FROM events WHERE received_at >= $1 ORDER BY seq LIMIT 1), 9223372036854775807)
             AND e.received_at < $1 AND e.routed
             AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.event_id = e.event_id)
             AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.event_id = e.event_id AND NOT m.sent)
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.event_id = e.event_id)
           ORDER BY e.seq LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [before, limit],
      );
      return { jobs: jobs.rowCount ?? 0, events: events.rowCount ?? 0 };
    }, BOOKKEEPING);
  }

  // Delivery jobs

  async claimJobs(o: ClaimOptions): Promise<DeliveryJob[]> {
    if (o.limit <= 0) return [];
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // One round trip; the lock is held for the claim's statement only (postgres-claim.ts).
      const results = (await c.query(claimQuery(o, [LOCK_NAMESPACE, `claim:${this.schema}`], c))) as unknown as pg.QueryResult[];
      const { rows, jobsBytes } = claimAnswer<ClaimedRow>(results);
      this.statistics.claimSaw(jobsBytes);
      return rows.sort((a, b) => a.id - b.id).map((r) => {
        const job = decode.deliveryJob(r);
        if (r.with_context) job.context = { previous: r.context_ref && messageRefOf(r.context_ref), history: r.context_history ?? [] };
        return job;
      });
    } catch (err) {
      // The connection may be inside the claim's transaction, with or without the claim prepared: not reused.
      claimUnprepared(c);
      broken = err as Error;
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async completeJobs(items: CompletedJob[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    return this.tx(async (c) => {
      const refs = items.flatMap((i) => (i.messageRef ? [i.messageRef] : []));
      // Later refs of the same (receiver, entity) win, as they would stored one after another in this order.
      const last = new Map(refs.map((r) => [`${r.receiver}\u0000${r.entityKey}`, r]));
      if (last.size > 0) {
        const rs = [...last.values()];
        await c.query(
          `INSERT INTO message_refs (receiver, entity_key, channel, message_id, extra)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])
           ON CONFLICT (receiver, entity_key) DO UPDATE SET channel = EXCLUDED.channel, message_id = EXCLUDED.message_id, extra = EXCLUDED.extra`,
          [rs.map((r) => r.receiver), rs.map((r) => r.entityKey), rs.map((r) => r.ref.channel), rs.map((r) => r.ref.messageId),
            rs.map((r) => (r.ref.extra === undefined ? null : JSON.stringify(r.ref.extra)))],
        );
      }
      // A job listed twice completes once, with its first item, as separate calls in this order would.
      const firsts = items.filter((i, k) => items.findIndex((o) => o.jobId === i.jobId) === k);
      const { rows } = await c.query(
        `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = x.now, last_reason = NULL,
           history = jobs.history || jsonb_build_array(x.attempt::jsonb)
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) AS x(id, owner, now, attempt)
         WHERE jobs.id = x.id AND jobs.state = 'pending' AND jobs.lease_owner = x.owner RETURNING jobs.id`,
        [firsts.map((i) => i.jobId), firsts.map((i) => i.owner), firsts.map((i) => i.now), firsts.map((i) => JSON.stringify(i.attempt))],
      );
      const done = new Set(rows.map((r: { id: string | number }) => Number(r.id)));
      return items.map((i) => firsts.includes(i) && done.has(i.jobId));
    }, BOOKKEEPING);
  }

  async retryJob(jobId: number, owner: string, attempt: AttemptRecord, nextAttemptAt: number): Promise<boolean> {
    const r = await bookkeepingQuery(this.pool,
      `UPDATE jobs SET next_attempt_at = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4, last_reason = $5,
         history = history || jsonb_build_array($6::jsonb)
       WHERE id = $1 AND state = 'pending' AND lease_owner = $2`,
      [jobId, owner, nextAttemptAt, attempt.at, attempt.reason ?? null, JSON.stringify(attempt)],
    );
    return r.rowCount === 1;
  }

  async deadLetterJob(jobId: number, owner: string | null, attempt: AttemptRecord | null, reason: string, now: number): Promise<boolean> {
    const r = await bookkeepingQuery(this.pool,
      `UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, updated_at = $4, last_reason = $5,
         history = CASE WHEN $3::jsonb IS NULL THEN history ELSE history || jsonb_build_array($3::jsonb) END
       WHERE id = $1 AND state = 'pending' AND ($2::text IS NULL OR lease_owner = $2)`,
      [jobId, owner, attempt === null ? null : JSON.stringify(attempt), now, reason],
    );
    return r.rowCount === 1;
  }

  async releaseJob(jobId: number, owner: string, nextAttemptAt: number): Promise<boolean> {
    const r = await bookkeepingQuery(this.pool,
      `UPDATE jobs SET ${GIVE_BACK_LEASE}, next_attempt_at = $3 WHERE id = $1 AND state = 'pending' AND lease_owner = $2`,
      [jobId, owner, nextAttemptAt],
    );
    return r.rowCount === 1;
  }

  async releaseLeases(owner: string): Promise<number> {
    const r = await bookkeepingQuery(this.pool,
      `UPDATE jobs SET ${GIVE_BACK_LEASE} WHERE lease_owner = $1 AND state = 'pending'`,
      [owner],
    );
    return r.rowCount ?? 0;
  }

  async getJob(jobId: number): Promise<JobRecord | null> {
    const found = await this.pool.query<JobRecordRow>(`${JOB_SELECT} WHERE j.id = $1`, [jobId]);
    return found.rows.length ? decode.jobRecord(found.rows[0]) : null;
  }

  async jobsForEvent(eventId: string): Promise<JobRecord[]> {
    const found = await this.pool.query<JobRecordRow>(`${JOB_SELECT} WHERE j.event_id = $1 ORDER BY j.id`, [eventId]);
    return found.rows.map(decode.jobRecord);
  }

  async listJobs(filter: { state?: JobState; receiver?: string; limit: number }): Promise<JobRecord[]> {
    const found = await this.pool.query<JobRecordRow>(
      `${JOB_SELECT} WHERE ($1::text IS NULL OR j.state = $1) AND ($2::text IS NULL OR j.receiver = $2) ORDER BY j.id DESC LIMIT $3`,
      [filter.state ?? null, filter.receiver ?? null, filter.limit],
    );
    return found.rows.map(decode.jobRecord);
  }

  async queueStats(_now: number) {
    const { rows } = await this.pool.query(
      `SELECT receiver,
              count(*) FILTER (WHERE state = 'pending') AS pending,
              min(created_at) FILTER (WHERE state = 'pending') AS oldest,
              count(*) FILTER (WHERE state = 'dead') AS dead
       FROM jobs WHERE state IN ('pending', 'dead') GROUP BY receiver ORDER BY receiver`,
    );
    return rows.map((r) => ({ receiver: r.receiver as string, pending: r.pending as number, oldestCreatedAt: (r.oldest ?? null) as number | null, dead: r.dead as number }));
  }

  async retryDeadLetter(jobId: number, now: number): Promise<boolean> {
    const r = await this.pool.query(`${REVIVE} WHERE id = $2 AND state = 'dead'`, [now, jobId]);
    return r.rowCount === 1;
  }

  async retryAllDeadLetters(now: number, receiver?: string): Promise<number> {
    const r = await this.pool.query(`${REVIVE} WHERE state = 'dead' AND ($2::text IS NULL OR receiver = $2)`, [now, receiver ?? null]);
    return r.rowCount ?? 0;
  }

  async purgeDeadLetters(olderThan: number): Promise<number> {
    const r = await this.pool.query(`DELETE FROM jobs WHERE state = 'dead' AND updated_at < $1`, [olderThan]);
    return r.rowCount ?? 0;
  }

  async deadLetterReceivers(receivers: string[], reason: string, now: number, createdBefore?: number): Promise<number> {
    if (receivers.length === 0) return 0;
    const r = await this.pool.query(
      `UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, updated_at = $3, last_reason = $2
       WHERE state = 'pending' AND receiver = ANY($1::text[]) AND created_at < $4`,
      [receivers, reason, now, createdBefore ?? Number.MAX_SAFE_INTEGER],
    );
    return r.rowCount ?? 0;
  }

  // Pacing

  async takeSendSlot(destinationKey: string, now: number, intervalMs: number, burst: number) {
    // GCRA: tat is the theoretical arrival time of the next send. The upsert locks the destination's row, so
    // every replica's takes are serialised and together never exceed the rate.
    const tolerance = burstTolerance(intervalMs, burst);
    const taken = await bookkeepingQuery(this.pool,
      `INSERT INTO pacing (destination_key, tat, paused_until) VALUES ($1, $2::float8 + $3::float8, 0)
       ON CONFLICT (destination_key) DO UPDATE SET tat = greatest(pacing.tat, $2::float8) + $3::float8
         WHERE greatest(pacing.tat, $2::float8) - $2::float8 <= $4::float8 AND pacing.paused_until <= $2::float8
       RETURNING tat`,
      [destinationKey, now, intervalMs, tolerance],
    );
    if (taken.rowCount === 1) return { ok: true } as const;
    const found = await this.pool.query<{ tat: number; paused_until: number }>('SELECT tat, paused_until FROM pacing WHERE destination_key = $1', [destinationKey]);
    const row = found.rows[0] ?? { tat: 0, paused_until: 0 };
    return { ok: false, waitMs: slotWait({ tat: row.tat, pausedUntil: row.paused_until }, now, tolerance) } as const;
  }

  async pauseDestination(destinationKey: string, until: number): Promise<void> {
    await bookkeepingQuery(this.pool,
      `INSERT INTO pacing (destination_key, tat, paused_until) VALUES ($1, 0, $2)
       ON CONFLICT (destination_key) DO UPDATE SET paused_until = greatest(pacing.paused_until, EXCLUDED.paused_until)`,
      [destinationKey, until],
    );
  }

  // Message references

  async getMessageRef(receiver: string, entityKey: string): Promise<MessageRef | null> {
    const { rows } = await this.pool.query('SELECT channel, message_id AS "messageId", extra FROM message_refs WHERE receiver = $1 AND entity_key = $2', [receiver, entityKey]);
    return rows.length === 0 ? null : messageRefOf(rows[0]);
  }

  // Check states and actions

  async getCheckState(entityKey: string): Promise<CheckState | null> {
    const { rows } = await this.pool.query<{ state: CheckState }>('SELECT state FROM check_states WHERE entity_key = $1', [entityKey]);
    // An action that changed nothing leaves the row it locked empty: nobody has acted on the check.
    const state = rows[0]?.state;
    return state && Object.keys(state).length > 0 ? state : null;
  }

  async recordCheckAction(write: CheckActionWrite): Promise<CheckActionResult> {
    const w = storableCopy(write);
    const a = w.action;
    return this.tx(async (c) => {
      // The check's row, created if missing, then locked: replicas acting on one check at once take turns here.
      await c.query(`INSERT INTO check_states (entity_key, state, updated_at) VALUES ($1, '{}'::jsonb, $2) ON CONFLICT (entity_key) DO NOTHING`, [a.entityKey, a.at]);
      const { rows } = await c.query<{ state: CheckState }>('SELECT state FROM check_states WHERE entity_key = $1 FOR UPDATE', [a.entityKey]);
      const previous = rows[0]?.state ?? {};
      const { changed, state } = applyCheckAction(previous, a);
      if (!changed) return { changed, previous, state };
      await c.query('UPDATE check_states SET state = $2::jsonb, updated_at = $3 WHERE entity_key = $1', [a.entityKey, JSON.stringify(state), a.at]);
      const inserted = await c.query<{ id: number }>('INSERT INTO check_actions (entity_key, kind, at, data) VALUES ($1, $2, $3, $4::jsonb) RETURNING id',
        [a.entityKey, a.kind, a.at, JSON.stringify(actionData(a, state))]);
      const id = Number(inserted.rows[0].id);
      if (w.jobs.length > 0) {
        await c.query(
          `INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, attempts, next_attempt_at, created_at, updated_at, action_id)
           SELECT x.e, ev.seq, x.r, x.k, x.d, 'pending', 0, $5, $5, $5, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(e, r, k, d, ord)
           JOIN events ev ON ev.event_id = x.e ORDER BY x.ord`,
          [w.jobs.map((j) => j.eventId), w.jobs.map((j) => j.receiver), w.jobs.map((j) => j.entityKey), w.jobs.map((j) => j.destinationKey), a.at, id],
        );
      }
      return { changed, previous, state, record: { ...a, id, state } };
    });
  }

  async getCheckAction(id: number): Promise<CheckActionRecord | null> {
    const { rows } = await this.pool.query<CheckActionRow>('SELECT id, entity_key, kind, at, data FROM check_actions WHERE id = $1', [id]);
    return rows.length ? actionRecord(rows[0]) : null;
  }

  async checkActions(entityKeys: string[], limit: number): Promise<CheckActionRecord[]> {
    if (entityKeys.length === 0) return [];
    const { rows } = await this.pool.query<CheckActionRow>(
      `SELECT * FROM (SELECT id, entity_key, kind, at, data FROM check_actions WHERE entity_key = ANY($1::text[]) ORDER BY id DESC LIMIT $2) x ORDER BY id`,
      [entityKeys, limit],
    );
    return rows.map(actionRecord);
  }

  // Teams installations

  async putInstallation(i: TeamsInstallation): Promise<void> {
    await this.pool.query(
      `INSERT INTO teams_installations (team_id, channel_id, team_name, channel_name, service_url, tenant_id, reference, removed, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
       ON CONFLICT (team_id, channel_id) DO UPDATE SET team_name = EXCLUDED.team_name, channel_name = EXCLUDED.channel_name,
         service_url = EXCLUDED.service_url, tenant_id = EXCLUDED.tenant_id, reference = EXCLUDED.reference,
         removed = EXCLUDED.removed, updated_at = EXCLUDED.updated_at`,
      [i.teamId, i.channelId, i.teamName, i.channelName, i.serviceUrl, i.tenantId, JSON.stringify(i.reference), i.removed, i.updatedAt],
    );
  }

  async removeInstallation(teamId: string, now: number): Promise<void> {
    await this.pool.query('UPDATE teams_installations SET removed = true, updated_at = $2 WHERE team_id = $1', [teamId, now]);
  }

  async listInstallations(): Promise<TeamsInstallation[]> {
    const { rows } = await this.pool.query('SELECT * FROM teams_installations ORDER BY team_id, channel_id');
    return rows.map((r) => ({
      teamId: r.team_id, teamName: r.team_name, channelId: r.channel_id, channelName: r.channel_name,
      serviceUrl: r.service_url, tenantId: r.tenant_id, reference: r.reference, removed: r.removed, updatedAt: r.updated_at,
    }));
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>, o?: TransactionOptions): Promise<T> {
    return inTransaction(this.pool, fn, o);
  }
}

/**
 * Marks each event routed and enqueues its jobs (due at its `now`), inside the caller's transaction; an event
 * already routed is skipped. Rows are locked in seq order, so two replicas routing overlapping batches cannot
 * deadlock; one that waited finds the event routed (the lock re-reads it) and skips it. Returns the ids marked.
 */
async function routeIn(c: pg.PoolClient, listed: Array<RouteResult & { now: number }>): Promise<Set<string>> {
  // An event listed twice keeps its first result, as it would routed one after another.
  const seen = new Set<string>();
  const results = listed.filter((r) => {
    if (seen.has(r.eventId)) return false;
    seen.add(r.eventId);
    return true;
  });
  const { rows: marked } = await c.query<{ event_id: string; seq: number }>(
    `WITH x AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS x(event_id, labels, details)),
          locked AS (SELECT e.seq, e.event_id FROM events e JOIN x ON x.event_id = e.event_id WHERE NOT e.routed ORDER BY e.seq FOR UPDATE OF e)
     UPDATE events SET routed = true, labels = x.labels::jsonb, details = x.details::jsonb
     FROM locked JOIN x ON x.event_id = locked.event_id WHERE events.seq = locked.seq RETURNING events.event_id, events.seq`,
    [results.map((r) => r.eventId), results.map((r) => JSON.stringify(r.labels)), results.map((r) => (r.details === null ? null : JSON.stringify(r.details)))],
  );
  const seqOf = new Map(marked.map((r) => [r.event_id, r.seq]));
  await addJobs(c, results, seqOf);
  return new Set(seqOf.keys());
}

/**
 * Inserts new events; those routed as they were stored (`preRouted`) go in routed, with their labels, and their
 * jobs with them: one write of each row, and the event never enters the unrouted index.
 */
async function insertEvents(c: pg.PoolClient, fresh: NewEvent[], channel: string): Promise<void> {
  const ev = fresh.map((n) => n.event);
  const { rows } = await c.query<{ event_id: string; seq: number }>(
    `INSERT INTO events (event_id, type, id, group_id, status, received_at, unknown_type, unknown_status, raw, routed, labels)
     SELECT e, t, i, g, s, r, ut, us, raw::jsonb, l IS NOT NULL, l::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::boolean[], $8::boolean[], $9::text[], $10::text[])
       WITH ORDINALITY AS x(e, t, i, g, s, r, ut, us, raw, l, ord)
     ORDER BY ord
     RETURNING event_id, seq`,
    [ev.map((e) => e.eventId), ev.map((e) => e.type), ev.map((e) => e.id), ev.map((e) => e.groupId), ev.map((e) => e.status),
      ev.map((e) => e.receivedAt), ev.map((e) => e.unknownType), ev.map((e) => e.unknownStatus), ev.map((e) => JSON.stringify(e.raw)),
      fresh.map((n) => (n.preRouted ? JSON.stringify(n.preRouted.labels) : null))],
  );
  await c.query('SELECT pg_notify($1, $2)', [channel, fresh.some((n) => !n.preRouted) ? 'events' : 'jobs']);
  const routed = fresh.flatMap((n) => (n.preRouted ? [{ eventId: n.event.eventId, jobs: n.preRouted.jobs, now: n.event.receivedAt }] : []));
  if (routed.length > 0) await addJobs(c, routed, new Map(rows.map((r) => [r.event_id, r.seq])));
}

/** Enqueues the jobs of routed events (those with a seq in `seqOf`), inside the caller's transaction. */
async function addJobs(c: pg.PoolClient, results: Array<Pick<RouteResult, 'eventId' | 'jobs'> & { now: number }>, seqOf: Map<string, number>): Promise<void> {
  const all = results.flatMap((r) => {
    const seq = seqOf.get(r.eventId);
    return seq === undefined ? [] : r.jobs.map((j) => ({ ...j, eventId: r.eventId, seq, now: r.now }));
  });
  // Jobs of grouping or muted routes wait in their group instead; reminders are kept beside (postgres-timers.ts).
  const timed = all.filter((j) => j.timers);
  if (timed.length > 0) await routeTimedJobs(c, timed);
  const jobs = timed.length > 0 ? all.filter((j) => !j.timers?.group) : all;
  if (jobs.length === 0) return;
  await c.query(
    `INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, attempts, next_attempt_at, created_at, updated_at)
     SELECT e, s, r, k, d, 'pending', 0, n, n, n
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY AS x(e, s, r, k, d, n, ord) ORDER BY ord`,
    [jobs.map((j) => j.eventId), jobs.map((j) => j.seq), jobs.map((j) => j.receiver), jobs.map((j) => j.entityKey), jobs.map((j) => j.destinationKey),
      jobs.map((j) => j.now)],
  );
}

const JOB_SELECT = `SELECT ${JOB_RECORD_COLUMNS} FROM jobs j JOIN events e ON e.event_id = j.event_id`;

// A dead letter goes back to the queue due now; created_at restarts so delivery.maxAge gives it a full window again,
// while attempts and history keep counting.
const REVIVE = `UPDATE jobs SET state = 'pending', next_attempt_at = $1, created_at = $1, updated_at = $1, lease_owner = NULL, lease_until = NULL`;

/** Takes `?schema=` off the URL (pg does not know it) and returns both. */
function splitSchema(url: string): { connectionString: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BridgeError('storage_url_invalid', 'storage.url is not a valid postgres:// URL');
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { connectionString: url };
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** host:port/database, never the user or password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
