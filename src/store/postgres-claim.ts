import pg from 'pg';
import { CLAIM_WINDOW, claimable } from './claim-rule.js';
import { DELIVERY_JOB_COLUMNS } from './rows.js';
import type { ClaimOptions } from './store.js';

/**
 * The PostgreSQL claim as one round trip: BEGIN, the claim's advisory lock, ONE statement that picks and leases,
 * COMMIT, sent together as a simple query. Each statement of it reads a fresh snapshot, so the claim sees every
 * lease committed before it took the lock, and the lock is released by the COMMIT that follows the statement: it
 * is held for the statement only, never across a network round trip.
 *
 * Why a lock as well as SKIP LOCKED: SKIP LOCKED keeps two claimers off the same row, but "only the oldest pending
 * job of a (receiver, entity), and none while another of the pair is leased" is decided by subqueries that read
 * the statement's snapshot and are not re-checked when the row is locked. Two claimers with overlapping snapshots
 * could then each take a different job of one entity (for instance when a dead letter is retried while a later
 * job is being claimed). Claims taking turns, each with a snapshot taken after the previous one committed, cannot.
 *
 * The pick reads ready jobs only (pending, unleased: index jobs_ready), so jobs in flight never fill the window;
 * leases that have run out are found beside them through jobs_lease_owner (every live lease, a short list). When
 * the CLAIM_WINDOW earliest ready jobs do not yield enough (their channels are busy or held), it goes channel by
 * channel (one index seek each, jobs_ready_destination), reading the CLAIM_WINDOW earliest ready jobs of each. At
 * most `perDestination` jobs of one channel are taken. So a channel whose CLAIM_WINDOW earliest ready jobs all wait
 * behind earlier jobs of their checks (in flight, or waiting for a retry) sends its later ones once those clear.
 */
const RULE = claimable({
  now: '$1',
  receiverAsked: '($6::text[] IS NULL OR j.receiver = ANY($6::text[]))',
  destinationOpen: 'NOT (j.destination_key = ANY($7::text[]))',
  entityIndex: '',
  unrouted: 'NOT u.routed',
});
const READY = `j.state = 'pending' AND j.lease_owner IS NULL AND j.next_attempt_at <= $1`;
/**
 * The claim's one statement: $1 now, $2 limit, $3 per destination, $4 owner, $5 lease end, $6 receivers (NULL: all),
 * $7 destinations skipped, $8 receivers whose jobs come with their context.
 */
const STATEMENT = `WITH RECURSIVE
  win AS (SELECT j.id, j.next_attempt_at AS at FROM jobs j WHERE ${READY} ORDER BY j.next_attempt_at, j.id LIMIT ${CLAIM_WINDOW}),
  lapsed AS (SELECT j.id, j.next_attempt_at AS at FROM jobs j WHERE j.lease_owner IS NOT NULL AND j.lease_until <= $1 AND j.state = 'pending'
             ORDER BY j.next_attempt_at, j.id LIMIT ${CLAIM_WINDOW}),
  -- The earliest claimable jobs of the window, read in order until there are enough.
  first AS (
    SELECT j.id, j.destination_key AS k, w.at FROM (SELECT * FROM win UNION ALL SELECT * FROM lapsed ORDER BY at, id) w
    JOIN jobs j ON j.id = w.id JOIN events e ON e.event_id = j.event_id WHERE ${RULE}
    ORDER BY w.at, w.id LIMIT $2),
  -- Channel by channel (one index seek each), only when that was too little from too few channels and more are ready.
  d(k) AS (
    SELECT (SELECT j.destination_key FROM jobs j WHERE ${READY} ORDER BY j.destination_key LIMIT 1)
    WHERE (SELECT coalesce(sum(least(z.n, $3)), 0) FROM (SELECT count(*) AS n FROM first f GROUP BY f.k) z) < $2
      AND ((SELECT count(*) FROM first) = $2 OR (SELECT count(*) FROM win) = ${CLAIM_WINDOW})
    UNION ALL
    SELECT (SELECT j.destination_key FROM jobs j WHERE ${READY} AND j.destination_key > d.k ORDER BY j.destination_key LIMIT 1)
    FROM d WHERE d.k IS NOT NULL),
  -- The channels whose earliest ready job is earliest, up to one per job wanted; not those the first look filled to
  -- their share (with one busy channel, reading its window again was most of a claim's cost).
  dests AS (
    SELECT d.k, (SELECT j.next_attempt_at FROM jobs j WHERE ${READY} AND j.destination_key = d.k ORDER BY j.next_attempt_at LIMIT 1) AS at
    FROM d WHERE d.k IS NOT NULL AND NOT (d.k = ANY($7))
      AND d.k NOT IN (SELECT f.k FROM first f GROUP BY f.k HAVING count(*) >= $3) ORDER BY 2 LIMIT $2),
  -- Each channel's earliest ready jobs (up to the window, read in index order) first, then the rule on those only:
  -- with the rule in the same scan, the generic plan read every ready job of the channel and sorted them (11 ms a
  -- claim with 2,000 queued for one channel).
  more AS (
    SELECT p.id, dests.k, p.at FROM dests CROSS JOIN LATERAL (
      SELECT j.id, j.next_attempt_at AS at
      FROM (SELECT r.id FROM jobs r WHERE r.destination_key = dests.k AND r.state = 'pending' AND r.lease_owner IS NULL AND r.next_attempt_at <= $1
            ORDER BY r.next_attempt_at, r.id LIMIT ${CLAIM_WINDOW}) w
      JOIN jobs j ON j.id = w.id JOIN events e ON e.event_id = j.event_id
      WHERE ${READY} AND ${RULE}
      ORDER BY j.next_attempt_at, j.id LIMIT $3) p),
  ranked AS (
    SELECT id, at, row_number() OVER (PARTITION BY k ORDER BY at, id) AS n
    FROM (SELECT * FROM first UNION SELECT * FROM more) a),
  pick AS (SELECT id FROM ranked WHERE n <= $3 ORDER BY at, id LIMIT $2),
  cand AS (SELECT jobs.id FROM jobs JOIN pick ON pick.id = jobs.id FOR UPDATE OF jobs SKIP LOCKED)
  UPDATE jobs AS j SET lease_owner = $4, lease_until = $5,
    attempts = j.attempts + 1, updated_at = $1
  FROM cand, events e
  WHERE j.id = cand.id AND e.event_id = j.event_id AND j.state = 'pending' AND (j.lease_until IS NULL OR j.lease_until <= $1)
  RETURNING ${DELIVERY_JOB_COLUMNS},
    -- The job's context (JobContext) for the receivers asked ($8): no further round trip before the send.
    j.receiver = ANY($8::text[]) AS with_context,
    (SELECT json_build_object('channel', m.channel, 'messageId', m.message_id, 'extra', m.extra) FROM message_refs m
     WHERE j.receiver = ANY($8::text[]) AND m.receiver = j.receiver AND m.entity_key = j.entity_key) AS context_ref,
    (SELECT json_agg(json_build_object('status', h.status, 'at', h.received_at, 'type', h.type, 'eventId', h.event_id, 'groupId', h.group_id) ORDER BY h.seq)
     FROM events h WHERE j.receiver = ANY($8::text[]) AND h.type = e.type AND h.id = e.id) AS context_history`;

/** Name of the claim's prepared statement, prepared once per connection (planning it took longer than running it). */
const PREPARED = 'aver_claim';

/**
 * Below this size of the jobs table (bytes on disk: 32 pages, some hundreds to 1,500 jobs) every claim is planned for
 * the rows there are (a custom plan, 2–5 ms of planning); from it on, one generic plan is kept. A generic plan made
 * on nearly empty tables (the first claim after start-up) scans and joins without index lookups, cheapest for a
 * handful of rows, and kept doing so as the queue grew until the next ANALYZE: quadratic, 1–4 s a claim with 2,000
 * jobs queued and 50–95 s with 10,000, all of it holding the claim lock. A plan made from a few hundred jobs on looks
 * rows up by index and stays fast at 100,000. PostgreSQL plans it again after an ANALYZE (PlannerStatistics) or DDL,
 * only ever at this size or more. The size is read in the claim's own round trip.
 */
const GENERIC_PLAN_FROM_BYTES = 32 * 8192;
const prepared = new WeakSet<object>();

export function claimQuery(o: ClaimOptions, lockKey: [number, string], connection: object): string {
  const int = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new TypeError(`claim: ${n} is not an integer`);
    return String(n);
  };
  const texts = (xs: string[]) => `ARRAY[${xs.map((x) => pg.escapeLiteral(x)).join(',')}]::text[]`;
  const cap = Math.max(1, Math.min(o.limit, o.perDestination ?? o.limit));
  const args = [`${int(o.now)}::bigint`, int(o.limit), int(cap), pg.escapeLiteral(o.owner), `${int(o.now + o.leaseMs)}::bigint`,
    o.receivers ? texts(o.receivers) : 'NULL::text[]', texts(o.skipDestinations ?? []), texts(o.withContext ?? [])];
  const prepare = prepared.has(connection) ? '' : `PREPARE ${PREPARED}(bigint, bigint, bigint, text, bigint, text[], text[], text[]) AS ${STATEMENT};\n`;
  prepared.add(connection);
  // JIT off: the planner's estimates for the correlated subqueries are large, and compiling them took 200+ ms
  // against a millisecond of execution. A generic plan once the tables are large enough (GENERIC_PLAN_FROM_BYTES):
  // the claim's plan does not depend on its parameters. synchronous_commit off: a claim is bookkeeping
  // (pg-transaction.ts), and a lease lost to a server crash is claimed again.
  return `${prepare}BEGIN; SELECT set_config('jit', 'off', true), set_config('synchronous_commit', 'off', true),
  set_config('plan_cache_mode', CASE WHEN t.bytes < ${GENERIC_PLAN_FROM_BYTES} THEN 'force_custom_plan' ELSE 'force_generic_plan' END, true),
  pg_advisory_xact_lock(${int(lockKey[0])}, hashtext(${pg.escapeLiteral(lockKey[1])})), t.bytes AS jobs_bytes
  FROM (SELECT pg_relation_size('jobs') AS bytes) t;
EXECUTE ${PREPARED}(${args.join(', ')});
COMMIT`;
}

/** What claimQuery's statements answered: the jobs leased, and the jobs table's size (bytes) when the claim began. */
export function claimAnswer<R extends pg.QueryResultRow>(results: pg.QueryResult[]): { rows: R[]; jobsBytes: number } {
  return { rows: results[results.length - 2].rows as R[], jobsBytes: Number(results[results.length - 3].rows[0].jobs_bytes) };
}

/** Forgets that `connection` prepared the claim (after an error, when it may not have). */
export function claimUnprepared(connection: object): void {
  prepared.delete(connection);
}

/** The fewest jobs this store adds before it ANALYZEs for them (see PlannerStatistics). */
const ANALYZE_AFTER_JOBS = 1000;

/**
 * Keeps the planner's statistics of jobs and events fresh where autovacuum is off or slow: without them a claim
 * scans every pending job (40–140 ms at 5,000 queued, against 3–12 ms after ANALYZE). An ANALYZE also makes every
 * connection plan the claim again. Once a minute (sampled, cheap), and sooner when the queue grows fast: a burst
 * into an empty queue otherwise runs for up to that minute on the statistics of an empty queue, and the claim planned
 * from them took 70–100 ms with 100,000 jobs queued, against a few ms after ANALYZE. Growing fast is seen two ways:
 * the jobs this store added reach the ready jobs (pending, unleased) the last ANALYZE found, or a claim sees the jobs
 * table twice the size it had then (whoever wrote them: another replica, a bulk load).
 */
export class PlannerStatistics {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private added = 0;
  private ready = 0;
  private bytes = 0;

  constructor(private readonly pool: pg.Pool) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.analyze(), 60_000);
    this.timer.unref();
    this.analyze();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** This store queued `n` jobs. */
  jobsAdded(n: number): void {
    this.added += n;
    if (this.added >= Math.max(ANALYZE_AFTER_JOBS, this.ready)) this.analyze();
  }

  /** A claim found the jobs table this size (bytes). */
  claimSaw(jobsBytes: number): void {
    if (jobsBytes >= 2 * Math.max(this.bytes, GENERIC_PLAN_FROM_BYTES)) this.analyze();
  }

  /** One ANALYZE at a time, only while started (after migrate()). */
  private analyze(): void {
    if (!this.timer || this.running) return;
    this.added = 0;
    // ANALYZE also estimates the rows of each partial index: jobs_ready's are the ready jobs.
    this.running = this.pool.query(`ANALYZE jobs, events;
      SELECT (SELECT reltuples FROM pg_class WHERE oid = 'jobs_ready'::regclass) AS ready, pg_relation_size('jobs') AS bytes`)
      .then((results) => {
        const [r] = (results as unknown as pg.QueryResult[])[1].rows;
        this.ready = Math.max(0, Number(r.ready));
        this.bytes = Number(r.bytes);
      })
      .catch(() => undefined)
      .finally(() => { this.running = undefined; });
  }
}
