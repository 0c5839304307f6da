import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { systemClock } from '../../src/clock.js';
import { createMetrics } from '../../src/metrics.js';
import type { DeliveryConfig } from '../../src/model/config.js';
import { createDeliveryWorker } from '../../src/pipeline/deliver-jobs.js';
import type { Receiver } from '../../src/receivers/receiver.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewEvent, Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';
import { memoryLogger } from './fakes.js';

const JOBS = 400;
const DELIVERY: DeliveryConfig = {
  // A poll far longer than the drain: every claim counted is one the worker asked for, not a timer's.
  concurrency: 16, timeoutMs: 5000, maxAgeMs: 3_600_000, leaseMs: 60_000, pollIntervalMs: 60_000,
  backoff: { baseMs: 100, factor: 2, capMs: 1000 },
};

/**
 * One channel's backlog drained by the real worker on a real store: how many claims it takes. Not a timing:
 * a claim per delivered job (a finished delivery claiming a channel's slice again, most of it given back or kept
 * behind the channel's limit) is what made PostgreSQL drain at ~40 messages/s; one claim serves a channel's share.
 * Before issue 17: 0.50 (SQLite) and 0.57 (PostgreSQL) claims per job, each PostgreSQL claim two or three statements
 * under a lock held across round trips; after: about 0.25, one statement each.
 */
function drainSuite(kind: string, open: () => Promise<Store>) {
  it(`drains ${JOBS} jobs of one channel with at most one claim per three deliveries (${kind})`, async function () {
    this.timeout(120_000);
    const store = await open();
    try {
      await store.migrate();
      const now = Date.now();
      const batch: NewEvent[] = Array.from({ length: JOBS }, (_, i) => ({
        event: { eventId: `ev-${i}`, type: 'LiveCheck', id: `chk-${i}`, groupId: 'g', status: 'Completed', receivedAt: now, unknownType: false, unknownStatus: false, raw: {} },
        dedupKey: `k-${i}`, dedupUntil: now + 60_000,
        preRouted: { labels: {}, jobs: [{ receiver: 'hook', entityKey: `LiveCheck:chk-${i}`, destinationKey: 'hook:one' }] },
      }));
      await store.appendEvents(batch);

      let claims = 0;
      const counted = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'claimJobs') return (o: Parameters<Store['claimJobs']>[0]) => (claims++, target.claimJobs(o));
          const value = Reflect.get(target, prop, receiver) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      let delivered = 0;
      let done!: () => void;
      const all = new Promise<void>((r) => { done = r; });
      const hook: Receiver = {
        name: 'hook', kind: 'webhook', pacing: { ratePerSecond: 1_000_000, burst: 1_000_000 }, usesHistory: false,
        destinationKey: () => 'hook:one',
        deliver: async () => {
          if (++delivered === JOBS) done();
          return { ok: true };
        },
      };
      const worker = createDeliveryWorker({
        store: counted, clock: systemClock, logger: memoryLogger().logger, metrics: createMetrics({ defaultMetrics: false }),
        owner: 'drain', receivers: () => new Map([['hook', hook]]), delivery: () => DELIVERY,
      });
      worker.start();
      await all;
      await worker.stop(5000);
      expect(delivered).to.equal(JOBS);
      expect(claims / JOBS, `${claims} claims for ${JOBS} deliveries`).to.be.at.most(0.35);
      expect(await store.listJobs({ state: 'pending', limit: 1 })).to.deep.equal([]);
    } finally {
      await store.close();
    }
  });
}

describe('draining one channel', () => {
  describe('on SQLite', () => {
    let dir: string;
    let n = 0;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'aver-bridge-drain-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));
    drainSuite('sqlite', async () => openSqliteStore(join(dir, `store-${++n}.db`)));
  });

  describe('on PostgreSQL', () => {
    const db = usePostgres('drain test on PostgreSQL');
    drainSuite('postgres', () => db().freshStore());
  });
});
