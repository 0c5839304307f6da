import { expect } from 'chai';
import type { AverEvent } from '../../src/model/event.js';
import type { DeliveryJob, JobTimers } from '../../src/model/job.js';
import type { Store } from '../../src/store/store.js';

const T0 = 1_700_000_000_000;
const LEASE = 30_000;
const WAIT = 30_000;
const INTERVAL = 300_000;

/**
 * The retention side of the Timers role of the Store contract (groups, held deliveries, reminders), run against
 * every store: what housekeeping deletes past storage.retention, and what it must keep. `make` opens a store on a
 * new, empty database.
 */
export function timersContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}: groups, held deliveries and reminders`, function () {
    let store: Store;
    const opened: Store[] = [];
    let n = 0;

    beforeEach(async function () {
      store = await make();
      opened.push(store);
      await store.migrate();
    });
    afterEach(async function () {
      for (const s of opened.splice(0)) await s.close();
    });

    function event(status = 'Completed'): AverEvent {
      n++;
      return {
        eventId: `ev-${String(n).padStart(5, '0')}-${Math.random().toString(36).slice(2, 8)}`, type: 'RecurringWatchlistSearch', id: `rws-${n}`,
        groupId: 'grp-1', status, receivedAt: T0 + n, unknownType: false, unknownStatus: false, raw: {},
      };
    }

    /** Stores an event and routes it to `receiver` through a route with these timers, at `now`. */
    async function routeTimed(receiver: string, timers: JobTimers, now: number, status?: string): Promise<AverEvent> {
      const e = event(status);
      await store.appendEvents([{ event: e, dedupKey: e.eventId, dedupUntil: e.receivedAt }]);
      const labels = { type: e.type, id: e.id, groupId: e.groupId, status: e.status };
      await store.routeEvents([{ eventId: e.eventId, labels, details: null, jobs: [{ receiver, entityKey: `${e.type}:${e.id}`, destinationKey: `${receiver}/ch`, timers }] }], now);
      return e;
    }

    /** Events joining group `key` of receiver r1 (group_wait WAIT, group_interval `intervalMs`) at `now`. */
    async function join(key: string, count: number, now: number, intervalMs = INTERVAL): Promise<AverEvent[]> {
      const out: AverEvent[] = [];
      for (let i = 0; i < count; i++) {
        out.push(await routeTimed('r1', { group: { key, labels: { groupId: key }, kind: 'group', routePath: '/0', flushAt: now + WAIT, intervalMs } }, now));
      }
      return out;
    }

    /** Flushes every group due at `now`, as the timers step does. */
    async function flushDue(now: number): Promise<void> {
      for (const g of await store.claimDueGroups({ now, owner: 'T', leaseMs: LEASE, limit: 100 })) expect(await store.flushGroup(g.id, 'T', now)).to.not.equal(null);
    }

    async function claimAll(now: number): Promise<DeliveryJob[]> {
      return store.claimJobs({ now, limit: 100, owner: 'A', leaseMs: LEASE });
    }

    const ok = (at: number) => ({ attempt: 1, at, ok: true });

    it('pruneGroups deletes a group closed before the cut once no job refers to it (members and digest reference with it), and sent members of open groups; keeps the rest', async function () {
      const cut = T0 + 400_000;
      const [k1] = await join('k1', 2, T0);
      const [k2] = await join('k2', 2, T0);
      const [k3] = await join('k3', 2, T0);
      // k4 gathers longer: it closes after the cut.
      const [k4] = await join('k4', 2, T0, 450_000);
      const held = await routeTimed('r2', { group: { key: 'held:/1', labels: {}, kind: 'held', routePath: '/1', flushAt: T0 + 10 ** 9, intervalMs: 0 } }, T0, 'Rejected');
      await flushDue(T0 + WAIT);
      const digests = await claimAll(T0 + WAIT);
      const digestOf = (e: AverEvent) => digests.find((j) => j.eventId === e.eventId)!;
      const group = (e: AverEvent) => digestOf(e).digestOf!;
      expect(digests.map((j) => j.kind)).to.deep.equal(['digest', 'digest', 'digest', 'digest']);
      // k1, k3 and k4 delivered (k1's digest message kept as its reference), k2's a dead letter.
      const ref = { channel: 'C1', messageId: '111.222' };
      expect(await store.completeJobs([
        { jobId: digestOf(k1).id, owner: 'A', attempt: ok(T0 + WAIT), now: T0 + WAIT, messageRef: { receiver: 'r1', entityKey: `group:${group(k1)}`, ref } },
        { jobId: digestOf(k3).id, owner: 'A', attempt: ok(T0 + WAIT), now: T0 + WAIT },
        { jobId: digestOf(k4).id, owner: 'A', attempt: ok(T0 + WAIT), now: T0 + WAIT },
      ])).to.deep.equal([true, true, true]);
      expect(await store.deadLetterJob(digestOf(k2).id, 'A', null, 'gave up', T0 + WAIT)).to.equal(true);
      // k3 takes one more before its next flush and one after it (not sent yet at the prune).
      await join('k3', 1, T0 + 100_000);
      await flushDue(T0 + WAIT + INTERVAL);
      await join('k3', 1, T0 + 350_000);
      await flushDue(T0 + WAIT + 450_000);
      const digest = (e: AverEvent) => store.groupDigest(group(e), { attention: [], limit: 10 });
      expect((await digest(k3))?.total).to.equal(3);

      // Jobs still refer to the closed groups: only k3's members sent before the cut go.
      expect(await store.pruneGroups(cut, 100)).to.deep.equal({ groups: 0, members: 3 });
      expect((await digest(k3))?.total).to.equal(0);
      // Retention deletes the delivered digest jobs (k1's, k3's first, k4's); then k1 goes, whole.
      expect((await store.pruneDelivered(cut, 100)).jobs).to.equal(3);
      expect(await store.pruneGroups(cut, 100)).to.deep.equal({ groups: 1, members: 2 });
      expect(await digest(k1)).to.equal(null);
      expect(await store.getMessageRef('r1', `group:${group(k1)}`)).to.equal(null);
      // k2 (its digest a dead letter) and k4 (closed after the cut) stay, though retention took the events of their
      // members (but the one k2's dead digest names); k3's unsent member and the held delivery stay.
      expect((await digest(k2))?.total).to.equal(1);
      expect((await digest(k4))?.total).to.equal(0);
      expect((await store.listHeld(cut, 10)).map((h) => h.eventId)).to.deep.equal([held.eventId]);
      expect(await store.pruneGroups(cut, 100)).to.deep.equal({ groups: 0, members: 0 });
      expect((await store.timerStats(cut)).openGroups).to.equal(1);
    });

    it('pruneGroups deletes at most `limit` members and groups per call', async function () {
      const [e] = await join('big', 3, T0);
      await flushDue(T0 + WAIT);
      const [job] = await claimAll(T0 + WAIT);
      expect(job.eventId).to.equal(e.eventId);
      expect(await store.completeJobs([{ jobId: job.id, owner: 'A', attempt: ok(T0 + WAIT), now: T0 + WAIT }])).to.deep.equal([true]);
      await flushDue(T0 + WAIT + INTERVAL);
      const cut = T0 + 10 * INTERVAL;
      expect(await store.pruneDelivered(cut, 100)).to.deep.include({ jobs: 1 });
      expect(await store.pruneGroups(cut, 2)).to.deep.equal({ groups: 0, members: 2 });
      expect(await store.pruneGroups(cut, 2)).to.deep.equal({ groups: 1, members: 1 });
      expect(await store.pruneGroups(cut, 2)).to.deep.equal({ groups: 0, members: 0 });
    });

    it('listHeld gives each held delivery with its status, the first to go out first, one receiver\'s when asked', async function () {
      const hold = (receiver: string, until: number, status: string) =>
        routeTimed(receiver, { group: { key: `held:/${receiver}`, labels: {}, kind: 'held', routePath: `/${receiver}`, flushAt: until, intervalMs: 0 } }, T0, status);
      const a = await hold('r1', T0 + 2_000_000, 'Rejected');
      const b = await hold('r2', T0 + 1_000_000, 'AwaitingReview');
      const c = await hold('r1', T0 + 2_000_000, 'Completed');
      expect((await store.listHeld(T0, 10)).map((h) => [h.receiver, h.eventId, h.status, h.until])).to.deep.equal([
        ['r2', b.eventId, 'AwaitingReview', T0 + 1_000_000], ['r1', a.eventId, 'Rejected', T0 + 2_000_000], ['r1', c.eventId, 'Completed', T0 + 2_000_000],
      ]);
      expect((await store.listHeld(T0, 10, 'r1')).map((h) => h.eventId)).to.deep.equal([a.eventId, c.eventId]);
      expect((await store.listHeld(T0, 1, 'r1')).map((h) => h.eventId)).to.deep.equal([a.eventId]);
      expect(await store.listHeld(T0, 10, 'nobody')).to.deep.equal([]);
    });

    it('pruneDelivered keeps an event a reminder will be about, after its own job is deleted', async function () {
      const e = await routeTimed('r1', { remind: { routePath: '/0', dueAt: T0 + 10 ** 9, afterMs: 10 ** 9, repeat: 1 } }, T0, 'AwaitingReview');
      const [job] = await claimAll(T0);
      expect(job.eventId).to.equal(e.eventId);
      expect(await store.completeJobs([{ jobId: job.id, owner: 'A', attempt: ok(T0), now: T0 }])).to.deep.equal([true]);
      expect(await store.pruneDelivered(T0 + 1_000_000, 100)).to.deep.equal({ jobs: 1, events: 0 });
      expect(await store.getEvent(e.eventId)).to.not.equal(null);
      expect((await store.timerStats(T0)).reminders).to.equal(1);
    });
  });
}
