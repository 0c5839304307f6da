import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { storeContract } from './contract.js';

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
  storeContract('sqlite', () => openSqliteStore(join(dir, `store-${++n}.db`)));
});
