import { expect } from 'chai';
import { BridgeError } from '../../src/errors.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { usePostgres } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

describe('PostgreSQL store', function () {
  const db = usePostgres('PostgreSQL store tests');

  storeContract('postgres', () => db().freshStore(), { sibling: (store) => db().sibling(store) });

  describe('openPostgresStore', function () {
    it('takes the schema from the URL\'s ?schema= and records the applied migrations there', async function () {
      const schema = await db().freshSchema();
      const store = await openPostgresStore(db().urlFor(schema));
      try {
        await store.migrate();
        const check = await openPostgresStore(db().url);
        try {
          // Reach into the database only to see where the tables went; the store API cannot say.
          const { rows } = await (check as any).pool.query(`SELECT version FROM "${schema}".schema_versions ORDER BY version`);
          expect(rows.map((r: { version: number }) => r.version)).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => m.version));
        } finally {
          await check.close();
        }
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
        expect((err as BridgeError).code).to.equal('store_unavailable');
        expect((err as Error).message).to.contain('127.0.0.1:1/aver');
        expect((err as Error).message).not.to.contain('s3cret-pw');
      }
    });
  });
});
