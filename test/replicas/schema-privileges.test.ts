import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import { usePostgres } from '../helpers/postgres.js';

/**
 * docs/delivery.md's ("Setting up PostgreSQL") second set-up: in an existing database, the bridge's role owns a schema of its own and has
 * no other rights. Every replica runs the migrations at start-up, so this is what each replica must be able to do.
 */
describe('replicas: a role that owns only its schema (PostgreSQL)', function () {
  this.timeout(20_000);
  const db = usePostgres('schema privilege tests');
  let admin: pg.Client | undefined;
  let role: string | undefined;
  let schema: string | undefined;

  afterEach(async () => {
    if (admin && schema) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    if (admin && role) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    await admin?.end();
  });

  it('migrates with ?schema= naming a schema the role owns, without CREATE on the database', async function () {
    admin = new pg.Client({ connectionString: db().url });
    await admin.connect();
    const { rows } = await admin.query('SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user');
    if (!rows[0]?.can) {
      console.warn('  ⚠ SKIPPED: the test server\'s user cannot create roles');
      this.skip();
    }
    role = `aver_test_role_${randomBytes(4).toString('hex')}`;
    schema = await db().freshSchema();
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    await admin.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`);
    const { rows: priv } = await admin.query('SELECT has_database_privilege($1, current_database(), \'CREATE\') AS create', [role]);
    expect(priv[0].create, 'the role has no CREATE on the database').to.equal(false);

    const url = new URL(db().urlFor(schema));
    url.username = role;
    url.password = '';
    const store = await openStore(url.toString());
    try {
      await store.ping();
      const { rows: tables } = await admin.query('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tableowner = $2', [schema, role]);
      expect(tables[0].n, "the bridge's tables, in its schema").to.be.above(0);
    } finally {
      await store.close();
    }
  });
});
