import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';

/** The environment variable that names the test server (the lead's .ci/run sets it). */
export const TEST_POSTGRES_ENV = 'AVER_BRIDGE_TEST_POSTGRES_URL';

/** A reachable PostgreSQL for tests; every schema it hands out is dropped by cleanup(). */
export interface TestPostgres {
  url: string;
  /** A new, empty schema of this run (aver_test_<run>_<n>); not yet migrated. */
  freshSchema(): Promise<string>;
  /** `url` with the schema appended as `?schema=`, for child processes and openStore(). */
  urlFor(schema: string): string;
  /** A store (own pool) on a new, empty schema; not yet migrated. */
  freshStore(): Promise<Store>;
  /** Another store with its own pool on the same schema as `store`, as a second replica would have. */
  sibling(store: Store): Promise<Store>;
  /** Drops every schema this run created. */
  cleanup(): Promise<void>;
}

/** Connects to the test server, or says why the PostgreSQL tests cannot run. */
export async function connectTestPostgres(): Promise<TestPostgres | { skip: string }> {
  const url = process.env[TEST_POSTGRES_ENV];
  if (!url) return { skip: `${TEST_POSTGRES_ENV} is not set` };
  const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 3000 });
  admin.on('error', () => undefined);
  try {
    await admin.query('SELECT 1');
  } catch (err) {
    await admin.end().catch(() => undefined);
    return { skip: `PostgreSQL named by ${TEST_POSTGRES_ENV} is unreachable (${(err as Error).message})` };
  }
  const run = `aver_test_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  const schemaOf = new WeakMap<Store, string>();
  let n = 0;

  async function freshSchema(): Promise<string> {
    const schema = `${run}_${++n}`;
    schemas.push(schema);
    return schema;
  }

  return {
    url,
    freshSchema,
    urlFor: (schema) => `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`,
    async freshStore() {
      const schema = await freshSchema();
      const store = await openPostgresStore(url, { schema, poolSize: 4 });
      schemaOf.set(store, schema);
      return store;
    },
    async sibling(store) {
      const schema = schemaOf.get(store);
      if (!schema) throw new Error('sibling(): not a store from freshStore()');
      const other = await openPostgresStore(url, { schema, poolSize: 4 });
      schemaOf.set(other, schema);
      return other;
    },
    async cleanup() {
      try {
        for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * Registers before/after hooks in the calling describe(): skips its tests with a
 * visible warning when no PostgreSQL is available, and drops the schemas after.
 */
export function usePostgres(what: string): () => TestPostgres {
  let db: TestPostgres | undefined;
  before(async function () {
    const found = await connectTestPostgres();
    if ('skip' in found) {
      console.warn(`  ⚠ SKIPPED ${what}: ${found.skip}`);
      this.skip();
    }
    db = found;
  });
  after(async function () {
    await db?.cleanup();
  });
  return () => {
    if (!db) throw new Error('usePostgres(): PostgreSQL is not connected');
    return db;
  };
}
