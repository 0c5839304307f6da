import { expect } from 'chai';
import type pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';

/** Reaches into the store's connection pool, for what the store API cannot do or say. */
function poolOf(store: Store): pg.Pool {
  return (store as unknown as { pool: pg.Pool }).pool;
}

const JOBS = 6000;

describe('PostgreSQL claim: the plan kept on a connection', function () {
  const db = usePostgres('PostgreSQL claim plan tests');

  /**
   * The bridge's first claim finds empty tables; a burst then queues thousands of jobs before the next ANALYZE. A
   * generic plan made on the empty tables scanned instead of looking up, quadratic in the jobs queued (over a second a
   * claim at 2,000 jobs, over a minute at 10,000); planned for the rows there are, a claim takes milliseconds.
   */
  it('stays fast when the queue grows from empty after the connection first claimed', async function () {
    this.timeout(120_000);
    // One connection: the one that claimed on the empty tables claims again.
    const store = await openPostgresStore(db().urlFor(await db().freshSchema()), { poolSize: 1 });
    try {
      await store.migrate();
      const pool = poolOf(store);
      // Nothing ANALYZEs in between (the store's own ANALYZE runs a minute later, or when it adds the jobs itself).
      await pool.query('ALTER TABLE jobs SET (autovacuum_enabled = off); ALTER TABLE events SET (autovacuum_enabled = off)');
      const now = Date.now();
      const claim = (i: number) => store.claimJobs({ now: now + i, limit: 16, owner: `w${i}`, leaseMs: 60_000, receivers: ['ops'], perDestination: 4 });
      expect(await claim(0)).to.deep.equal([]);

      // Written directly, as another replica or a bulk load would: this store does not see them arrive.
      await pool.query(`INSERT INTO events (event_id, type, id, group_id, status, received_at, unknown_type, unknown_status, raw, routed, labels)
        SELECT 'ev-' || i, 'LiveCheck', 'chk-' || i, 'g', 'Completed', $1::bigint - $2 + i, false, false, '{}', true, '{}' FROM generate_series(0, $2 - 1) i`, [now, JOBS]);
      await pool.query(`INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, attempts, next_attempt_at, created_at, updated_at)
        SELECT event_id, seq, 'ops', 'LiveCheck:' || id, 'slack/ops', 'pending', 0, received_at, received_at, received_at FROM events ORDER BY seq`);

      for (let i = 1; i <= 3; i++) {
        const started = Date.now();
        const jobs = await claim(i);
        // Milliseconds here; the plan made on the empty tables took several seconds.
        expect(Date.now() - started, `claim ${i}, ms`).to.be.below(2000);
        expect(jobs.map((j) => j.eventId)).to.deep.equal([0, 1, 2, 3].map((k) => `ev-${(i - 1) * 4 + k}`));
      }
    } finally {
      await store.close();
    }
  });
});
