import { expect } from 'chai';
import type { AverEvent, Labels } from '../../src/model/event.js';
import type { AttemptRecord, DeliveryJob, MessageRef, NewJob } from '../../src/model/job.js';
import type { EventDetails } from '../../src/model/event.js';
import type { Store, TeamsInstallation } from '../../src/store/store.js';

export interface StoreContractOptions {
  /**
   * Runs one statement on the store's database, bypassing the store: for the few rows the API never writes
   * (left by an older version or an operator) that the store must still handle. The SQL is written to run on both.
   */
  sql: (store: Store, statement: string) => Promise<void>;
  /**
   * Opens a second store (its own connections) on the same database as `store`, as a
   * second replica would. Without it the several-replicas tests are skipped with a notice.
   */
  sibling?: (store: Store) => Promise<Store>;
}

const T0 = 1_700_000_000_000;
const LEASE = 30_000;

/**
 * The one suite every Store implementation passes. `make` opens a store on a
 * new, empty database (not yet migrated: the suite migrates it).
 */
export function storeContract(name: string, make: () => Promise<Store>, options: StoreContractOptions): void {
  describe(`Store contract: ${name}`, function () {
    let store: Store;
    const opened: Store[] = [];
    let n = 0;

    async function open(): Promise<Store> {
      const s = await make();
      opened.push(s);
      return s;
    }

    beforeEach(async function () {
      store = await open();
      await store.migrate();
    });

    afterEach(async function () {
      for (const s of opened.splice(0)) await s.close();
    });

    // ---- builders ----------------------------------------------------------------------------------

    function event(over: Partial<AverEvent> = {}): AverEvent {
      n++;
      const type = over.type ?? 'LiveCheck';
      const id = over.id ?? `chk-${n}`;
      const status = over.status ?? 'Completed';
      return {
        eventId: `ev-${String(n).padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`,
        type, id, groupId: 'grp-1', status, receivedAt: T0 + n, unknownType: false, unknownStatus: false,
        raw: { type, id, groupId: 'grp-1', status, extra: { nested: [1, 'two'] } },
        ...over,
      };
    }

    async function append(s: Store, e: AverEvent, key = `key:${e.eventId}`, until = e.receivedAt + 60_000) {
      const [r] = await s.appendEvents([{ event: e, dedupKey: key, dedupUntil: until }]);
      return r;
    }

    function labelsFor(e: AverEvent): Labels {
      return { type: e.type, status: e.status, groupId: e.groupId, group: e.groupId, id: e.id };
    }

    function jobsFor(e: AverEvent, receivers: string[], dest?: string): NewJob[] {
      return receivers.map((receiver) => ({ receiver, entityKey: `${e.type}:${e.id}`, destinationKey: dest ?? `${receiver}/channel` }));
    }

    /** Routes one event by itself (a batch of one). */
    function route(s: Store, eventId: string, labels: Labels, details: EventDetails | null, jobs: NewJob[], now: number) {
      return s.routeEvents([{ eventId, labels, details, jobs }], now);
    }

    /** Appends and routes one event; returns its job ids in receiver order. */
    async function routed(s: Store, e: AverEvent, receivers: string[] = ['r1'], opts: { now?: number; dest?: string; details?: EventDetails | null } = {}) {
      await append(s, e);
      await route(s, e.eventId, labelsFor(e), opts.details ?? null, jobsFor(e, receivers, opts.dest), opts.now ?? T0);
      return (await s.jobsForEvent(e.eventId)).map((j) => j.id);
    }

    /** Completes one leased job (a batch of one); false when the lease was lost. */
    async function complete(s: Store, jobId: number, owner: string, attempt: AttemptRecord, now: number): Promise<boolean> {
      const [done] = await s.completeJobs([{ jobId, owner, attempt, now }]);
      return done;
    }

    /** Claims one job of its own as `owner`, for storing a message ref as a delivery does. */
    async function claimedJob(s: Store, owner: string): Promise<number> {
      const receiver = `ref-writer-${++n}`;
      const [id] = await routed(s, event(), [receiver]);
      expect(ids(await claim(s, T0, owner, { receivers: [receiver] }))).to.deep.equal([id]);
      return id;
    }

    /** Stores a message ref as a delivery does: with the completion of the job that posted the message. */
    async function putRef(s: Store, receiver: string, entityKey: string, ref: MessageRef): Promise<void> {
      const jobId = await claimedJob(s, 'A');
      expect(await s.completeJobs([{ jobId, owner: 'A', attempt: ok(1, T0), now: T0, messageRef: { receiver, entityKey, ref } }])).to.deep.equal([true]);
    }

    function claim(s: Store, now: number, owner = 'A', over: Partial<Parameters<Store['claimJobs']>[0]> = {}) {
      return s.claimJobs({ now, limit: 100, owner, leaseMs: LEASE, ...over });
    }

    function ok(attempt: number, at: number): AttemptRecord {
      return { attempt, at, ok: true };
    }

    function failed(attempt: number, at: number, reason = 'HTTP 503 from the channel'): AttemptRecord {
      return { attempt, at, ok: false, code: 'serverError', reason };
    }

    const ids = (jobs: DeliveryJob[]) => jobs.map((j) => j.id);

    // ---- schema and health -------------------------------------------------------------------------

    describe('migrate / ping', function () {
      it('migrating again is harmless and keeps the data', async function () {
        const e = event();
        await append(store, e);
        await store.migrate();
        expect((await store.getEvent(e.eventId))?.event).to.deep.equal(e);
      });

      it('answers ping and names its kind', async function () {
        await store.ping();
        expect(['sqlite', 'postgres']).to.include(store.kind);
      });
    });

    // ---- inbox -------------------------------------------------------------------------------------

    describe('appendEvents', function () {
      it('stores every field of an event, raw extras included', async function () {
        const e = event({ unknownType: true, unknownStatus: true, type: 'FutureCheck', status: 'Pondering' });
        expect(await append(store, e)).to.deep.equal({ duplicate: false, eventId: e.eventId });
        expect(await store.getEvent(e.eventId)).to.deep.equal({ event: e, routed: false, labels: null, details: null });
      });

      it('returns one result per item, in order, for an empty or mixed batch', async function () {
        expect(await store.appendEvents([])).to.deep.equal([]);
        const held = event();
        await append(store, held, 'k2');
        const [a, b, c] = [event(), event(), event()];
        const results = await store.appendEvents([
          { event: a, dedupKey: 'k1', dedupUntil: T0 + 60_000 },
          { event: b, dedupKey: 'k2', dedupUntil: T0 + 60_000 },
          { event: c, dedupKey: 'k3', dedupUntil: T0 + 60_000 },
        ]);
        expect(results).to.deep.equal([
          { duplicate: false, eventId: a.eventId },
          { duplicate: true, eventId: held.eventId },
          { duplicate: false, eventId: c.eventId },
        ]);
        expect(await store.getEvent(b.eventId)).to.equal(null);
      });

      it('within one batch, a repeated key is a duplicate of its first occurrence', async function () {
        const [a, b, c] = [event(), event(), event()];
        const results = await store.appendEvents([
          { event: a, dedupKey: 'same', dedupUntil: T0 + 60_000 },
          { event: b, dedupKey: 'other', dedupUntil: T0 + 60_000 },
          { event: c, dedupKey: 'same', dedupUntil: T0 + 60_000 },
        ]);
        expect(results).to.deep.equal([
          { duplicate: false, eventId: a.eventId },
          { duplicate: false, eventId: b.eventId },
          { duplicate: true, eventId: a.eventId },
        ]);
        expect(await store.getEvent(c.eventId)).to.equal(null);
        expect((await store.recentEvents(10)).map((s) => s.event.eventId)).to.deep.equal([b.eventId, a.eventId]);
      });

      const windowCases: Array<{ title: string; secondAt: number; duplicate: boolean }> = [
        { title: 'inside the window', secondAt: T0 + 59_999, duplicate: true },
        { title: 'exactly at dedupUntil (the window is over)', secondAt: T0 + 60_000, duplicate: false },
        { title: 'after the window', secondAt: T0 + 90_000, duplicate: false },
      ];
      for (const c of windowCases) {
        it(`across batches, a repeat ${c.title} is ${c.duplicate ? 'a duplicate' : 'new'}`, async function () {
          const first = event({ receivedAt: T0 });
          await append(store, first, 'k', T0 + 60_000);
          const second = event({ receivedAt: c.secondAt });
          const r = await append(store, second, 'k', c.secondAt + 60_000);
          expect(r).to.deep.equal({ duplicate: c.duplicate, eventId: c.duplicate ? first.eventId : second.eventId });
          expect((await store.getEvent(second.eventId)) !== null).to.equal(!c.duplicate);
        });
      }

      it('a key taken again after its window opens a new window for the new event', async function () {
        const first = event({ receivedAt: T0 });
        await append(store, first, 'k', T0 + 1000);
        const second = event({ receivedAt: T0 + 5000 });
        await append(store, second, 'k', T0 + 6000);
        const third = event({ receivedAt: T0 + 5500 });
        expect(await append(store, third, 'k', T0 + 6500)).to.deep.equal({ duplicate: true, eventId: second.eventId });
      });

      it('stores a pre-routed event routed, with its jobs due at receipt, and a duplicate one without jobs', async function () {
        const e = event();
        const labels = { ...labelsFor(e), test: 'true' };
        const jobs = jobsFor(e, ['only-this-channel']);
        const [r] = await store.appendEvents([{ event: e, dedupKey: 'test-cmd', dedupUntil: e.receivedAt + 1, preRouted: { labels, jobs } }]);
        expect(r).to.deep.equal({ duplicate: false, eventId: e.eventId });
        expect(await store.getEvent(e.eventId)).to.deep.equal({ event: e, routed: true, labels, details: null });
        expect(await store.unroutedEvents(10)).to.deep.equal([]);
        const [job] = await store.jobsForEvent(e.eventId);
        expect(job).to.deep.include({ receiver: 'only-this-channel', state: 'pending', nextAttemptAt: e.receivedAt, createdAt: e.receivedAt });
        const again = event({ receivedAt: e.receivedAt });
        await store.appendEvents([{ event: again, dedupKey: 'test-cmd', dedupUntil: e.receivedAt + 1, preRouted: { labels, jobs: jobsFor(again, ['x']) } }]);
        expect(await store.listJobs({ limit: 10 })).to.have.length(1);
      });

      it('pruneDedup deletes only keys whose window has passed', async function () {
        await append(store, event({ receivedAt: T0 }), 'old', T0 + 1000);
        const live = event({ receivedAt: T0 });
        await append(store, live, 'live', T0 + 10_000);
        expect(await store.pruneDedup(T0 + 1000)).to.equal(1);
        expect(await store.pruneDedup(T0 + 1000)).to.equal(0);
        expect(await append(store, event({ receivedAt: T0 + 2000 }), 'live', T0 + 70_000)).to.deep.equal({ duplicate: true, eventId: live.eventId });
      });
    });

    describe('pruneDelivered (storage.retention)', function () {
      it('deletes delivered jobs updated before the cut, then events with no job left; keeps queued, dead, unrouted and newer', async function () {
        const cut = T0 + 10_000;
        // Delivered before the cut: job and event go.
        const oldDone = event();
        const [oldDoneJob] = await routed(store, oldDone);
        await claim(store, T0);
        expect(await complete(store, oldDoneJob, 'A', ok(1, T0), T0)).to.equal(true);
        // Two receivers, one delivered and one queued: the delivered job goes, the event stays with the queued one.
        const half = event();
        const [halfDone, halfQueued] = await routed(store, half, ['r1', 'r2']);
        await claim(store, T0, 'A', { receivers: ['r1'] });
        expect(await complete(store, halfDone, 'A', ok(1, T0), T0)).to.equal(true);
        // A dead letter stays, with its event (dead letters have their own purge).
        const dead = event();
        const [deadJob] = await routed(store, dead, ['r3']);
        await claim(store, T0, 'A', { receivers: ['r3'] });
        await store.deadLetterJob(deadJob, 'A', failed(1, T0), 'gave up', T0);
        // Not routed yet, though old: stays.
        const unrouted = event();
        await append(store, unrouted);
        // Delivered after the cut: stays.
        const recent = event({ receivedAt: cut + 1 });
        const [recentJob] = await routed(store, recent, ['r4']);
        await claim(store, cut + 1, 'A', { receivers: ['r4'] });
        expect(await complete(store, recentJob, 'A', ok(1, cut + 1), cut + 1)).to.equal(true);

        expect(await store.pruneDelivered(cut, 100)).to.deep.equal({ jobs: 2, events: 1 });
        expect(await store.getJob(oldDoneJob)).to.equal(null);
        expect(await store.getEvent(oldDone.eventId)).to.equal(null);
        expect(await store.getJob(halfDone)).to.equal(null);
        expect((await store.getJob(halfQueued))?.state).to.equal('pending');
        expect((await store.getEvent(half.eventId))?.event.eventId).to.equal(half.eventId);
        expect((await store.getJob(deadJob))?.state).to.equal('dead');
        expect(await store.getEvent(dead.eventId)).to.not.equal(null);
        expect(await store.getEvent(unrouted.eventId)).to.not.equal(null);
        expect((await store.getJob(recentJob))?.state).to.equal('done');
        expect(await store.getEvent(recent.eventId)).to.not.equal(null);
        expect(await store.pruneDelivered(cut, 100)).to.deep.equal({ jobs: 0, events: 0 });
      });

      it('takes the jobs delivered longest ago first (then by id), and the events received first', async function () {
        const [a, b, c, d] = [event(), event(), event(), event()];
        const [ja, jb, jc, jd] = [await routed(store, a), await routed(store, b), await routed(store, c), await routed(store, d)].map(([id]) => id);
        // Routed to nobody: no job holds it back.
        const x = event();
        await routed(store, x, []);
        expect(ids(await claim(store, T0))).to.deep.equal([ja, jb, jc, jd]);
        for (const [id, at] of [[jc, T0 + 1], [jd, T0 + 2], [ja, T0 + 2], [jb, T0 + 3]]) expect(await complete(store, id, 'A', ok(1, at), at)).to.equal(true);
        const cut = T0 + 10_000;
        const left = async () => ({
          jobs: (await Promise.all([ja, jb, jc, jd].map((id) => store.getJob(id)))).flatMap((j) => (j ? [j.id] : [])),
          events: (await Promise.all([a, b, c, d, x].map((e) => store.getEvent(e.eventId)))).flatMap((e) => (e ? [e.event.eventId] : [])),
        });
        // jc (delivered first), then ja and jd (delivered together: by id); events a and c are free, and x: by arrival.
        expect(await store.pruneDelivered(cut, 2)).to.deep.equal({ jobs: 2, events: 2 });
        expect(await left()).to.deep.equal({ jobs: [jb, jd], events: [b.eventId, d.eventId, x.eventId] });
        expect(await store.pruneDelivered(cut, 1)).to.deep.equal({ jobs: 1, events: 1 });
        expect(await left()).to.deep.equal({ jobs: [jb], events: [b.eventId, x.eventId] });
        expect(await store.pruneDelivered(cut, 1)).to.deep.equal({ jobs: 1, events: 1 });
        expect(await left()).to.deep.equal({ jobs: [], events: [x.eventId] });
        expect(await store.pruneDelivered(cut, 1)).to.deep.equal({ jobs: 0, events: 1 });
        expect(await store.pruneDelivered(cut, 1)).to.deep.equal({ jobs: 0, events: 0 });
      });

      it('deletes at most `limit` of each per call', async function () {
        for (let i = 0; i < 5; i++) {
          const [id] = await routed(store, event());
          await claim(store, T0);
          await complete(store, id, 'A', ok(1, T0), T0);
        }
        expect(await store.pruneDelivered(T0 + 10_000, 2)).to.deep.equal({ jobs: 2, events: 2 });
        expect(await store.pruneDelivered(T0 + 10_000, 10)).to.deep.equal({ jobs: 3, events: 3 });
      });
    });

    describe('unroutedEvents / routeEvents / getEvent / recentEvents', function () {
      it('lists unrouted events oldest first, up to the limit', async function () {
        const [a, b, c] = [event(), event(), event()];
        await store.appendEvents([a, b, c].map((e) => ({ event: e, dedupKey: e.eventId, dedupUntil: T0 + 60_000 })));
        expect((await store.unroutedEvents(2)).map((e) => e.eventId)).to.deep.equal([a.eventId, b.eventId]);
        await route(store, a.eventId, labelsFor(a), null, [], T0);
        expect(await store.unroutedEvents(10)).to.deep.equal([b, c]);
      });

      it('records labels, details and one pending job per receiver, due now', async function () {
        const e = event();
        await append(store, e);
        const details: EventDetails = { available: true, statusReason: 'Fraud', warnings: ['FaceMismatch'], watchlistHits: 2 };
        const labels = { ...labelsFor(e), risk: 'high' };
        await route(store, e.eventId, labels, details, jobsFor(e, ['slack', 'teams']), T0 + 5);
        expect(await store.getEvent(e.eventId)).to.deep.equal({ event: e, routed: true, labels, details });
        const jobs = await store.jobsForEvent(e.eventId);
        expect(jobs.map((j) => ({ ...j, id: 0 }))).to.deep.equal(['slack', 'teams'].map((receiver) => ({
          id: 0, eventId: e.eventId, receiver, entityKey: `LiveCheck:${e.id}`, destinationKey: `${receiver}/channel`, state: 'pending',
          attempts: 0, nextAttemptAt: T0 + 5, createdAt: T0 + 5, updatedAt: T0 + 5, lastReason: null, history: [], event: e,
        })));
        expect(jobs[0].id).to.be.below(jobs[1].id);
        expect(await store.getJob(jobs[1].id)).to.deep.equal(jobs[1]);
      });

      it('is idempotent: a second route of the same event changes nothing', async function () {
        const e = event();
        await routed(store, e, ['r1']);
        await route(store, e.eventId, { other: 'labels' }, { available: false }, jobsFor(e, ['r1', 'r2']), T0 + 1);
        const stored = await store.getEvent(e.eventId);
        expect(stored?.labels).to.deep.equal(labelsFor(e));
        expect(stored?.details).to.equal(null);
        expect((await store.jobsForEvent(e.eventId)).map((j) => j.receiver)).to.deep.equal(['r1']);
      });

      it('concurrent routes of the same event create its jobs once', async function () {
        const e = event();
        await append(store, e);
        await Promise.all([1, 2, 3].map(() => route(store, e.eventId, labelsFor(e), null, jobsFor(e, ['r1']), T0)));
        expect(await store.jobsForEvent(e.eventId)).to.have.length(1);
      });

      it('an event no route matched is routed with no jobs', async function () {
        const e = event();
        await routed(store, e, []);
        expect((await store.getEvent(e.eventId))?.routed).to.equal(true);
        expect(await store.unroutedEvents(10)).to.deep.equal([]);
        expect(await store.jobsForEvent(e.eventId)).to.deep.equal([]);
      });

      it('routeEvents records a batch as it records one event, skipping events already routed, in one call', async function () {
        const [a, b, c] = [event(), event({ id: 'same' }), event({ id: 'same' })];
        await routed(store, a, ['r1']);
        await store.appendEvents([b, c].map((e) => ({ event: e, dedupKey: e.eventId, dedupUntil: T0 + 60_000 })));
        const details: EventDetails = { available: false };
        await store.routeEvents([
          { eventId: a.eventId, labels: { other: 'labels' }, details, jobs: jobsFor(a, ['r1', 'r2']) },
          { eventId: b.eventId, labels: labelsFor(b), details, jobs: jobsFor(b, ['slack', 'teams']) },
          { eventId: c.eventId, labels: labelsFor(c), details: null, jobs: jobsFor(c, ['slack']) },
        ], T0 + 7);
        await store.routeEvents([], T0 + 8);
        expect(await store.getEvent(a.eventId)).to.deep.include({ labels: labelsFor(a), details: null });
        expect((await store.jobsForEvent(a.eventId)).map((j) => j.receiver)).to.deep.equal(['r1']);
        expect(await store.getEvent(b.eventId)).to.deep.equal({ event: b, routed: true, labels: labelsFor(b), details });
        expect(await store.getEvent(c.eventId)).to.deep.equal({ event: c, routed: true, labels: labelsFor(c), details: null });
        const bJobs = await store.jobsForEvent(b.eventId);
        const [cJob] = await store.jobsForEvent(c.eventId);
        expect(bJobs.map((j) => [j.receiver, j.nextAttemptAt, j.createdAt])).to.deep.equal([['slack', T0 + 7, T0 + 7], ['teams', T0 + 7, T0 + 7]]);
        expect(bJobs[0].id).to.be.below(bJobs[1].id);
        expect(await store.unroutedEvents(10)).to.deep.equal([]);
        // The entity's order holds across the batch: c's job waits for b's.
        const first = await claim(store, T0 + 7, 'A', { receivers: ['slack'] });
        expect(ids(first)).to.deep.equal([bJobs[0].id]);
        await complete(store, bJobs[0].id, 'A', ok(1, T0 + 8), T0 + 8);
        expect(ids(await claim(store, T0 + 8, 'A', { receivers: ['slack'] }))).to.deep.equal([cJob.id]);
      });

      it('an event listed twice in one routeEvents keeps its first result', async function () {
        const e = event();
        await append(store, e);
        await store.routeEvents([
          { eventId: e.eventId, labels: labelsFor(e), details: null, jobs: jobsFor(e, ['r1']) },
          { eventId: e.eventId, labels: { other: 'labels' }, details: { available: false }, jobs: jobsFor(e, ['r2']) },
        ], T0);
        expect(await store.getEvent(e.eventId)).to.deep.include({ labels: labelsFor(e), details: null });
        expect((await store.jobsForEvent(e.eventId)).map((j) => j.receiver)).to.deep.equal(['r1']);
      });

      it('concurrent routeEvents of overlapping batches create each event\'s jobs once', async function () {
        const evs = [event(), event(), event(), event()];
        await store.appendEvents(evs.map((e) => ({ event: e, dedupKey: e.eventId, dedupUntil: T0 + 60_000 })));
        const batch = (list: AverEvent[]) => list.map((e) => ({ eventId: e.eventId, labels: labelsFor(e), details: null, jobs: jobsFor(e, ['r1']) }));
        await Promise.all([
          store.routeEvents(batch(evs), T0), store.routeEvents(batch([...evs].reverse()), T0), store.routeEvents(batch(evs.slice(1, 3)), T0),
        ]);
        for (const e of evs) expect(await store.jobsForEvent(e.eventId)).to.have.length(1);
      });

      it('recentEvents lists newest first, routed or not', async function () {
        const [a, b, c] = [event(), event(), event()];
        await routed(store, a);
        await append(store, b);
        await append(store, c);
        const recent = await store.recentEvents(2);
        expect(recent.map((s) => s.event.eventId)).to.deep.equal([c.eventId, b.eventId]);
        expect(recent[0]).to.deep.equal({ event: c, routed: false, labels: null, details: null });
        expect(await store.getEvent('no-such-event')).to.equal(null);
      });
    });

    describe('entityHistory', function () {
      it('lists an entity\'s statuses oldest first, by type and id or id alone', async function () {
        const created = event({ id: 'X', status: 'Created' });
        const other = event({ id: 'Y', status: 'Created' });
        const sameIdOtherType = event({ id: 'X', type: 'WatchlistSearch', status: 'AwaitingReview' });
        const done = event({ id: 'X', status: 'Completed' });
        for (const e of [created, other, sameIdOtherType, done]) await append(store, e);
        const row = (e: AverEvent) => ({ status: e.status, at: e.receivedAt, type: e.type, eventId: e.eventId, groupId: e.groupId });
        expect(await store.entityHistory('X', 'LiveCheck')).to.deep.equal([row(created), row(done)]);
        expect(await store.entityHistory('X')).to.deep.equal([row(created), row(sameIdOtherType), row(done)]);
        expect(await store.entityHistory('nobody')).to.deep.equal([]);
      });
    });

    // ---- delivery jobs -----------------------------------------------------------------------------

    describe('claimJobs', function () {
      it('claims a due job under a lease, with its event, labels, details and attempt 1', async function () {
        const e = event();
        const details: EventDetails = { available: true, checkTypes: ['Document'] };
        const [id] = await routed(store, e, ['r1'], { details });
        const jobs = await claim(store, T0);
        expect(jobs).to.deep.equal([{
          id, eventId: e.eventId, receiver: 'r1', entityKey: `LiveCheck:${e.id}`, destinationKey: 'r1/channel',
          attempt: 1, createdAt: T0, event: e, labels: labelsFor(e), details,
        }]);
        expect((await store.getJob(id))?.attempts).to.equal(1);
        expect(await claim(store, T0 + 1, 'B')).to.deep.equal([]);
      });

      it('a long due backlog of skipped destinations hides no other destination\'s job, and order and entity rules still hold', async function () {
        this.timeout(20_000);
        // 600 due jobs on destination "held" come first; behind them, two entities on "b" and one on "c".
        const backlog = Array.from({ length: 600 }, () => event());
        const preRouted = (e: AverEvent, dest: string, at: number) => ({
          event: { ...e, receivedAt: at }, dedupKey: e.eventId, dedupUntil: at + 60_000,
          preRouted: { labels: labelsFor(e), jobs: jobsFor(e, ['r1'], dest) },
        });
        await store.appendEvents(backlog.map((e, i) => preRouted(e, 'held', T0 + i)));
        const [b1, b1later, b2, c1] = [event({ id: 'b1' }), event({ id: 'b1' }), event({ id: 'b2' }), event({ id: 'c1' })];
        await store.appendEvents([preRouted(b1, 'b', T0 + 700), preRouted(b1later, 'b', T0 + 701), preRouted(c1, 'c', T0 + 702), preRouted(b2, 'b', T0 + 703)]);
        const jobOf = async (e: AverEvent) => (await store.jobsForEvent(e.eventId))[0].id;
        const now = T0 + 1000;
        // b1later waits for b1 (same entity); the rest come in due order.
        expect(ids(await claim(store, now, 'A', { limit: 3, skipDestinations: ['held'] })))
          .to.deep.equal([await jobOf(b1), await jobOf(c1), await jobOf(b2)]);
        expect(await claim(store, now, 'A', { skipDestinations: ['held'] })).to.deep.equal([]);
        await complete(store, await jobOf(b1), 'A', ok(1, now), now);
        expect(ids(await claim(store, now, 'A', { limit: 5, skipDestinations: ['held', 'c'] }))).to.deep.equal([await jobOf(b1later)]);
        // Not skipped, the backlog comes first, oldest first.
        expect(ids(await claim(store, now, 'B', { limit: 2 }))).to.deep.equal([await jobOf(backlog[0]), await jobOf(backlog[1])]);
      });

      it('perDestination caps the jobs of each destination, and the claim fills up from the others, earliest due first', async function () {
        this.timeout(20_000);
        // 300 due jobs on "busy" first (more than the claim's window), then two on each of "x" and "y".
        const preRouted = (e: AverEvent, dest: string, at: number) => ({
          event: { ...e, receivedAt: at }, dedupKey: e.eventId, dedupUntil: at + 60_000,
          preRouted: { labels: labelsFor(e), jobs: jobsFor(e, ['r1'], dest) },
        });
        const backlog = Array.from({ length: 300 }, () => event());
        await store.appendEvents(backlog.map((e, i) => preRouted(e, 'busy', T0 + i)));
        const [x1, x2, y1, y2] = [event(), event(), event(), event()];
        await store.appendEvents([preRouted(x1, 'x', T0 + 400), preRouted(y1, 'y', T0 + 401), preRouted(x2, 'x', T0 + 402), preRouted(y2, 'y', T0 + 403)]);
        const jobOf = async (e: AverEvent) => (await store.jobsForEvent(e.eventId))[0].id;
        const now = T0 + 1000;
        const got = await claim(store, now, 'A', { limit: 10, perDestination: 2 });
        expect(ids(got).sort((a, b) => a - b)).to.deep.equal([
          await jobOf(backlog[0]), await jobOf(backlog[1]), await jobOf(x1), await jobOf(y1), await jobOf(x2), await jobOf(y2),
        ].sort((a, b) => a - b));
        // The rest of "busy", two at a time; the jobs leased stay out.
        expect(ids(await claim(store, now, 'B', { limit: 10, perDestination: 2 })).sort((a, b) => a - b))
          .to.deep.equal([await jobOf(backlog[2]), await jobOf(backlog[3])].sort((a, b) => a - b));
      });

      it('does not claim a job before it is due', async function () {
        const [id] = await routed(store, event(), ['r1'], { now: T0 + 1000 });
        expect(await claim(store, T0 + 999)).to.deep.equal([]);
        expect(ids(await claim(store, T0 + 1000))).to.deep.equal([id]);
      });

      it('an expired lease is claimable again, and the first holder has lost it', async function () {
        const [id] = await routed(store, event());
        await claim(store, T0, 'A');
        expect(await claim(store, T0 + LEASE - 1, 'B')).to.deep.equal([]);
        const [again] = await claim(store, T0 + LEASE, 'B');
        expect(again).to.include({ id, attempt: 2 });
        expect(await complete(store, id, 'A', ok(1, T0 + LEASE + 1), T0 + LEASE + 1)).to.equal(false);
        expect(await store.retryJob(id, 'A', failed(1, T0 + LEASE + 1), T0 + LEASE + 2)).to.equal(false);
        expect(await store.deadLetterJob(id, 'A', failed(1, T0 + LEASE + 1), 'gave up', T0 + LEASE + 1)).to.equal(false);
        expect(await complete(store, id, 'B', ok(2, T0 + LEASE + 2), T0 + LEASE + 2)).to.equal(true);
        expect((await store.getJob(id))?.history).to.deep.equal([ok(2, T0 + LEASE + 2)]);
      });

      it('withContext: the jobs of the receivers named come with the message ref and entity history the store holds for them; the others without', async function () {
        const first = event({ id: 'ctx', status: 'Created' });
        const second = event({ id: 'ctx', status: 'Completed' });
        const other = event({ id: 'ctx', type: 'Document', status: 'Completed' });
        await putRef(store, 'r1', `LiveCheck:ctx`, { channel: 'C1', messageId: '111.222', extra: { serviceUrl: 'https://x.example' } });
        const [j1] = await routed(store, first, ['r1', 'r2']);
        await routed(store, other, ['r1']);
        await routed(store, second, ['r1']);
        const claimed = await claim(store, T0, 'A', { withContext: ['r1'], receivers: ['r1', 'r2'] });
        const byReceiver = new Map(claimed.filter((j) => j.event.id === 'ctx' && j.event.type === 'LiveCheck').map((j) => [j.receiver, j]));
        expect(byReceiver.get('r1')?.id).to.equal(j1);
        expect(byReceiver.get('r1')?.context).to.deep.equal({
          previous: await store.getMessageRef('r1', 'LiveCheck:ctx'),
          history: await store.entityHistory('ctx', 'LiveCheck'),
        });
        expect(byReceiver.get('r1')?.context?.previous).to.deep.equal({ channel: 'C1', messageId: '111.222', extra: { serviceUrl: 'https://x.example' } });
        expect(byReceiver.get('r1')?.context?.history.map((h) => [h.eventId, h.status])).to.deep.equal([[first.eventId, 'Created'], [second.eventId, 'Completed']]);
        expect(byReceiver.get('r2'), 'a receiver not named').to.have.property('receiver', 'r2').and.not.to.have.property('context');
        // No ref stored for the Document: previous null, its own one-event history.
        const doc = claimed.find((j) => j.event.type === 'Document');
        expect(doc?.context).to.deep.equal({ previous: null, history: [{ status: 'Completed', at: other.receivedAt, type: 'Document', eventId: other.eventId, groupId: 'grp-1' }] });
      });

      it('claims at most one job per (receiver, entity): the oldest', async function () {
        const first = event({ id: 'E', status: 'Created' });
        const second = event({ id: 'E', status: 'Completed' });
        const [j1] = await routed(store, first);
        const [j2] = await routed(store, second);
        expect(ids(await claim(store, T0))).to.deep.equal([j1]);
        expect(await claim(store, T0, 'B')).to.deep.equal([]);
        await complete(store, j1, 'A', ok(1, T0), T0);
        expect(ids(await claim(store, T0, 'B'))).to.deep.equal([j2]);
      });

      const blockers: Array<{ title: string; settle: (s: Store, id: number) => Promise<unknown>; frees: boolean }> = [
        { title: 'leased', settle: async () => undefined, frees: false },
        { title: 'waiting for its retry', settle: (s, id) => s.retryJob(id, 'A', failed(1, T0), T0 + 60_000), frees: false },
        { title: 'released for later (paced)', settle: (s, id) => s.releaseJob(id, 'A', T0 + 60_000), frees: false },
        { title: 'done', settle: (s, id) => complete(s, id, 'A', ok(1, T0), T0), frees: true },
        { title: 'dead', settle: (s, id) => s.deadLetterJob(id, 'A', failed(1, T0), 'rejected by the channel', T0), frees: true },
      ];
      for (const b of blockers) {
        it(`a later job of the entity is ${b.frees ? '' : 'not '}claimable while the earlier one is ${b.title}`, async function () {
          const [j1] = await routed(store, event({ id: 'E' }));
          const [j2] = await routed(store, event({ id: 'E' }));
          await claim(store, T0, 'A');
          await b.settle(store, j1);
          expect(ids(await claim(store, T0 + 1, 'B'))).to.deep.equal(b.frees ? [j2] : []);
        });
      }

      it('orders per receiver: other receivers and other entities are not held back', async function () {
        const [a1, a2] = await routed(store, event({ id: 'E' }), ['r1', 'r2']);
        const [b1] = await routed(store, event({ id: 'E' }), ['r1']);
        const [c1] = await routed(store, event({ id: 'F' }), ['r1']);
        expect(ids(await claim(store, T0)).sort((x, y) => x - y)).to.deep.equal([a1, a2, c1]);
        expect(b1).to.be.above(a2);
      });

      it('takes the oldest jobs first, up to the limit', async function () {
        const made = [];
        for (let i = 0; i < 5; i++) made.push(...(await routed(store, event())));
        expect(ids(await claim(store, T0, 'A', { limit: 2 }))).to.deep.equal(made.slice(0, 2));
        expect(ids(await claim(store, T0, 'B', { limit: 10 }))).to.deep.equal(made.slice(2));
      });

      it('claims only the receivers asked for', async function () {
        const [j1, j2] = await routed(store, event(), ['known', 'removed']);
        expect(ids(await claim(store, T0, 'A', { receivers: ['known'] }))).to.deep.equal([j1]);
        expect(await claim(store, T0, 'A', { receivers: [] })).to.deep.equal([]);
        expect(ids(await claim(store, T0, 'A'))).to.deep.equal([j2]);
      });

      it('skips destinations asked to skip, without claiming a later job of the entity instead', async function () {
        const [j1] = await routed(store, event({ id: 'E' }), ['r1'], { dest: 'paused' });
        await routed(store, event({ id: 'E' }), ['r1'], { dest: 'open' });
        const [k1] = await routed(store, event({ id: 'F' }), ['r1'], { dest: 'open' });
        expect(ids(await claim(store, T0, 'A', { skipDestinations: ['paused'] }))).to.deep.equal([k1]);
        expect(ids(await claim(store, T0, 'A', { skipDestinations: [] }))).to.deep.equal([j1]);
      });

      it('orders an entity by event arrival even when a later event was routed first', async function () {
        const first = event({ id: 'E', status: 'AwaitingReview' });
        const second = event({ id: 'E', status: 'Rejected' });
        await append(store, first);
        await append(store, second);
        await route(store, second.eventId, labelsFor(second), null, jobsFor(second, ['r1']), T0);
        // An earlier event of the entity is still being routed (enrichment can be slow): the later job waits.
        expect(await claim(store, T0)).to.deep.equal([]);
        await route(store, first.eventId, labelsFor(first), null, jobsFor(first, ['r1']), T0);
        const [j] = await claim(store, T0);
        expect(j.eventId).to.equal(first.eventId);
      });

      it('an earlier event routed to nobody does not hold the entity back', async function () {
        const first = event({ id: 'E' });
        await append(store, first);
        const [j2] = await routed(store, event({ id: 'E' }));
        await route(store, first.eventId, labelsFor(first), null, [], T0);
        expect(ids(await claim(store, T0))).to.deep.equal([j2]);
      });

      it('never has two jobs of one entity in flight, even when an earlier dead letter is retried', async function () {
        const [j1] = await routed(store, event({ id: 'E' }));
        const [j2] = await routed(store, event({ id: 'E' }));
        await claim(store, T0, 'A');
        await store.deadLetterJob(j1, 'A', failed(1, T0), 'rejected', T0);
        expect(ids(await claim(store, T0, 'B'))).to.deep.equal([j2]);
        expect(await store.retryDeadLetter(j1, T0 + 1)).to.equal(true);
        expect(await claim(store, T0 + 1, 'A')).to.deep.equal([]);
        await complete(store, j2, 'B', ok(1, T0 + 2), T0 + 2);
        expect(ids(await claim(store, T0 + 2, 'A'))).to.deep.equal([j1]);
      });

      it('concurrent claims on one store never return the same job', async function () {
        for (let i = 0; i < 40; i++) await routed(store, event());
        const [a, b] = await Promise.all([claim(store, T0, 'A', { limit: 25 }), claim(store, T0, 'B', { limit: 25 })]);
        const all = [...ids(a), ...ids(b)];
        expect(new Set(all).size).to.equal(all.length);
        expect(all).to.have.length(40);
      });
    });

    describe('completeJobs / retryJob / deadLetterJob / releaseJob / releaseLeases', function () {
      it('completeJobs marks the job done with its attempt, once', async function () {
        const [id] = await routed(store, event());
        await claim(store, T0);
        expect(await complete(store, id, 'B', ok(1, T0 + 1), T0 + 1)).to.equal(false);
        expect(await complete(store, id, 'A', ok(1, T0 + 1), T0 + 1)).to.equal(true);
        expect(await complete(store, id, 'A', ok(1, T0 + 2), T0 + 2)).to.equal(false);
        expect(await store.getJob(id)).to.deep.include({ state: 'done', attempts: 1, updatedAt: T0 + 1, history: [ok(1, T0 + 1)], lastReason: null });
        expect(await claim(store, T0 + LEASE * 2)).to.deep.equal([]);
      });

      it('completeJobs completes a batch in order, one result per item, storing message refs first', async function () {
        const [x] = await routed(store, event({ id: 'x' }));
        const [y] = await routed(store, event({ id: 'y' }));
        const [z] = await routed(store, event({ id: 'z' }));
        expect(ids(await claim(store, T0))).to.deep.equal([x, y, z]);
        expect(await store.completeJobs([])).to.deep.equal([]);
        const ref1 = { channel: 'C1', messageId: '1700000000.000100' };
        const ref2 = { channel: 'C1', messageId: '1700000000.000200', extra: { thread: 't' } };
        const results = await store.completeJobs([
          { jobId: x, owner: 'A', attempt: ok(1, T0 + 1), now: T0 + 1, messageRef: { receiver: 'r1', entityKey: 'LiveCheck:x', ref: ref1 } },
          { jobId: y, owner: 'B', attempt: ok(1, T0 + 2), now: T0 + 2, messageRef: { receiver: 'r1', entityKey: 'LiveCheck:y', ref: ref1 } },
          { jobId: z, owner: 'A', attempt: ok(1, T0 + 3), now: T0 + 3, messageRef: { receiver: 'r1', entityKey: 'LiveCheck:x', ref: ref2 } },
          { jobId: x, owner: 'A', attempt: ok(1, T0 + 4), now: T0 + 4 },
        ]);
        expect(results).to.deep.equal([true, false, true, false]);
        expect(await store.getJob(x)).to.deep.include({ state: 'done', updatedAt: T0 + 1, history: [ok(1, T0 + 1)], lastReason: null });
        expect(await store.getJob(y)).to.deep.include({ state: 'pending', attempts: 1, history: [] });
        expect(await store.getJob(z)).to.deep.include({ state: 'done', updatedAt: T0 + 3, history: [ok(1, T0 + 3)] });
        // The ref is kept even when the lease was lost (the message exists), and the later one of an entity wins.
        expect(await store.getMessageRef('r1', 'LiveCheck:y')).to.deep.equal(ref1);
        expect(await store.getMessageRef('r1', 'LiveCheck:x')).to.deep.equal(ref2);
        expect(await complete(store, y, 'A', ok(1, T0 + 5), T0 + 5)).to.equal(true);
      });

      it('retryJob records the attempt and its reason, releases the lease, and the job waits until nextAttemptAt', async function () {
        const [id] = await routed(store, event());
        await claim(store, T0);
        expect(await store.retryJob(id, 'B', failed(1, T0 + 1), T0 + 5000)).to.equal(false);
        expect(await store.retryJob(id, 'A', failed(1, T0 + 1), T0 + 5000)).to.equal(true);
        expect(await store.getJob(id)).to.deep.include({
          state: 'pending', attempts: 1, nextAttemptAt: T0 + 5000, lastReason: 'HTTP 503 from the channel', history: [failed(1, T0 + 1)],
        });
        expect(await complete(store, id, 'A', ok(1, T0 + 2), T0 + 2)).to.equal(false);
        expect(await claim(store, T0 + 4999, 'B')).to.deep.equal([]);
        const [again] = await claim(store, T0 + 5000, 'B');
        expect(again).to.include({ id, attempt: 2 });
      });

      it('deadLetterJob by the lease holder keeps the attempt and the reason', async function () {
        const [id] = await routed(store, event());
        await claim(store, T0);
        expect(await store.deadLetterJob(id, 'B', failed(1, T0 + 1), 'x', T0 + 1)).to.equal(false);
        expect(await store.deadLetterJob(id, 'A', failed(1, T0 + 1, 'channel_not_found'), 'invite the bot to #kyc', T0 + 1)).to.equal(true);
        expect(await store.getJob(id)).to.deep.include({
          state: 'dead', attempts: 1, updatedAt: T0 + 1, lastReason: 'invite the bot to #kyc', history: [failed(1, T0 + 1, 'channel_not_found')],
        });
        expect(await store.deadLetterJob(id, null, null, 'again', T0 + 2)).to.equal(false);
      });

      it('deadLetterJob without an owner takes any pending job, with no attempt recorded', async function () {
        const [id] = await routed(store, event());
        expect(await store.deadLetterJob(id, null, null, 'receiver removed', T0 + 3)).to.equal(true);
        expect(await store.getJob(id)).to.deep.include({ state: 'dead', attempts: 0, history: [], lastReason: 'receiver removed' });
      });

      it('releaseJob gives one job back, due later, without counting the attempt', async function () {
        const [id] = await routed(store, event());
        await claim(store, T0);
        expect(await store.releaseJob(id, 'B', T0 + 100)).to.equal(false);
        expect(await store.releaseJob(id, 'A', T0 + 100)).to.equal(true);
        expect(await store.getJob(id)).to.deep.include({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 100 });
        expect(await claim(store, T0 + 99, 'B')).to.deep.equal([]);
        expect((await claim(store, T0 + 100, 'B'))[0]).to.include({ id, attempt: 1 });
      });

      it('releaseLeases gives back only the owner\'s leases, without counting the attempts', async function () {
        const [a] = await routed(store, event());
        const [b] = await routed(store, event());
        const [c] = await routed(store, event());
        await claim(store, T0, 'A', { limit: 2 });
        await claim(store, T0, 'B');
        expect(await store.releaseLeases('A')).to.equal(2);
        expect(await store.releaseLeases('A')).to.equal(0);
        const again = await claim(store, T0 + 1, 'C');
        expect(again.map((j) => [j.id, j.attempt])).to.deep.equal([[a, 1], [b, 1]]);
        expect(await complete(store, c, 'B', ok(1, T0 + 1), T0 + 1)).to.equal(true);
      });

      it('releaseJob and releaseLeases give the claim\'s attempt back and never take attempts below zero', async function () {
        const [a] = await routed(store, event());
        const [b] = await routed(store, event());
        for (let round = 0; round < 2; round++) {
          expect((await claim(store, T0, 'A')).map((j) => j.attempt), `round ${round}`).to.deep.equal([1, 1]);
          expect(await store.releaseJob(a, 'A', T0)).to.equal(true);
          expect(await store.releaseLeases('A')).to.equal(1);
          for (const id of [a, b]) expect((await store.getJob(id))?.attempts, `round ${round}, job ${id}`).to.equal(0);
        }
        // Leased with no attempt counted: the API never leaves a job so, a row edited by hand might.
        await claim(store, T0, 'A');
        await options.sql(store, `UPDATE jobs SET attempts = 0 WHERE id IN (${a}, ${b})`);
        expect(await store.releaseJob(a, 'A', T0)).to.equal(true);
        expect(await store.releaseLeases('A')).to.equal(1);
        for (const id of [a, b]) expect(await store.getJob(id), `job ${id}`).to.deep.include({ state: 'pending', attempts: 0 });
        expect((await claim(store, T0, 'B')).map((j) => [j.id, j.attempt])).to.deep.equal([[a, 1], [b, 1]]);
      });
    });

    describe('job listings and queueStats', function () {
      it('getJob, jobsForEvent and listJobs (newest first, filtered)', async function () {
        const [a1, a2] = await routed(store, event(), ['r1', 'r2']);
        const [b1] = await routed(store, event(), ['r1']);
        await claim(store, T0, 'A', { receivers: ['r2'] });
        await store.deadLetterJob(a2, 'A', failed(1, T0), 'dead', T0);
        expect(await store.getJob(999_999)).to.equal(null);
        expect(await store.jobsForEvent('no-such-event')).to.deep.equal([]);
        expect((await store.listJobs({ limit: 10 })).map((j) => j.id)).to.deep.equal([b1, a2, a1]);
        expect((await store.listJobs({ limit: 2 })).map((j) => j.id)).to.deep.equal([b1, a2]);
        expect((await store.listJobs({ state: 'dead', limit: 10 })).map((j) => j.id)).to.deep.equal([a2]);
        expect((await store.listJobs({ state: 'pending', receiver: 'r1', limit: 10 })).map((j) => j.id)).to.deep.equal([b1, a1]);
        expect(await store.listJobs({ state: 'done', limit: 10 })).to.deep.equal([]);
      });

      it('queueStats counts pending and dead jobs per receiver and the oldest pending', async function () {
        expect(await store.queueStats(T0)).to.deep.equal([]);
        const [x1, y1] = await routed(store, event(), ['x', 'y'], { now: T0 + 10 });
        await routed(store, event(), ['x'], { now: T0 + 20 });
        const [z1] = await routed(store, event(), ['z'], { now: T0 + 30 });
        await store.deadLetterJob(y1, null, null, 'dead', T0 + 40);
        await claim(store, T0 + 40, 'A', { receivers: ['z'] });
        await complete(store, z1, 'A', ok(1, T0 + 41), T0 + 41);
        await claim(store, T0 + 40, 'A', { receivers: ['x'] });
        expect(x1).to.be.a('number');
        expect(await store.queueStats(T0 + 50)).to.deep.equal([
          { receiver: 'x', pending: 2, oldestCreatedAt: T0 + 10, dead: 0 },
          { receiver: 'y', pending: 0, oldestCreatedAt: null, dead: 1 },
        ]);
      });
    });

    describe('dead letters', function () {
      async function deadJob(receiver = 'r1', at = T0): Promise<number> {
        const [id] = await routed(store, event(), [receiver]);
        await claim(store, at, 'A', { receivers: [receiver] });
        await store.deadLetterJob(id, 'A', failed(1, at), 'gave up', at);
        return id;
      }

      it('retryDeadLetter puts it back due now, history and attempts kept, its age restarted', async function () {
        const id = await deadJob();
        expect(await store.retryDeadLetter(id, T0 + 500)).to.equal(true);
        expect(await store.retryDeadLetter(id, T0 + 500)).to.equal(false);
        expect(await store.getJob(id)).to.deep.include({
          state: 'pending', nextAttemptAt: T0 + 500, createdAt: T0 + 500, attempts: 1, history: [failed(1, T0)],
        });
        const [again] = await claim(store, T0 + 500, 'B');
        expect(again).to.include({ id, attempt: 2, createdAt: T0 + 500 });
      });

      it('retryDeadLetter leaves jobs that are not dead alone', async function () {
        const [id] = await routed(store, event());
        expect(await store.retryDeadLetter(id, T0)).to.equal(false);
        expect(await store.retryDeadLetter(424_242, T0)).to.equal(false);
      });

      it('retryAllDeadLetters retries every dead letter, or one receiver\'s', async function () {
        await deadJob('r1');
        await deadJob('r1');
        const other = await deadJob('r2');
        expect(await store.retryAllDeadLetters(T0 + 1, 'r1')).to.equal(2);
        expect((await store.getJob(other))?.state).to.equal('dead');
        expect(await store.retryAllDeadLetters(T0 + 2)).to.equal(1);
        expect(await store.listJobs({ state: 'dead', limit: 10 })).to.deep.equal([]);
      });

      it('purgeDeadLetters deletes dead letters older than the cut-off, nothing else', async function () {
        const old = await deadJob('r1', T0);
        const recent = await deadJob('r1', T0 + 1000);
        const [pending] = await routed(store, event());
        expect(await store.purgeDeadLetters(T0 + 1000)).to.equal(1);
        expect(await store.getJob(old)).to.equal(null);
        expect((await store.getJob(recent))?.state).to.equal('dead');
        expect((await store.getJob(pending))?.state).to.equal('pending');
      });

      it('deadLetterReceivers dead-letters the pending jobs (leased or not) of the receivers named, and only those', async function () {
        const [keep, goneDone] = await routed(store, event(), ['kept', 'gone']);
        await claim(store, T0, 'A', { receivers: ['gone'] });
        await complete(store, goneDone, 'A', ok(1, T0), T0);
        const [goneLeased] = await routed(store, event(), ['gone']);
        await claim(store, T0, 'A', { receivers: ['gone'] });
        const [gonePending] = await routed(store, event(), ['gone']);
        const [otherGone] = await routed(store, event(), ['also-gone']);
        const reason = 'receiver removed';
        expect(await store.deadLetterReceivers([], reason, T0 + 9)).to.equal(0);
        expect(await store.deadLetterReceivers(['gone'], reason, T0 + 9)).to.equal(2);
        expect((await store.getJob(keep))?.state).to.equal('pending');
        expect((await store.getJob(otherGone))?.state).to.equal('pending');
        expect((await store.getJob(goneDone))?.state).to.equal('done');
        expect(await store.getJob(gonePending)).to.deep.include({ state: 'dead', lastReason: reason, updatedAt: T0 + 9 });
        expect(await store.getJob(goneLeased)).to.deep.include({ state: 'dead', lastReason: reason });
        expect(await complete(store, goneLeased, 'A', ok(1, T0 + 10), T0 + 10)).to.equal(false);
      });

      it('deadLetterReceivers with createdBefore leaves younger jobs queued', async function () {
        const [old] = await routed(store, event(), ['gone'], { now: T0 });
        const [young] = await routed(store, event(), ['gone'], { now: T0 + 5000 });
        expect(await store.deadLetterReceivers(['gone'], 'receiver removed', T0 + 6000, T0 + 1000)).to.equal(1);
        expect((await store.getJob(old))?.state).to.equal('dead');
        expect((await store.getJob(young))?.state).to.equal('pending');
      });
    });

    // ---- pacing ------------------------------------------------------------------------------------

    describe('takeSendSlot / pauseDestination', function () {
      it('allows a burst, then one send per interval, saying how long to wait', async function () {
        const steps: Array<[number, { ok: true } | { ok: false; waitMs: number }]> = [
          [T0, { ok: true }], [T0, { ok: true }], [T0, { ok: true }],
          [T0, { ok: false, waitMs: 1000 }],
          [T0 + 400, { ok: false, waitMs: 600 }],
          [T0 + 1000, { ok: true }],
          [T0 + 1000, { ok: false, waitMs: 1000 }],
          [T0 + 10_000, { ok: true }], [T0 + 10_000, { ok: true }], [T0 + 10_000, { ok: true }],
          [T0 + 10_000, { ok: false, waitMs: 1000 }],
        ];
        for (const [i, [now, expected]] of steps.entries()) {
          expect(await store.takeSendSlot('slack:C1', now, 1000, 3), `step ${i}`).to.deep.equal(expected);
        }
      });

      it('keeps a bucket per destination', async function () {
        expect(await store.takeSendSlot('a', T0, 1000, 1)).to.deep.equal({ ok: true });
        expect(await store.takeSendSlot('b', T0, 1000, 1)).to.deep.equal({ ok: true });
        expect(await store.takeSendSlot('a', T0, 1000, 1)).to.deep.equal({ ok: false, waitMs: 1000 });
      });

      it('floors the burst (at least 1) and rounds the wait up to a whole millisecond (at least 1)', async function () {
        const steps: Array<[string, number, number, number, { ok: true } | { ok: false; waitMs: number }]> = [
          // A burst of 2.7 is 2.
          ['frac', T0, 1000, 2.7, { ok: true }], ['frac', T0, 1000, 2.7, { ok: true }], ['frac', T0, 1000, 2.7, { ok: false, waitMs: 1000 }],
          // A burst under 1 still lets one send through.
          ['tiny', T0, 1000, 0.5, { ok: true }], ['tiny', T0, 1000, 0.5, { ok: false, waitMs: 1000 }],
          ['zero', T0, 1000, 0, { ok: true }], ['zero', T0, 1000, 0, { ok: false, waitMs: 1000 }],
          // 7 a second: an interval of 142.857… ms.
          ['seven', T0, 1000 / 7, 1, { ok: true }],
          ['seven', T0, 1000 / 7, 1, { ok: false, waitMs: 143 }],
          ['seven', T0 + 142, 1000 / 7, 1, { ok: false, waitMs: 1 }],
          ['seven', T0 + 143, 1000 / 7, 1, { ok: true }],
          ['seven', T0 + 200, 1000 / 7, 1, { ok: false, waitMs: 86 }],
        ];
        for (const [i, [key, now, intervalMs, burst, expected]] of steps.entries()) {
          expect(await store.takeSendSlot(key, now, intervalMs, burst), `step ${i}: ${key} at +${now - T0}`).to.deep.equal(expected);
        }
      });

      it('a paused destination waits for whichever ends later, the pause or its bucket', async function () {
        for (let i = 0; i < 3; i++) expect(await store.takeSendSlot('p', T0, 1000, 1)).to.deep.equal(i === 0 ? { ok: true } : { ok: false, waitMs: 1000 });
        await store.pauseDestination('p', T0 + 500);
        expect(await store.takeSendSlot('p', T0, 1000, 1)).to.deep.equal({ ok: false, waitMs: 1000 });
        await store.pauseDestination('p', T0 + 2500);
        expect(await store.takeSendSlot('p', T0, 1000, 1)).to.deep.equal({ ok: false, waitMs: 2500 });
        expect(await store.takeSendSlot('p', T0 + 2500, 1000, 1)).to.deep.equal({ ok: true });
      });

      it('a pause holds the destination until its end, and a shorter pause does not shorten it', async function () {
        await store.pauseDestination('d', T0 + 5000);
        await store.pauseDestination('d', T0 + 2000);
        expect(await store.takeSendSlot('d', T0, 1000, 3)).to.deep.equal({ ok: false, waitMs: 5000 });
        expect(await store.takeSendSlot('d', T0 + 4999, 1000, 3)).to.deep.equal({ ok: false, waitMs: 1 });
        expect(await store.takeSendSlot('d', T0 + 5000, 1000, 3)).to.deep.equal({ ok: true });
        expect(await store.takeSendSlot('other', T0, 1000, 3)).to.deep.equal({ ok: true });
      });
    });

    // ---- message references and installations -----------------------------------------------------

    describe('message references', function () {
      it('keeps one reference per (receiver, entity); a later put replaces it (the message was posted anew)', async function () {
        expect(await store.getMessageRef('slack', 'LiveCheck:1')).to.equal(null);
        await putRef(store, 'slack', 'LiveCheck:1', { channel: 'C1', messageId: '1700000000.000100' });
        await putRef(store, 'teams', 'LiveCheck:1', { channel: '19:abc@thread.tacv2', messageId: 'act-1', extra: { serviceUrl: 'https://smba.example/amer/' } });
        expect(await store.getMessageRef('slack', 'LiveCheck:1')).to.deep.equal({ channel: 'C1', messageId: '1700000000.000100' });
        await putRef(store, 'slack', 'LiveCheck:1', { channel: 'C2', messageId: '1700000000.000200' });
        expect(await store.getMessageRef('slack', 'LiveCheck:1')).to.deep.equal({ channel: 'C2', messageId: '1700000000.000200' });
        expect(await store.getMessageRef('teams', 'LiveCheck:1')).to.deep.equal({
          channel: '19:abc@thread.tacv2', messageId: 'act-1', extra: { serviceUrl: 'https://smba.example/amer/' },
        });
        expect(await store.getMessageRef('slack', 'LiveCheck:2')).to.equal(null);
      });
    });

    describe('Teams installations', function () {
      function install(teamId: string, channelId: string, over: Partial<TeamsInstallation> = {}): TeamsInstallation {
        return {
          teamId, teamName: `Team ${teamId}`, channelId, channelName: `Channel ${channelId}`, serviceUrl: 'https://smba.example/emea/',
          tenantId: 'tenant-1', reference: { conversation: { id: channelId }, bot: { id: 'bot' } }, removed: false, updatedAt: T0, ...over,
        };
      }

      it('upserts by (team, channel) and lists them', async function () {
        await store.putInstallation(install('t1', 'c1'));
        await store.putInstallation(install('t1', 'c2'));
        await store.putInstallation(install('t1', 'c1', { channelName: 'Renamed', updatedAt: T0 + 5 }));
        expect(await store.listInstallations()).to.deep.equal([install('t1', 'c1', { channelName: 'Renamed', updatedAt: T0 + 5 }), install('t1', 'c2')]);
      });

      it('removeInstallation marks every channel of the team removed; a new install brings it back', async function () {
        await store.putInstallation(install('t1', 'c1'));
        await store.putInstallation(install('t1', 'c2'));
        await store.putInstallation(install('t2', 'c9'));
        await store.removeInstallation('t1', T0 + 7);
        expect(await store.listInstallations()).to.deep.equal([
          install('t1', 'c1', { removed: true, updatedAt: T0 + 7 }),
          install('t1', 'c2', { removed: true, updatedAt: T0 + 7 }),
          install('t2', 'c9'),
        ]);
        await store.putInstallation(install('t1', 'c1', { updatedAt: T0 + 8 }));
        expect((await store.listInstallations())[0]).to.deep.equal(install('t1', 'c1', { updatedAt: T0 + 8 }));
      });
    });

    // ---- several replicas on one database ----------------------------------------------------------

    describe('several replicas on one database', function () {
      before(function () {
        if (!options.sibling) {
          console.warn(`  ⚠ SKIPPED several-replica tests for ${name}: one process owns this store`);
          this.skip();
        }
      });

      async function replica(of: Store): Promise<Store> {
        const s = await options.sibling!(of);
        opened.push(s);
        return s;
      }

      it('replicas migrating a new database together do not race', async function () {
        const a = await open();
        const others = await Promise.all([1, 2, 3].map(() => replica(a)));
        await Promise.all([a, ...others].map((s) => s.migrate()));
        const e = event();
        await append(others[2], e);
        expect((await a.getEvent(e.eventId))?.event).to.deep.equal(e);
      });

      it('unrouted events taken with a lease by two replicas at once: each event by one, free again once the lease passes', async function () {
        const other = await replica(store);
        const events = Array.from({ length: 40 }, () => event());
        for (const e of events) await append(store, e);
        const lease = { now: T0, until: T0 + 10_000 };
        const [mine, theirs] = await Promise.all([store.unroutedEvents(30, lease), other.unroutedEvents(30, lease)]);
        const ids = [...mine, ...theirs].map((e) => e.eventId);
        expect(new Set(ids).size, 'no event taken twice').to.equal(ids.length);
        expect(ids.length, 'every event taken, up to both limits').to.equal(40);
        for (const taken of [mine, theirs]) expect(taken.map((e) => e.eventId), 'oldest first').to.deep.equal(events.filter((e) => taken.some((t) => t.eventId === e.eventId)).map((e) => e.eventId));
        expect(await store.unroutedEvents(100, { now: T0 + 5_000, until: T0 + 15_000 }), 'all leased').to.deep.equal([]);
        expect((await store.unroutedEvents(100)).length, 'without a lease: every unrouted event').to.equal(40);
        expect((await other.unroutedEvents(100, { now: T0 + 10_000, until: T0 + 20_000 })).length, 'the leases passed').to.equal(40);
      });

      it('the same webhook received by two replicas at once is stored once', async function () {
        const other = await replica(store);
        const keys = Array.from({ length: 60 }, (_, i) => `dup-${i}`);
        const batchOf = () => keys.map((k) => ({ event: event({ receivedAt: T0 }), dedupKey: k, dedupUntil: T0 + 60_000 }));
        const [mine, theirs] = [batchOf(), batchOf().reverse()];
        const [r1, r2] = await Promise.all([store.appendEvents(mine), other.appendEvents(theirs)]);
        const byKey = new Map<string, string[]>();
        [...mine.map((m, i) => [m.dedupKey, r1[i]] as const), ...theirs.map((t, i) => [t.dedupKey, r2[i]] as const)].forEach(([k, r]) => {
          byKey.set(k, [...(byKey.get(k) ?? []), `${r.duplicate}:${r.eventId}`]);
        });
        for (const [k, results] of byKey) {
          const stored = results.filter((r) => r.startsWith('false:'));
          expect(stored, k).to.have.length(1);
          const storedId = stored[0].slice('false:'.length);
          expect(results, k).to.include(`true:${storedId}`);
        }
        expect(await store.recentEvents(1000)).to.have.length(keys.length);
      });

      it('200 jobs claimed by two replicas at once: each once, one per entity at a time, in order', async function () {
        const other = await replica(store);
        // 100 entities with two jobs each: each entity's second job must wait for its first.
        const firsts = Array.from({ length: 100 }, (_, i) => event({ id: `ent-${i}`, status: 'Created' }));
        const seconds = firsts.map((f) => event({ id: f.id, status: 'Completed' }));
        const all = [...firsts, ...seconds];
        await store.appendEvents(all.map((e) => ({ event: e, dedupKey: e.eventId, dedupUntil: T0 + 60_000 })));
        for (const e of all) await route(store, e.eventId, labelsFor(e), null, jobsFor(e, ['r1']), T0);
        const expectedNext = new Map<string, number[]>();
        for (const [i, f] of firsts.entries()) {
          const [j1] = await store.jobsForEvent(f.eventId);
          const [j2] = await store.jobsForEvent(seconds[i].eventId);
          expectedNext.set(`LiveCheck:${f.id}`, [j1.id, j2.id]);
        }

        const inFlight = new Set<string>();
        const claimedBy = new Map<number, string>();
        const violations: string[] = [];
        async function worker(s: Store, owner: string) {
          let idle = 0;
          while (idle < 3) {
            const jobs = await s.claimJobs({ now: T0, limit: 7, owner, leaseMs: LEASE });
            if (jobs.length === 0) { idle++; await new Promise((r) => setTimeout(r, 5)); continue; }
            idle = 0;
            for (const j of jobs) {
              if (claimedBy.has(j.id)) violations.push(`job ${j.id} claimed by ${claimedBy.get(j.id)} and ${owner}`);
              claimedBy.set(j.id, owner);
              if (inFlight.has(j.entityKey)) violations.push(`two jobs of ${j.entityKey} in flight`);
              inFlight.add(j.entityKey);
              const expected = expectedNext.get(j.entityKey)!;
              if (expected[0] !== j.id) violations.push(`${j.entityKey}: got job ${j.id}, expected ${expected[0]}`);
              expected.shift();
            }
            await new Promise((r) => setImmediate(r));
            for (const j of jobs) {
              inFlight.delete(j.entityKey);
              if (!(await complete(s, j.id, owner, ok(j.attempt, T0), T0))) violations.push(`lost lease on ${j.id}`);
            }
          }
        }
        await Promise.all([worker(store, 'A'), worker(other, 'B'), worker(store, 'A2'), worker(other, 'B2')]);
        expect(violations).to.deep.equal([]);
        expect(claimedBy.size).to.equal(200);
        expect(new Set(claimedBy.values()).size, 'both replicas took part').to.be.above(1);
        const done = await store.listJobs({ state: 'done', limit: 1000 });
        expect(done).to.have.length(200);
        for (const j of done) expect(j.history, `job ${j.id}`).to.deep.equal([ok(1, T0)]);
      });

      it('two replicas taking send slots together never exceed the burst', async function () {
        const other = await replica(store);
        const tries = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).takeSendSlot('shared', T0, 1000, 5));
        const results = await Promise.all(tries);
        expect(results.filter((r) => r.ok)).to.have.length(5);
        expect(await other.takeSendSlot('shared', T0 + 1000, 1000, 5)).to.deep.equal({ ok: true });
        expect(await store.takeSendSlot('shared', T0 + 1000, 1000, 5)).to.deep.equal({ ok: false, waitMs: 1000 });
      });

      it('a message reference put by two replicas at once keeps one', async function () {
        const other = await replica(store);
        const [mine, theirs] = [await claimedJob(store, 'A'), await claimedJob(other, 'B')];
        const results = await Promise.all([
          store.completeJobs([{ jobId: mine, owner: 'A', attempt: ok(1, T0), now: T0, messageRef: { receiver: 'slack', entityKey: 'E', ref: { channel: 'C', messageId: '1' } } }]),
          other.completeJobs([{ jobId: theirs, owner: 'B', attempt: ok(1, T0), now: T0, messageRef: { receiver: 'slack', entityKey: 'E', ref: { channel: 'C', messageId: '2' } } }]),
        ]);
        expect(results).to.deep.equal([[true], [true]]);
        const [a, b] = await Promise.all([store.getMessageRef('slack', 'E'), other.getMessageRef('slack', 'E')]);
        expect(a).to.deep.equal(b);
        expect(['1', '2']).to.include(a?.messageId);
      });
    });
  });
}
