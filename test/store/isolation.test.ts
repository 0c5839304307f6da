import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeError } from '../../src/errors.js';
import type { AverEvent } from '../../src/model/event.js';
import { createGroupCommit } from '../../src/store/group-commit.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewEvent, Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';

const T0 = 1_700_000_000_000;
let n = 0;

function newEvent(raw: Record<string, unknown> = {}, over: Partial<AverEvent> = {}): NewEvent {
  const id = `chk-${++n}`;
  const event: AverEvent = {
    eventId: `ev-${String(n).padStart(6, '0')}`, type: 'LiveCheck', id, groupId: 'grp-1', status: 'Completed', receivedAt: T0 + n,
    unknownType: false, unknownStatus: false, raw: { type: 'LiveCheck', id, groupId: 'grp-1', status: 'Completed', ...raw }, ...over,
  };
  return { event, dedupKey: `key:${event.eventId}`, dedupUntil: event.receivedAt + 60_000 };
}

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { end: 1 };
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

function cyclic(): Record<string, unknown> {
  const c: Record<string, unknown> = { a: 1 };
  c.self = c;
  return c;
}

/** The webhooks the attack run sent beside 30 good ones, as they reach the store; `held` says which stores keep them as sent. */
const POISONS: Array<{ what: string; make: () => NewEvent; held: Array<Store['kind']> }> = [
  // What the old normalise made of status "constructor" and type "__proto__": Object, and Object.prototype.
  { what: 'status "constructor" (as the old normalise left it: a function)', make: () => newEvent({}, { status: Object as unknown as string }), held: [] },
  { what: 'type "__proto__" (as the old normalise left it: Object.prototype)', make: () => newEvent({}, { type: Object.prototype as unknown as string }), held: [] },
  { what: 'an extra field nested 5,000 deep', make: () => newEvent({ extra: nested(5000) }), held: [] },
  { what: 'a \\u0000 in an extra field', make: () => newEvent({ note: 'before\u0000after' }), held: ['sqlite'] },
  { what: 'a lone surrogate in an extra field', make: () => newEvent({ note: 'half \ud800 a pair' }), held: ['sqlite'] },
  // Past the checks (each object is walked once): the store's own write fails, and isolation finds the culprit.
  { what: 'a cycle in an extra field (only the store\'s write finds it)', make: () => newEvent({ extra: cyclic() }), held: [] },
];

function isolationSuite(name: string, open: () => Promise<Store>): void {
  describe(`one bad webhook never costs another: ${name}`, function () {
    this.timeout(20_000);
    let store: Store;
    let closed = false;

    beforeEach(async () => {
      store = await open();
      closed = false;
      await store.migrate();
    });
    afterEach(async () => {
      if (!closed) await store.close();
    });

    for (const { what, make, held } of POISONS) {
      it(`30 webhooks appended together with ${what}: the 30 are stored, the bad one gets 422 or is stored as sent`, async () => {
        const inbox = createGroupCommit(store);
        const good = Array.from({ length: 30 }, () => newEvent({ extra: { nested: [1, 'two'] } }));
        const poison = make();
        const all = [...good.slice(0, 15), poison, ...good.slice(15)];
        const answers = await Promise.all(all.map((e) => inbox.append(e).then((r) => r, (err: unknown) => err)));
        for (const [i, e] of good.entries()) {
          expect(answers[all.indexOf(e)], `good webhook ${i}`).to.deep.equal({ duplicate: false, eventId: e.event.eventId });
          expect((await store.getEvent(e.event.eventId))?.event.raw).to.deep.equal(e.event.raw);
        }
        const answer = answers[15];
        if (held.includes(store.kind)) {
          expect(answer).to.deep.equal({ duplicate: false, eventId: poison.event.eventId });
          expect((await store.getEvent(poison.event.eventId))?.event.raw).to.deep.equal(poison.event.raw);
        } else {
          expect(answer).to.be.instanceOf(BridgeError);
          expect((answer as BridgeError).status).to.equal(422);
          expect(await store.getEvent(poison.event.eventId)).to.equal(null);
        }
        expect(await store.unroutedEvents(100)).to.have.length(held.includes(store.kind) ? 31 : 30);
      });
    }

    it('a store that fails fails every append with its own error (a 5xx), never a 422 blamed on a webhook', async () => {
      const inbox = createGroupCommit(store);
      await store.close();
      closed = true;
      const answers = await Promise.all(Array.from({ length: 5 }, () => inbox.append(newEvent()).then(() => 'stored', (err: unknown) => err)));
      for (const a of answers) {
        expect(a).to.be.instanceOf(Error);
        expect(a instanceof BridgeError && a.status < 500, 'not blamed on the webhook').to.equal(false);
      }
    });

    describe('parkEvent', () => {
      async function appended(raw: Record<string, unknown> = {}): Promise<AverEvent> {
        const e = newEvent(raw);
        await store.appendEvents([e]);
        return e.event;
      }
      const jobsOf = (e: AverEvent, receivers: string[]) => receivers.map((receiver) => ({ receiver, entityKey: `${e.type}:${e.id}`, destinationKey: `${receiver}/c` }));
      const claim = (now: number) => store.claimJobs({ now, limit: 10, owner: 'A', leaseMs: 30_000 });

      it('marks the event routed with its labels, no details, and one dead letter per receiver with the reason; a retry delivers it', async () => {
        const e = await appended();
        await store.parkEvent({ eventId: e.eventId, labels: { type: 'LiveCheck', id: e.id }, jobs: jobsOf(e, ['slack', 'hook']), reason: 'not routed: refused' }, T0);
        const stored = await store.getEvent(e.eventId);
        expect(stored).to.deep.include({ routed: true, labels: { type: 'LiveCheck', id: e.id }, details: null });
        const jobs = await store.jobsForEvent(e.eventId);
        expect(jobs.map((j) => [j.receiver, j.state, j.lastReason, j.attempts])).to.deep.equal([
          ['slack', 'dead', 'not routed: refused', 0], ['hook', 'dead', 'not routed: refused', 0],
        ]);
        expect((await store.listJobs({ state: 'dead', limit: 10 })).map((j) => j.eventId)).to.deep.equal([e.eventId, e.eventId]);
        expect(await store.unroutedEvents(10)).to.deep.equal([]);
        expect(await claim(T0 + 1)).to.deep.equal([]);
        expect(await store.retryDeadLetter(jobs[0].id, T0 + 2)).to.equal(true);
        const [job] = await claim(T0 + 3);
        expect(job).to.deep.include({ id: jobs[0].id, receiver: 'slack', labels: { type: 'LiveCheck', id: e.id }, details: null });
      });

      it('does nothing to an event already routed: its jobs stay queued', async () => {
        const e = await appended();
        await store.routeEvents([{ eventId: e.eventId, labels: { a: '1' }, details: null, jobs: jobsOf(e, ['slack']) }], T0);
        await store.parkEvent({ eventId: e.eventId, labels: { b: '2' }, jobs: jobsOf(e, ['slack', 'hook']), reason: 'late' }, T0);
        expect((await store.getEvent(e.eventId))?.labels).to.deep.equal({ a: '1' });
        expect((await store.jobsForEvent(e.eventId)).map((j) => [j.receiver, j.state])).to.deep.equal([['slack', 'pending']]);
      });

      it('stores its text made storable: a NUL or lone surrogate in labels, reason or keys becomes U+FFFD', async () => {
        const e = await appended();
        await store.parkEvent({
          eventId: e.eventId, labels: { reason: 'Expired\u0000', ['k\ud800']: 'v' },
          jobs: [{ receiver: 'hook', entityKey: `${e.type}:${e.id}`, destinationKey: 'hook/\u0000' }], reason: 'refused: \u0000',
        }, T0);
        expect((await store.getEvent(e.eventId))?.labels).to.deep.equal({ reason: 'Expired\ufffd', ['k\ufffd']: 'v' });
        const [job] = await store.jobsForEvent(e.eventId);
        expect([job.destinationKey, job.lastReason]).to.deep.equal(['hook/\ufffd', 'refused: \ufffd']);
      });

      it('no longer holds back the later events of its entity', async () => {
        const first = newEvent();
        const later = newEvent({}, { id: first.event.id });
        await store.appendEvents([first, later]);
        await store.routeEvents([{ eventId: later.event.eventId, labels: {}, details: null, jobs: jobsOf(later.event, ['hook']) }], T0);
        expect(await claim(T0), 'waits behind the unrouted event of its entity').to.deep.equal([]);
        await store.parkEvent({ eventId: first.event.eventId, labels: {}, jobs: jobsOf(first.event, ['hook']), reason: 'refused' }, T0);
        expect((await claim(T0 + 1)).map((j) => j.eventId)).to.deep.equal([later.event.eventId]);
      });
    });
  });
}

describe('store isolation', () => {
  describe('SQLite', () => {
    let dir: string;
    before(() => { dir = mkdtempSync(join(tmpdir(), 'aver-bridge-isolation-')); });
    after(() => rmSync(dir, { recursive: true, force: true }));
    isolationSuite('sqlite', () => openSqliteStore(join(dir, `store-${++n}.db`)));
  });

  describe('PostgreSQL', () => {
    const db = usePostgres('store isolation tests on PostgreSQL');
    isolationSuite('postgres', () => db().freshStore());
  });
});
