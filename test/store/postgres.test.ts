import { expect } from 'chai';
import type pg from 'pg';
import { BridgeError } from '../../src/errors.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import type { Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';
import { checkStatesContract } from './check-states-contract.js';
import { storeContract } from './contract.js';
import { timersContract } from './timers-contract.js';

/** Reaches into the store's connection pool, for what the store API cannot do or say. */
function poolOf(store: Store): pg.Pool {
  return (store as unknown as { pool: pg.Pool }).pool;
}

describe('PostgreSQL store', function () {
  const db = usePostgres('PostgreSQL store tests');

  storeContract('postgres', () => db().freshStore(), {
    sql: async (store, statement) => {
      await poolOf(store).query(statement);
    },
    sibling: (store) => db().sibling(store),
  });

  checkStatesContract('postgres', () => db().freshStore(), { sibling: (store) => db().sibling(store) });

  timersContract('postgres', () => db().freshStore());
  describe('watchWork (LISTEN/NOTIFY)', function () {
    it('tells every replica when another commits events, and when it routes them into jobs', async function () {
      const a = await db().freshStore();
      await a.migrate();
      const b = await db().sibling(a);
      try {
        const heard: string[] = [];
        let hear!: () => void;
        const next = () => new Promise<void>((r) => { hear = r; });
        const stop = a.watchWork!((kind) => { heard.push(kind); hear(); });
        // The listener connects in the background: notify until it hears, then check what it heard.
        const event = { eventId: 'ev-1', type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'Completed', receivedAt: 1, unknownType: false, unknownStatus: false, raw: {} };
        let heardEvents = next();
        for (let i = 0; heard.length === 0 && i < 50; i++) {
          await b.appendEvents([{ event: { ...event, eventId: `ev-${i}` }, dedupKey: `k-${i}`, dedupUntil: 2 }]);
          await Promise.race([heardEvents, new Promise((r) => setTimeout(r, 100))]);
        }
        expect(heard[0]).to.equal('events');
        heard.length = 0;
        heardEvents = next();
        await b.routeEvents([{ eventId: 'ev-0', labels: {}, details: null, jobs: [{ receiver: 'r', entityKey: 'LiveCheck:chk-1', destinationKey: 'r/c' }] }], 3);
        await heardEvents;
        expect(heard).to.deep.equal(['jobs']);
        stop();
      } finally {
        await b.close();
        await a.close();
      }
    });
  });

  describe('openPostgresStore', function () {
    it('takes the schema from the URL\'s ?schema= and records the applied migrations there', async function () {
      const schema = await db().freshSchema();
      const store = await openPostgresStore(db().urlFor(schema));
      try {
        await store.migrate();
        const check = await openPostgresStore(db().url);
        try {
          // Reach into the database only to see where the tables went; the store API cannot say.
          const { rows } = await poolOf(check).query(`SELECT version FROM "${schema}".schema_versions ORDER BY version`);
          expect(rows.map((r: { version: number }) => r.version)).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => m.version));
        } finally {
          await check.close();
        }
      } finally {
        await store.close();
      }
    });

    it('applies only the steps a store migrated by the previous version lacks, and records them', async function () {
      const schema = await db().freshSchema();
      const store = await openPostgresStore(db().urlFor(schema));
      try {
        await store.migrate();
        await store.appendEvents([{ event: {
          eventId: 'ev-1', type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'Completed', receivedAt: 1, unknownType: false, unknownStatus: false, raw: {},
        }, dedupKey: 'k', dedupUntil: 2 }]);
        // The previous version stopped at step 3.
        const pool = poolOf(store);
        await pool.query(`DROP INDEX jobs_done; DELETE FROM schema_versions WHERE version > 3`);
        await store.migrate();
        const { rows } = await pool.query('SELECT version, name FROM schema_versions ORDER BY version');
        expect(rows).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
        expect((await pool.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'jobs_done'`, [schema])).rowCount).to.equal(1);
        expect((await store.getEvent('ev-1'))?.event.id).to.equal('chk-1');
      } finally {
        await store.close();
      }
    });

    it('rejects a schema that is not a plain identifier', async function () {
      try {
        await openPostgresStore(db().url, { schema: 'x"; DROP TABLE jobs; --' });
        expect.fail('opened with a bad schema name');
      } catch (err) {
        expect(err).to.be.instanceOf(BridgeError);
        expect((err as BridgeError).code).to.equal('store_schema_invalid');
      }
    });

    it('says which server it cannot reach, without the password', async function () {
      try {
        await openPostgresStore('postgres://bridge:s3cret-pw@127.0.0.1:1/aver');
        expect.fail('opened a store on a closed port');
      } catch (err) {
        expect((err as BridgeError).code).to.equal('store_unreachable');
        expect((err as Error).message).to.contain('127.0.0.1:1/aver');
        expect((err as Error).message).not.to.contain('s3cret-pw');
      }
    });
  });
});
