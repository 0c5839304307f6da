import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../src/metrics.js';
import type { AverEvent, EventDetails } from '../../src/model/event.js';
import { routeEvents, type Enrich, type RoutingState } from '../../src/pipeline/route-events.js';
import type { Receiver } from '../../src/receivers/receiver.js';
import { buildRouteTree } from '../../src/routing/tree.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { RouteResult, Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';
import { postgresError, refusingStore } from '../helpers/refusing-store.js';
import { fakeClock, memoryLogger, T0 } from './fakes.js';

let n = 0;

function receiver(name: string): Receiver {
  return {
    name, kind: 'console', usesHistory: false, pacing: { ratePerSecond: 1000, burst: 1000 },
    destinationKey: () => `console:${name}`,
    deliver: async () => ({ ok: true }),
  };
}

/** Every event goes to "ops"; a Rejected one to "compliance" as well. */
const STATE: RoutingState = {
  tree: buildRouteTree({
    receiver: 'ops', matchers: [], continue: false,
    routes: [{ receiver: 'compliance', matchers: ['status="Rejected"'], continue: true, routes: [] }, { receiver: 'ops', matchers: [], continue: false, routes: [] }],
  }),
  receivers: new Map([['ops', receiver('ops')], ['compliance', receiver('compliance')]]),
  groups: {},
};

function routingSuite(name: string, open: () => Promise<Store>): void {
  describe(`routeEvents: one bad event never holds back the others (${name})`, function () {
    this.timeout(20_000);
    let store: Store;
    const clock = fakeClock();

    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });
    afterEach(() => store.close());

    async function appendAll(count: number, status = 'Rejected'): Promise<AverEvent[]> {
      const events = Array.from({ length: count }, (): AverEvent => {
        const id = `chk-${++n}`;
        return { eventId: `ev-${String(++n).padStart(6, '0')}`, type: 'LiveCheck', id, groupId: 'g', status, receivedAt: T0 + n, unknownType: false, unknownStatus: false, raw: { id } };
      });
      await store.appendEvents(events.map((event) => ({ event, dedupKey: event.eventId, dedupUntil: event.receivedAt + 1000 })));
      return events;
    }

    function deps(s: Store, enrich?: Enrich) {
      const log = memoryLogger();
      return { log, deps: { store: s, state: () => STATE, enrich, clock, logger: log.logger, metrics: createMetrics({ defaultMetrics: false }), leaseMs: 30_000 } };
    }

    const jobStates = async (e: AverEvent) => (await store.jobsForEvent(e.eventId)).map((j) => `${j.receiver}:${j.state}`);

    it('stores text from Aver\'s API made storable (a NUL or lone surrogate becomes U+FFFD), and routes the events beside it in the same pass', async () => {
      const events = await appendAll(6);
      const poisoned = events[2];
      const enrich: Enrich = async (e) => {
        const reason = e.eventId === poisoned.eventId ? 'Expired\u0000Documents' : 'ExpiredDocuments';
        const details: EventDetails = { available: true, statusReason: reason, warnings: e.eventId === poisoned.eventId ? ['Watch\ud800list'] : [] };
        return { labels: { statusReason: reason }, details };
      };
      const { deps: d } = deps(store, enrich);
      expect(await routeEvents(d)).to.equal(6);
      expect(await store.unroutedEvents(10)).to.deep.equal([]);
      const stored = await store.getEvent(poisoned.eventId);
      expect(stored?.details).to.deep.include({ statusReason: 'Expired\ufffdDocuments', warnings: ['Watch\ufffdlist'] });
      expect(stored?.labels?.statusReason).to.equal('Expired\ufffdDocuments');
      for (const e of events) expect(await jobStates(e), e.id).to.deep.equal(['compliance:pending', 'ops:pending']);
    });

    it('an event whose route result the store refuses is tried alone, then parked: a dead letter per receiver, with the reason; the others are routed', async () => {
      const events = await appendAll(6);
      const poisoned = events[3];
      const refusing = refusingStore(store, { routeEvents: (results: RouteResult[]) =>
        results.some((r) => r.eventId === poisoned.eventId) ? postgresError('22P05', 'unsupported Unicode escape sequence') : undefined });
      const { deps: d, log } = deps(refusing);
      expect(await routeEvents(d)).to.equal(6);
      expect(refusing.calls.routeEvents, 'the batch, then each event alone').to.deep.equal([events.map((e) => e.eventId), ...events.map((e) => [e.eventId])]);
      for (const e of events.filter((x) => x !== poisoned)) expect(await jobStates(e), e.id).to.deep.equal(['compliance:pending', 'ops:pending']);
      const parked = await store.jobsForEvent(poisoned.eventId);
      expect(parked.map((j) => `${j.receiver}:${j.state}`)).to.deep.equal(['compliance:dead', 'ops:dead']);
      for (const j of parked) expect(j.lastReason).to.match(/^not routed: .*unsupported Unicode escape sequence/);
      expect((await store.getEvent(poisoned.eventId))?.routed).to.equal(true);
      expect(log.lines.find((l) => l.msg === 'event parked: dead-lettered for each of its receivers')).to.deep.include({ eventId: poisoned.eventId, level: 40 });
      expect(await routeEvents(d), 'nothing left to route').to.equal(0);
    });

    it('an error no one can place, while the store takes the others: tried alone twice, then parked', async () => {
      const events = await appendAll(3, 'Completed');
      const refusing = refusingStore(store, { routeEvents: (results: RouteResult[]) => (results.some((r) => r.eventId === events[0].eventId) ? new Error('something odd') : undefined) });
      expect(await routeEvents(deps(refusing).deps)).to.equal(3);
      expect(await jobStates(events[0])).to.deep.equal(['ops:dead']);
      expect(await jobStates(events[1])).to.deep.equal(['ops:pending']);
    });

    it('a failing store parks nothing: routing fails, and every event stays unrouted to be tried again', async () => {
      const events = await appendAll(4);
      const down = refusingStore(store, { routeEvents: () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      let thrown: unknown;
      await routeEvents(deps(down).deps).catch((err: unknown) => (thrown = err));
      expect((thrown as { code?: string } | undefined)?.code).to.equal('ECONNREFUSED');
      expect(down.calls.routeEvents.length, 'the batch and two events alone, then it stops').to.equal(3);
      expect((await store.unroutedEvents(10)).map((e) => e.eventId)).to.deep.equal(events.map((e) => e.eventId));
      expect(await store.listJobs({ state: 'dead', limit: 10 })).to.deep.equal([]);
    });
  });
}

describe('routeEvents', () => {
  describe('on SQLite', () => {
    let dir: string;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'aver-bridge-route-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));
    routingSuite('sqlite', () => openSqliteStore(join(dir, `store-${++n}.db`)));
  });

  describe('on PostgreSQL', () => {
    const db = usePostgres('routing isolation tests on PostgreSQL');
    routingSuite('postgres', () => db().freshStore());
  });
});
