import pg from 'pg';
import type { Logger } from 'pino';
import type { AverEvent, Labels } from '../model/event.js';
import { BridgeError } from '../errors.js';
import type { AttemptRecord, DeliveryJob, JobRecord, JobState, MessageRef, NewJob } from '../model/job.js';
import type { EventDetails } from '../model/event.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import type { AppendResult, ClaimOptions, CompletedJob, NewEvent, RouteResult, StoredEvent, Store, TeamsInstallation } from './store.js';

export interface PostgresStoreOptions {
  logger?: Logger;
  /** Connections per replica (default 10). */
  poolSize?: number;
  /** Schema that holds the tables, created by migrate(); also read from the URL's `?schema=`. Default: the server's search_path. */
  schema?: string;
}

// Namespace of every advisory lock this store takes ("aver" in ASCII), so other users of the database are not blocked.
const LOCK_NAMESPACE = 0x61766572;

/** How many of the earliest due jobs a claim reads before it looks channel by channel instead. */
const CLAIM_WINDOW = 128;

/**
 * Whether job j (with its event e) may be claimed now ($1), for the receivers $5, outside the held or busy channels
 * $6: due, not leased, the oldest pending job of its (receiver, entity), none of which is leased, and no earlier
 * event of the entity still unrouted (order per entity).
 */
const CLAIMABLE = `j.state = 'pending' AND j.next_attempt_at <= $1
  AND (j.lease_until IS NULL OR j.lease_until <= $1)
  AND ($5::text[] IS NULL OR j.receiver = ANY($5::text[]))
  AND NOT (j.destination_key = ANY($6::text[]))
  AND j.id = (
    SELECT p.id FROM jobs p WHERE p.receiver = j.receiver AND p.entity_key = j.entity_key AND p.state = 'pending'
    ORDER BY p.event_seq, p.id LIMIT 1)
  AND NOT EXISTS (
    SELECT 1 FROM jobs l
    WHERE l.receiver = j.receiver AND l.entity_key = j.entity_key AND l.lease_owner IS NOT NULL
      AND l.state = 'pending' AND l.lease_until > $1 AND l.id <> j.id)
  AND NOT EXISTS (SELECT 1 FROM events u WHERE u.type = e.type AND u.id = e.id AND u.seq < e.seq AND NOT u.routed)`;

/** Leases the jobs a `cand` CTE (among `ctes`) picked to $3 until $4, counting an attempt; returns them with their events. */
function leaseCandidates(ctes: string, recursive = false): string {
  return `WITH ${recursive ? 'RECURSIVE ' : ''}${ctes}
    UPDATE jobs SET lease_owner = $3, lease_until = $4, attempts = jobs.attempts + 1, updated_at = $1
    FROM cand, events e
    WHERE jobs.id = cand.id AND e.event_id = jobs.event_id
    RETURNING jobs.id AS job_id, jobs.receiver, jobs.entity_key, jobs.destination_key, jobs.attempts, jobs.created_at AS job_created_at, e.*`;
}
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

type Row = Record<string, any>;

/** Opens the PostgreSQL store for `url` (postgres://user:pass@host:5432/db[?schema=name]) and checks the server answers. */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const { connectionString, schema: urlSchema } = splitSchema(url);
  const schema = opts.schema ?? urlSchema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new BridgeError('store_schema_invalid', `storage: schema "${schema}" is not a plain identifier (letters, digits, _)`);
  }
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // bigint columns (ids, epoch milliseconds, counts) fit a JS number; parse them as numbers for this pool only.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as any,
    },
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => opts.logger?.warn({ err: { message: err.message, code: (err as any).code } }, 'postgres: idle connection lost'));
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new BridgeError('store_unavailable', `storage: cannot reach PostgreSQL at ${describeUrl(connectionString)}: ${(err as Error).message}`, { cause: err });
  }
  return new PostgresStore(pool, schema ?? 'public', schema !== undefined);
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;

  private analyzeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool, private readonly schema: string, private readonly createSchema: boolean) {}

  /**
   * Keeps the planner's statistics fresh where autovacuum is off or slow: without them a claim scans every
   * pending job (40–140 ms at 5,000 queued, against 3–12 ms after ANALYZE). Once a minute, sampled, cheap.
   */
  private scheduleAnalyze(): void {
    const run = () => void this.pool.query('ANALYZE jobs, events').catch(() => undefined);
    run();
    this.analyzeTimer = setInterval(run, 60_000);
    this.analyzeTimer.unref();
  }

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
      await c.query(`CREATE TABLE IF NOT EXISTS schema_versions (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await c.query('SELECT version FROM schema_versions')).rows.map((r) => r.version as number));
      for (const m of POSTGRES_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_versions (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
    if (!this.analyzeTimer) this.scheduleAnalyze();
  }

  async close(): Promise<void> {
    clearInterval(this.analyzeTimer);
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

    return this.tx(async (c) => {
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
      if (fresh.length > 0) {
        const ev = fresh.map((n) => n.event);
        await c.query(
          `INSERT INTO events (event_id, type, id, group_id, status, received_at, unknown_type, unknown_status, raw)
           SELECT e, t, i, g, s, r, ut, us, raw::jsonb
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::boolean[], $8::boolean[], $9::text[])
             WITH ORDINALITY AS x(e, t, i, g, s, r, ut, us, raw, ord)
           ORDER BY ord`,
          [ev.map((e) => e.eventId), ev.map((e) => e.type), ev.map((e) => e.id), ev.map((e) => e.groupId), ev.map((e) => e.status),
            ev.map((e) => e.receivedAt), ev.map((e) => e.unknownType), ev.map((e) => e.unknownStatus), ev.map((e) => JSON.stringify(e.raw))],
        );
      }
      for (const n of fresh) {
        if (n.preRouted) await routeIn(c, n.event.eventId, n.preRouted.labels, null, n.preRouted.jobs, n.event.receivedAt);
      }
      return results;
    });
  }

  async unroutedEvents(limit: number, lease?: { now: number; until: number }): Promise<AverEvent[]> {
    if (!lease) {
      const { rows } = await this.pool.query('SELECT * FROM events WHERE NOT routed ORDER BY seq LIMIT $1', [limit]);
      return rows.map(toEvent);
    }
    const { rows } = await this.pool.query(
      `UPDATE events SET routing_until = $3 WHERE seq IN (
         SELECT seq FROM events WHERE NOT routed AND routing_until <= $2 ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [limit, lease.now, lease.until],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toEvent);
  }

  async routeEvent(eventId: string, labels: Labels, details: EventDetails | null, jobs: NewJob[], now: number): Promise<void> {
    await this.tx((c) => routeIn(c, eventId, labels, details, jobs, now));
  }

  async routeEvents(results: RouteResult[], now: number): Promise<void> {
    if (results.length === 0) return;
    await this.tx(async (c) => {
      // Rows are locked in seq order, so two replicas routing overlapping batches cannot deadlock; one that
      // waited finds the event routed (the lock re-reads it) and skips it.
      const { rows } = await c.query(
        `WITH x AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS x(event_id, labels, details)),
              locked AS (SELECT e.seq, e.event_id FROM events e JOIN x ON x.event_id = e.event_id WHERE NOT e.routed ORDER BY e.seq FOR UPDATE OF e)
         UPDATE events SET routed = true, labels = x.labels::jsonb, details = x.details::jsonb
         FROM locked JOIN x ON x.event_id = locked.event_id WHERE events.seq = locked.seq RETURNING events.event_id, events.seq`,
        [results.map((r) => r.eventId), results.map((r) => JSON.stringify(r.labels)), results.map((r) => (r.details === null ? null : JSON.stringify(r.details)))],
      );
      const seqOf = new Map<string, string>(rows.map((r: { event_id: string; seq: string }) => [r.event_id, r.seq]));
      const jobs = results.flatMap((r) => (seqOf.has(r.eventId) ? r.jobs.map((j) => ({ ...j, eventId: r.eventId, seq: seqOf.get(r.eventId)! })) : []));
      if (jobs.length === 0) return;
      await c.query(
        `INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, attempts, next_attempt_at, created_at, updated_at)
         SELECT e, s, r, k, d, 'pending', 0, $1, $1, $1
         FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(e, s, r, k, d, ord) ORDER BY ord`,
        [now, jobs.map((j) => j.eventId), jobs.map((j) => j.seq), jobs.map((j) => j.receiver), jobs.map((j) => j.entityKey), jobs.map((j) => j.destinationKey)],
      );
    });
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const { rows } = await this.pool.query('SELECT * FROM events WHERE event_id = $1', [eventId]);
    return rows.length ? toStoredEvent(rows[0]) : null;
  }

  async recentEvents(limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query('SELECT * FROM events ORDER BY seq DESC LIMIT $1', [limit]);
    return rows.map(toStoredEvent);
  }

  async entityHistory(id: string, type?: string) {
    const { rows } = type === undefined
      ? await this.pool.query('SELECT event_id, type, group_id, status, received_at FROM events WHERE id = $1 ORDER BY seq', [id])
      : await this.pool.query('SELECT event_id, type, group_id, status, received_at FROM events WHERE type = $2 AND id = $1 ORDER BY seq', [id, type]);
    return rows.map((r) => ({ status: r.status, at: r.received_at, type: r.type, eventId: r.event_id, groupId: r.group_id }));
  }

  async pruneDedup(now: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM dedup WHERE until <= $1', [now]);
    return r.rowCount ?? 0;
  }

  async pruneDelivered(before: number, limit: number): Promise<{ jobs: number; events: number }> {
    return this.tx(async (c) => {
      const jobs = await c.query(
        `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'done' AND updated_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
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
           ORDER BY e.seq LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [before, limit],
      );
      return { jobs: jobs.rowCount ?? 0, events: events.rowCount ?? 0 };
    });
  }

  // Delivery jobs

  async claimJobs(o: ClaimOptions): Promise<DeliveryJob[]> {
    if (o.limit <= 0) return [];
    return this.tx(async (c) => {
      // Why a lock as well as SKIP LOCKED: SKIP LOCKED keeps two claimers off the same row, but "only the oldest
      // pending job of a (receiver, entity), and none while another of the pair is leased" is decided by subqueries
      // that read the statement's snapshot and are not re-checked when the row is locked. Two claimers with
      // overlapping snapshots could then each take a different job of one entity (for instance when a dead letter
      // is retried while a later job is being claimed). So claimers take turns on a transaction-scoped advisory
      // lock, and the claim runs as the NEXT statement, whose fresh snapshot sees every lease committed before it
      // (leases are only ever created here). The claim is one indexed statement, so a turn is short.
      // Order is the events' arrival (event_seq), not job creation: routing runs concurrently (enrichment, other
      // replicas), so a job also waits while an earlier event of its entity is not yet routed.
      // JIT off for this transaction: the planner's estimates for these correlated subqueries are large, and
      // compiling them took 200+ ms against a millisecond of execution.
      await c.query(`SELECT set_config('jit', 'off', true), pg_advisory_xact_lock($1, hashtext($2))`, [LOCK_NAMESPACE, `claim:${this.schema}`]);
      const params = [o.now, o.limit, o.owner, o.now + o.leaseMs, o.receivers ?? null, o.skipDestinations ?? []];
      // First look: the earliest due jobs only (up to CLAIM_WINDOW of them), so a claim never reads a long backlog
      // that belongs to held or busy channels only to reject it row by row.
      const { rows } = await c.query(leaseCandidates(`
        win AS (SELECT w.id FROM jobs w WHERE w.state = 'pending' AND w.next_attempt_at <= $1 ORDER BY w.next_attempt_at, w.id LIMIT ${CLAIM_WINDOW}),
        cand AS (
          SELECT j.id FROM win JOIN jobs j ON j.id = win.id JOIN events e ON e.event_id = j.event_id
          WHERE ${CLAIMABLE}
          ORDER BY j.next_attempt_at, j.id LIMIT $2
          FOR UPDATE OF j SKIP LOCKED)`), params);
      if (rows.length < o.limit) {
        const { rows: [{ n }] } = await c.query(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM jobs WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT ${CLAIM_WINDOW}) w`,
          [o.now],
        );
        // The window was full and did not yield enough: channel by channel (one index seek each), held ones
        // skipped without reading their jobs. Jobs leased just now are not claimable any more, so none comes twice.
        if (n === CLAIM_WINDOW) {
          const more = await c.query(leaseCandidates(`
            d(k) AS (
              (SELECT destination_key FROM jobs WHERE state = 'pending' ORDER BY destination_key LIMIT 1)
              UNION ALL
              SELECT (SELECT x.destination_key FROM jobs x WHERE x.state = 'pending' AND x.destination_key > d.k ORDER BY x.destination_key LIMIT 1)
              FROM d WHERE d.k IS NOT NULL),
            pick AS (
              SELECT p.id, p.next_attempt_at FROM d CROSS JOIN LATERAL (
                SELECT j.id, j.next_attempt_at FROM jobs j JOIN events e ON e.event_id = j.event_id
                WHERE NOT (d.k = ANY($6::text[])) AND j.destination_key = d.k AND ${CLAIMABLE}
                ORDER BY j.next_attempt_at, j.id LIMIT $2) p
              WHERE d.k IS NOT NULL
              ORDER BY p.next_attempt_at, p.id LIMIT $2),
            cand AS (SELECT jobs.id FROM jobs JOIN pick ON pick.id = jobs.id FOR UPDATE OF jobs SKIP LOCKED)`, true),
            [o.now, o.limit - rows.length, ...params.slice(2)]);
          rows.push(...more.rows);
        }
      }
      return rows
        .sort((a, b) => a.job_id - b.job_id)
        .map((r): DeliveryJob => ({
          id: r.job_id,
          eventId: r.event_id,
          receiver: r.receiver,
          entityKey: r.entity_key,
          destinationKey: r.destination_key,
          attempt: r.attempts,
          createdAt: r.job_created_at,
          event: toEvent(r),
          labels: r.labels ?? {},
          details: r.details ?? null,
        }));
    });
  }

  async completeJob(jobId: number, owner: string, attempt: AttemptRecord, now: number): Promise<boolean> {
    // A lease past its time still counts as held until another replica claims the job (which changes the owner).
    const r = await this.pool.query(
      `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = $3, last_reason = NULL, history = history || jsonb_build_array($4::jsonb)
       WHERE id = $1 AND state = 'pending' AND lease_owner = $2`,
      [jobId, owner, now, JSON.stringify(attempt)],
    );
    return r.rowCount === 1;
  }

  async completeJobs(items: CompletedJob[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    return this.tx(async (c) => {
      const refs = items.flatMap((i) => (i.messageRef ? [i.messageRef] : []));
      // Later refs of the same (receiver, entity) win, as separate putMessageRef calls in this order would.
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
    });
  }

  async retryJob(jobId: number, owner: string, attempt: AttemptRecord, nextAttemptAt: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE jobs SET next_attempt_at = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4, last_reason = $5,
         history = history || jsonb_build_array($6::jsonb)
       WHERE id = $1 AND state = 'pending' AND lease_owner = $2`,
      [jobId, owner, nextAttemptAt, attempt.at, attempt.reason ?? null, JSON.stringify(attempt)],
    );
    return r.rowCount === 1;
  }

  async deadLetterJob(jobId: number, owner: string | null, attempt: AttemptRecord | null, reason: string, now: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, updated_at = $4, last_reason = $5,
         history = CASE WHEN $3::jsonb IS NULL THEN history ELSE history || jsonb_build_array($3::jsonb) END
       WHERE id = $1 AND state = 'pending' AND ($2::text IS NULL OR lease_owner = $2)`,
      [jobId, owner, attempt === null ? null : JSON.stringify(attempt), now, reason],
    );
    return r.rowCount === 1;
  }

  async releaseJob(jobId: number, owner: string, nextAttemptAt: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE jobs SET lease_owner = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0), next_attempt_at = $3
       WHERE id = $1 AND state = 'pending' AND lease_owner = $2`,
      [jobId, owner, nextAttemptAt],
    );
    return r.rowCount === 1;
  }

  async releaseLeases(owner: string): Promise<number> {
    const r = await this.pool.query(
      `UPDATE jobs SET lease_owner = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0)
       WHERE lease_owner = $1 AND state = 'pending'`,
      [owner],
    );
    return r.rowCount ?? 0;
  }

  async getJob(jobId: number): Promise<JobRecord | null> {
    const { rows } = await this.pool.query(`${JOB_SELECT} WHERE j.id = $1`, [jobId]);
    return rows.length ? toJobRecord(rows[0]) : null;
  }

  async jobsForEvent(eventId: string): Promise<JobRecord[]> {
    const { rows } = await this.pool.query(`${JOB_SELECT} WHERE j.event_id = $1 ORDER BY j.id`, [eventId]);
    return rows.map(toJobRecord);
  }

  async listJobs(filter: { state?: JobState; receiver?: string; limit: number }): Promise<JobRecord[]> {
    const { rows } = await this.pool.query(
      `${JOB_SELECT} WHERE ($1::text IS NULL OR j.state = $1) AND ($2::text IS NULL OR j.receiver = $2) ORDER BY j.id DESC LIMIT $3`,
      [filter.state ?? null, filter.receiver ?? null, filter.limit],
    );
    return rows.map(toJobRecord);
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
    const tolerance = (Math.max(1, Math.floor(burst)) - 1) * intervalMs;
    const taken = await this.pool.query(
      `INSERT INTO pacing (destination_key, tat, paused_until) VALUES ($1, $2::float8 + $3::float8, 0)
       ON CONFLICT (destination_key) DO UPDATE SET tat = greatest(pacing.tat, $2::float8) + $3::float8
         WHERE greatest(pacing.tat, $2::float8) - $2::float8 <= $4::float8 AND pacing.paused_until <= $2::float8
       RETURNING tat`,
      [destinationKey, now, intervalMs, tolerance],
    );
    if (taken.rowCount === 1) return { ok: true } as const;
    const { rows } = await this.pool.query('SELECT tat, paused_until FROM pacing WHERE destination_key = $1', [destinationKey]);
    const row = rows[0] ?? { tat: 0, paused_until: 0 };
    const waitMs = Math.max(row.paused_until - now, Math.max(row.tat, now) - tolerance - now);
    return { ok: false, waitMs: Math.max(1, Math.ceil(waitMs)) } as const;
  }

  async pauseDestination(destinationKey: string, until: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO pacing (destination_key, tat, paused_until) VALUES ($1, 0, $2)
       ON CONFLICT (destination_key) DO UPDATE SET paused_until = greatest(pacing.paused_until, EXCLUDED.paused_until)`,
      [destinationKey, until],
    );
  }

  // Message references

  async getMessageRef(receiver: string, entityKey: string): Promise<MessageRef | null> {
    const { rows } = await this.pool.query('SELECT channel, message_id, extra FROM message_refs WHERE receiver = $1 AND entity_key = $2', [receiver, entityKey]);
    if (rows.length === 0) return null;
    const r = rows[0];
    return r.extra === null ? { channel: r.channel, messageId: r.message_id } : { channel: r.channel, messageId: r.message_id, extra: r.extra };
  }

  async putMessageRef(receiver: string, entityKey: string, ref: MessageRef): Promise<void> {
    await this.pool.query(
      `INSERT INTO message_refs (receiver, entity_key, channel, message_id, extra) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (receiver, entity_key) DO UPDATE SET channel = EXCLUDED.channel, message_id = EXCLUDED.message_id, extra = EXCLUDED.extra`,
      [receiver, entityKey, ref.channel, ref.messageId, ref.extra === undefined ? null : JSON.stringify(ref.extra)],
    );
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

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    } finally {
      c.release(broken);
    }
  }
}

/** Marks the event routed and enqueues its jobs, inside the caller's transaction; nothing if already routed. */
async function routeIn(c: pg.PoolClient, eventId: string, labels: Labels, details: EventDetails | null, jobs: NewJob[], now: number): Promise<void> {
  // The row lock makes a concurrent second call wait, then find the event routed and do nothing.
  const { rows } = await c.query(
    `UPDATE events SET routed = true, labels = $2::jsonb, details = $3::jsonb WHERE event_id = $1 AND NOT routed RETURNING seq`,
    [eventId, JSON.stringify(labels), details === null ? null : JSON.stringify(details)],
  );
  if (rows.length === 0 || jobs.length === 0) return;
  await c.query(
    `INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, attempts, next_attempt_at, created_at, updated_at)
     SELECT $1, $2, r, k, d, 'pending', 0, $3, $3, $3
     FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(r, k, d, ord) ORDER BY ord`,
    [eventId, rows[0].seq, now, jobs.map((j) => j.receiver), jobs.map((j) => j.entityKey), jobs.map((j) => j.destinationKey)],
  );
}

const JOB_SELECT = `SELECT j.*, e.type, e.id AS entity_id, e.group_id, e.status, e.received_at, e.unknown_type, e.unknown_status, e.raw
  FROM jobs j JOIN events e ON e.event_id = j.event_id`;

// A dead letter goes back to the queue due now; created_at restarts so delivery.maxAge gives it a full window again,
// while attempts and history keep counting.
const REVIVE = `UPDATE jobs SET state = 'pending', next_attempt_at = $1, created_at = $1, updated_at = $1, lease_owner = NULL, lease_until = NULL`;

function toEvent(r: Row): AverEvent {
  return {
    eventId: r.event_id, type: r.type, id: r.id, groupId: r.group_id, status: r.status, receivedAt: r.received_at,
    unknownType: r.unknown_type, unknownStatus: r.unknown_status, raw: r.raw,
  };
}

function toStoredEvent(r: Row): StoredEvent {
  return { event: toEvent(r), routed: r.routed, labels: r.labels ?? null, details: r.details ?? null };
}

function toJobRecord(r: Row): JobRecord {
  return {
    id: r.id, eventId: r.event_id, receiver: r.receiver, entityKey: r.entity_key, destinationKey: r.destination_key,
    state: r.state, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, createdAt: r.created_at, updatedAt: r.updated_at,
    lastReason: r.last_reason, history: r.history,
    event: toEvent({ ...r, id: r.entity_id }),
  };
}

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
