import { expect } from 'chai';
import type pg from 'pg';
import { bookkeepingQuery } from '../../src/store/pg-transaction.js';
import type { AverEvent } from '../../src/model/event.js';
import type { NewEvent, Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';

/** Reaches into the store's connection pool, for what the store API cannot do or say. */
function poolOf(store: Store): pg.Pool {
  return (store as unknown as { pool: pg.Pool }).pool;
}

const T0 = 1_700_000_000_000;
const TABLES = ['events', 'dedup', 'jobs', 'pacing', 'message_refs', 'check_actions', 'teams_installations', 'alert_groups', 'reminders'];

/**
 * Triggers that note, inside each writing statement's transaction, the synchronous_commit the transaction will commit
 * with: what decides whether its COMMIT waits for the WAL flush (fsync).
 */
async function watchCommits(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE commit_modes (tbl text NOT NULL, mode text NOT NULL);
    CREATE FUNCTION note_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO commit_modes VALUES (TG_TABLE_NAME, current_setting('synchronous_commit'));
      RETURN NULL;
    END $$;
    ${TABLES.map((t) => `CREATE TRIGGER note_commit_mode AFTER INSERT OR UPDATE OR DELETE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION note_commit_mode();`).join('\n')}`);
}

describe('PostgreSQL store: which writes wait for the WAL flush', function () {
  const db = usePostgres('PostgreSQL commit tests');
  let store: Store;
  let pool: pg.Pool;
  let serverDefault: string;
  let n = 0;

  beforeEach(async function () {
    store = await db().freshStore();
    await store.migrate();
    pool = poolOf(store);
    await watchCommits(pool);
    serverDefault = (await pool.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`)).rows[0].s;
    // Nothing below could tell a durable write from another on a server that never waits for the flush.
    expect(serverDefault).to.not.equal('off');
  });

  afterEach(async function () {
    await store.close();
  });

  /** The modes `write` committed its writes with, as `table mode` (`durable`: the server's own), once each. */
  async function modesOf(write: () => Promise<unknown>): Promise<string[]> {
    await pool.query('DELETE FROM commit_modes');
    await write();
    const { rows } = await pool.query<{ m: string }>(`SELECT DISTINCT tbl || ' ' || mode AS m FROM commit_modes ORDER BY 1`);
    return rows.map((r) => r.m.replace(new RegExp(` ${serverDefault}$`), ' durable'));
  }

  function newEvent(jobs = 0): NewEvent {
    n++;
    const event: AverEvent = {
      eventId: `ev-${n}`, type: 'LiveCheck', id: `chk-${n}`, groupId: 'g', status: 'Completed', receivedAt: T0 + n, unknownType: false, unknownStatus: false, raw: {},
    };
    return {
      event, dedupKey: `k-${n}`, dedupUntil: T0 + 1e9,
      ...(jobs > 0 ? { preRouted: { labels: {}, jobs: Array.from({ length: jobs }, (_, i) => ({ receiver: 'ops', entityKey: `LiveCheck:chk-${n}`, destinationKey: `slack/${i}` })) } } : {}),
    };
  }

  const claim = (now: number) => store.claimJobs({ now, limit: 10, owner: 'w', leaseMs: 60_000 });
  const attempt = (at: number, ok: boolean) => ({ attempt: 1, at, ok });

  it('an appended webhook, an action on a check and the admin\'s changes wait for the flush', async function () {
    expect(await modesOf(() => store.appendEvents([newEvent(), newEvent(1)]))).to.deep.equal(
      ['dedup durable', 'events durable', 'jobs durable']);
    const [{ eventId }] = await store.appendEvents([newEvent()]);
    const action = { entityKey: 'LiveCheck:chk-x', kind: 'acknowledge' as const, actor: { platform: 'slack' as const, id: 'U1', name: 'Ann' }, at: T0, via: 'button' as const,
      receiver: 'ops', channel: 'C1', eventId, status: 'Completed' };
    expect(await modesOf(() => store.recordCheckAction({ action, jobs: [{ eventId, receiver: 'ops', entityKey: 'LiveCheck:chk-x', destinationKey: 'slack/a' }] })))
      .to.deep.equal(['check_actions durable', 'jobs durable']);
    const installation = { teamId: 'T', teamName: 't', channelId: 'C', channelName: 'c', serviceUrl: 'https://example.test/', tenantId: 'x', reference: {}, removed: false, updatedAt: T0 };
    expect(await modesOf(() => store.putInstallation(installation))).to.deep.equal(['teams_installations durable']);
    expect(await modesOf(() => store.removeInstallation('T', T0))).to.deep.equal(['teams_installations durable']);

    const [job] = await claim(T0 + 10);
    await store.deadLetterJob(job.id, 'w', attempt(T0 + 11, false), 'gave up', T0 + 11);
    expect(await modesOf(() => store.retryDeadLetter(job.id, T0 + 12))).to.deep.equal(['jobs durable']);
    expect(await modesOf(() => store.retryAllDeadLetters(T0 + 13))).to.deep.equal(['jobs durable']);
    expect(await modesOf(() => store.purgeDeadLetters(T0 + 14))).to.deep.equal(['jobs durable']);
  });

  it('the queue\'s bookkeeping does not: routing, claims, completions, retries and send slots', async function () {
    const [{ eventId }] = await store.appendEvents([newEvent()]);
    expect(await modesOf(() => store.unroutedEvents(10, { now: T0, until: T0 + 1000 }))).to.deep.equal(['events off']);
    const jobs = ['a', 'b', 'c', 'd'].map((d) => ({ receiver: 'ops', entityKey: `LiveCheck:${d}`, destinationKey: `slack/${d}` }));
    expect(await modesOf(() => store.routeEvents([{ eventId, labels: {}, details: null, jobs }], T0))).to.deep.equal(['events off', 'jobs off']);

    let claimed: Awaited<ReturnType<typeof claim>> = [];
    expect(await modesOf(async () => { claimed = await claim(T0 + 1); })).to.deep.equal(['jobs off']);
    expect(claimed).to.have.length(4);
    const [a, b, c, d] = claimed;
    const ref = { receiver: 'ops', entityKey: a.entityKey, ref: { channel: 'C1', messageId: '1.0' } };
    expect(await modesOf(() => store.completeJobs([{ jobId: a.id, owner: 'w', attempt: attempt(T0 + 2, true), now: T0 + 2, messageRef: ref }])))
      .to.deep.equal(['jobs off', 'message_refs off']);
    expect(await modesOf(() => store.retryJob(b.id, 'w', attempt(T0 + 2, false), T0 + 5000))).to.deep.equal(['jobs off']);
    expect(await modesOf(() => store.releaseJob(c.id, 'w', T0 + 2))).to.deep.equal(['jobs off']);
    expect(await modesOf(() => store.deadLetterJob(d.id, 'w', attempt(T0 + 2, false), 'gave up', T0 + 2))).to.deep.equal(['jobs off']);
    await claim(T0 + 3);
    expect(await modesOf(() => store.releaseLeases('w'))).to.deep.equal(['jobs off']);

    expect(await modesOf(() => store.takeSendSlot('slack/a', T0, 1000, 1))).to.deep.equal(['pacing off']);
    expect(await modesOf(() => store.pauseDestination('slack/a', T0 + 1000))).to.deep.equal(['pacing off']);
    expect(await modesOf(() => store.pruneDedup(T0 + 2e9))).to.deep.equal(['dedup off']);
  });

  it('the timers\' leases are bookkeeping too', async function () {
    const [{ eventId }] = await store.appendEvents([newEvent()]);
    const group = { key: 'g1', kind: 'group' as const, routePath: 'r', labels: {}, flushAt: T0 + 10, intervalMs: 60_000 };
    await store.routeEvents([{ eventId, labels: {}, details: null, jobs: [{ receiver: 'ops', entityKey: 'LiveCheck:g', destinationKey: 'slack/g', timers: { group } }] }], T0);
    let groups: Awaited<ReturnType<Store['claimDueGroups']>> = [];
    expect(await modesOf(async () => { groups = await store.claimDueGroups({ now: T0 + 10, owner: 'w', leaseMs: 60_000, limit: 10 }); }))
      .to.deep.equal(['alert_groups off']);
    expect(groups).to.have.length(1);
    expect(await modesOf(() => store.flushGroup(groups[0].id, 'w', T0 + 11))).to.deep.equal(['alert_groups off', 'jobs off']);
  });

  it('writes a bookkeeping statement\'s values as the driver would bind them', async function () {
    const text = `SELECT $1::text AS s, $2::float8 AS f, $3::bigint AS i, $4::boolean AS b, $5::text AS z, $6::text[] AS a, $7::text[] AS e, $8::jsonb AS j, $1 || '' AS again`;
    const values = [`it's a \\ "quote" $1 ünï 🙂`, 1000 / 3, T0, true, null, ['a,b', '"q"', 'back\\slash', '', 'NULL', null, '{x}'], [], JSON.stringify({ k: "v'\\" })];
    const { rows: [inlined] } = await bookkeepingQuery(pool, text, values);
    const { rows: [bound] } = await pool.query(text, values);
    expect(inlined).to.deep.equal(bound);
    expect(inlined.a).to.deep.equal(values[5]);
    const missing = await bookkeepingQuery(pool, 'SELECT $2::text', ['x']).then(() => null, (err: Error) => err);
    expect(missing).to.be.instanceOf(RangeError);
  });
});
