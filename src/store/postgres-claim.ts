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
 * channel (one index seek each, jobs_ready_destination). At most `perDestination` jobs of one channel are taken.
 */
const RULE = claimable({
  now: '$1',
  receiverAsked: '($6::text[] IS NULL OR j.receiver = ANY($6::text[]))',
  destinationOpen: 'NOT (j.destination_key = ANY($7::text[]))',
  entityIndex: '',
  unrouted: 'NOT u.routed',
});
const READY = `j.state = 'pending' AND j.lease_owner IS NULL AND j.next_attempt_at <= $1`;
/** The claim's one statement: $1 now, $2 limit, $3 per destination, $4 owner, $5 lease end, $6 receivers (NULL: all), $7 destinations skipped. */
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
  -- The channels whose earliest ready job is earliest, up to one per job wanted.
  dests AS (
    SELECT d.k, (SELECT j.next_attempt_at FROM jobs j WHERE ${READY} AND j.destination_key = d.k ORDER BY j.next_attempt_at LIMIT 1) AS at
    FROM d WHERE d.k IS NOT NULL AND NOT (d.k = ANY($7)) ORDER BY 2 LIMIT $2),
  more AS (
    SELECT p.id, dests.k, p.at FROM dests CROSS JOIN LATERAL (
      SELECT j.id, j.next_attempt_at AS at FROM jobs j JOIN events e ON e.event_id = j.event_id
      WHERE j.destination_key = dests.k AND ${READY} AND ${RULE}
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
  RETURNING ${DELIVERY_JOB_COLUMNS}`;

/** Name of the claim's prepared statement, prepared once per connection (planning it took longer than running it). */
const PREPARED = 'aver_claim';
const prepared = new WeakSet<object>();

export function claimQuery(o: ClaimOptions, lockKey: [number, string], connection: object): string {
  const int = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new TypeError(`claim: ${n} is not an integer`);
    return String(n);
  };
  const texts = (xs: string[]) => `ARRAY[${xs.map((x) => pg.escapeLiteral(x)).join(',')}]::text[]`;
  const cap = Math.max(1, Math.min(o.limit, o.perDestination ?? o.limit));
  const args = [`${int(o.now)}::bigint`, int(o.limit), int(cap), pg.escapeLiteral(o.owner), `${int(o.now + o.leaseMs)}::bigint`,
    o.receivers ? texts(o.receivers) : 'NULL::text[]', texts(o.skipDestinations ?? [])];
  const prepare = prepared.has(connection) ? '' : `PREPARE ${PREPARED}(bigint, bigint, bigint, text, bigint, text[], text[]) AS ${STATEMENT};\n`;
  prepared.add(connection);
  // JIT off: the planner's estimates for the correlated subqueries are large, and compiling them took 200+ ms
  // against a millisecond of execution. A generic plan: the claim's plan does not depend on its parameters.
  return `${prepare}BEGIN; SELECT set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true),
  pg_advisory_xact_lock(${int(lockKey[0])}, hashtext(${pg.escapeLiteral(lockKey[1])}));
EXECUTE ${PREPARED}(${args.join(', ')});
COMMIT`;
}

/** Forgets that `connection` prepared the claim (after an error, when it may not have). */
export function claimUnprepared(connection: object): void {
  prepared.delete(connection);
}
