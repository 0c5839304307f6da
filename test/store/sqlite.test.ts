import { expect } from 'chai';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import type { Store } from '../../src/store/store.js';
import { checkStatesContract } from './check-states-contract.js';
import { storeContract } from './contract.js';
import { timersContract } from './timers-contract.js';

/** Reaches into the store's database, for what the store API cannot do or say. */
function dbOf(store: Store): Database.Database {
  return (store as unknown as { db: Database.Database }).db;
}

describe('SQLite store', function () {
  let dir: string;
  let n = 0;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'aver-bridge-sqlite-'));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  // One process owns an SQLite store, so the several-replica tests do not apply (the suite says so).
  storeContract('sqlite', () => openSqliteStore(join(dir, `store-${++n}.db`)), {
    sql: async (store, statement) => {
      dbOf(store).exec(statement);
    },
  });

  checkStatesContract('sqlite', () => openSqliteStore(join(dir, `store-${++n}.db`)));

  timersContract('sqlite', () => openSqliteStore(join(dir, `store-${++n}.db`)));

  describe('migrate', function () {
    const T0 = 1_700_000_000_000;
    const event = {
      eventId: 'ev-1', type: 'LiveCheck', id: 'chk-1', groupId: 'grp-1', status: 'Completed', receivedAt: T0,
      unknownType: false, unknownStatus: false, raw: { status: 'Completed' },
    };

    function versions(path: string): Array<{ version: number; name: string }> {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT version, name FROM schema_versions ORDER BY version').all() as Array<{ version: number; name: string }>;
      } finally {
        db.close();
      }
    }

    function tableExists(path: string, name: string): boolean {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
      } finally {
        db.close();
      }
    }

    /**
     * A store as the previous version left it: the same steps applied (the first `applied` of them), counted in
     * one row of `schema_version` instead of recorded in schema_versions, holding one stored event.
     */
    async function previousVersionStore(applied: number): Promise<string> {
      const path = join(dir, `previous-${++n}.db`);
      const db = new Database(path);
      db.exec(SQLITE_MIGRATIONS.slice(0, applied).map((m) => m.sql).join('\n'));
      db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(applied);
      db.prepare(`INSERT INTO events (event_id, type, id, group_id, status, received_at, unknown_type, unknown_status, raw)
        VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)`).run(event.eventId, event.type, event.id, event.groupId, event.status, event.receivedAt, JSON.stringify(event.raw));
      db.close();
      return path;
    }

    it('records every step in schema_versions', async function () {
      const path = join(dir, `fresh-${++n}.db`);
      const store = await openSqliteStore(path);
      await store.migrate();
      await store.close();
      expect(versions(path)).to.deep.equal(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    });

    for (const applied of [SQLITE_MIGRATIONS.length, 1]) {
      it(`opens a store the previous version made (${applied} step${applied > 1 ? 's' : ''} counted in schema_version), data kept, steps recorded`, async function () {
        const path = await previousVersionStore(applied);
        const store = await openSqliteStore(path);
        try {
          await store.migrate();
          expect(await store.getEvent(event.eventId)).to.deep.equal({ event, routed: false, labels: null, details: null });
          await store.routeEvents([{ eventId: event.eventId, labels: { type: 'LiveCheck' }, details: null, jobs: [{ receiver: 'r1', entityKey: 'LiveCheck:chk-1', destinationKey: 'd' }] }], T0);
          expect((await store.claimJobs({ now: T0, limit: 10, owner: 'A', leaseMs: 1000 })).map((j) => j.eventId)).to.deep.equal([event.eventId]);
          expect(await store.queueStats(T0)).to.deep.equal([{ receiver: 'r1', pending: 1, oldestCreatedAt: T0, dead: 0 }]);
          await store.migrate();
        } finally {
          await store.close();
        }
        expect(versions(path)).to.deep.equal(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
        expect(tableExists(path, 'schema_version'), 'the old counter is gone').to.equal(false);
      });
    }
  });
});
