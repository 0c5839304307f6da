import { expect } from 'chai';
import type { CheckPerson, NewCheckAction } from '../../src/model/check-state.js';
import type { AverEvent } from '../../src/model/event.js';
import type { Store } from '../../src/store/store.js';

const T0 = 1_700_000_000_000;
const DANA: CheckPerson = { platform: 'slack', id: 'U0DANA', name: 'dana' };
const LEE: CheckPerson = { platform: 'teams', id: '6f1c0b8e-0000-4000-8000-00000000a1ee', name: 'Lee Park' };

/**
 * The CheckStates role of the Store contract (who is on a check, the audit trail, the jobs an action enqueues),
 * run against every store. `make` opens a store on a new, empty database; `sibling` a second replica on it.
 */
export function checkStatesContract(name: string, make: () => Promise<Store>, options: { sibling?: (store: Store) => Promise<Store> } = {}): void {
  describe(`Store contract: ${name}: check states and actions`, function () {
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

    /** A check's event, stored and routed to `receivers`. */
    async function routedEvent(s: Store, id: string, status: string, receivers: string[]): Promise<AverEvent> {
      n++;
      const event: AverEvent = {
        eventId: `ev-${String(n).padStart(4, '0')}-${Math.random().toString(36).slice(2, 8)}`, type: 'LiveCheck', id, groupId: 'g', status,
        receivedAt: T0 + n, unknownType: false, unknownStatus: false, raw: {},
      };
      await s.appendEvents([{ event, dedupKey: event.eventId, dedupUntil: event.receivedAt }]);
      const labels = { type: 'LiveCheck', id, status, groupId: 'g', group: 'g' };
      await s.routeEvents([{ eventId: event.eventId, labels, details: null, jobs: receivers.map((r) => ({ receiver: r, entityKey: `LiveCheck:${id}`, destinationKey: `${r}/ch` })) }], T0);
      return event;
    }

    function action(event: AverEvent, over: Partial<NewCheckAction> = {}): NewCheckAction {
      return {
        entityKey: `LiveCheck:${event.id}`, kind: 'acknowledge', actor: DANA, at: T0 + 1000, via: 'button', receiver: 'kyc-slack', channel: 'C1',
        eventId: event.eventId, status: event.status, ...over,
      };
    }

    it('a first acknowledgement is recorded with its audit entry; the same again changes nothing', async function () {
      const e = await routedEvent(store, 'chk-1', 'Rejected', ['kyc-slack']);
      expect(await store.getCheckState('LiveCheck:chk-1')).to.equal(null);
      const first = await store.recordCheckAction({ action: action(e), jobs: [] });
      const acknowledged = { by: DANA, at: T0 + 1000, eventId: e.eventId, status: 'Rejected' };
      expect(first).to.deep.include({ changed: true, previous: {}, state: { acknowledged } });
      expect(first.record).to.deep.equal({ ...action(e), id: first.record!.id, state: { acknowledged } });
      const again = await store.recordCheckAction({ action: action(e, { actor: LEE, at: T0 + 2000 }), jobs: [] });
      expect(again).to.deep.equal({ changed: false, previous: { acknowledged }, state: { acknowledged } });
      expect(await store.getCheckState('LiveCheck:chk-1')).to.deep.equal({ acknowledged });
      expect(await store.checkActions(['LiveCheck:chk-1'], 10)).to.deep.equal([first.record]);
      expect(await store.getCheckAction(first.record!.id)).to.deep.equal(first.record);
      expect(await store.getCheckAction(first.record!.id + 1000)).to.equal(null);
    });

    it('a later status can be acknowledged again; assign replaces, unassign clears, and a no-op leaves no entry', async function () {
      const e1 = await routedEvent(store, 'chk-2', 'InReview', ['kyc-slack']);
      const e2 = await routedEvent(store, 'chk-2', 'Rejected', ['kyc-slack']);
      await store.recordCheckAction({ action: action(e1), jobs: [] });
      const reAck = await store.recordCheckAction({ action: action(e2, { actor: LEE, at: T0 + 3000 }), jobs: [] });
      expect(reAck.changed).to.equal(true);
      expect(reAck.state.acknowledged).to.deep.equal({ by: LEE, at: T0 + 3000, eventId: e2.eventId, status: 'Rejected' });

      expect((await store.recordCheckAction({ action: action(e2, { kind: 'unassign', at: T0 + 3500 }), jobs: [] })).changed, 'nobody to unassign').to.equal(false);
      const assigned = await store.recordCheckAction({ action: action(e2, { kind: 'assign', assignee: LEE, at: T0 + 4000 }), jobs: [] });
      expect(assigned.state.assigned).to.deep.equal({ to: LEE, by: DANA, at: T0 + 4000 });
      expect((await store.recordCheckAction({ action: action(e2, { kind: 'assign', actor: LEE, at: T0 + 4500 }), jobs: [] })).changed, 'Lee again').to.equal(false);
      const toDana = await store.recordCheckAction({ action: action(e2, { kind: 'assign', at: T0 + 5000 }), jobs: [] });
      expect(toDana.state.assigned).to.deep.equal({ to: DANA, by: DANA, at: T0 + 5000 });
      const cleared = await store.recordCheckAction({ action: action(e2, { kind: 'unassign', actor: LEE, at: T0 + 6000 }), jobs: [] });
      expect(cleared.state).to.deep.equal({ acknowledged: reAck.state.acknowledged });

      const trail = await store.checkActions(['LiveCheck:chk-2', 'LiveCheck:other'], 10);
      expect(trail.map((r) => [r.kind, r.actor.name, r.at])).to.deep.equal([
        ['acknowledge', 'dana', T0 + 1000], ['acknowledge', 'Lee Park', T0 + 3000], ['assign', 'dana', T0 + 4000], ['assign', 'dana', T0 + 5000], ['unassign', 'Lee Park', T0 + 6000],
      ]);
      expect((await store.checkActions(['LiveCheck:chk-2'], 2)).map((r) => r.at), 'the latest two, oldest first').to.deep.equal([T0 + 5000, T0 + 6000]);
      expect(await store.checkActions([], 10)).to.deep.equal([]);
    });

    it('enqueues the action\'s jobs with the change, each carrying the action id, after the check\'s earlier jobs', async function () {
      const e = await routedEvent(store, 'chk-3', 'Rejected', ['kyc-slack', 'ops-slack']);
      const jobs = ['kyc-slack', 'ops-slack', 'case-webhook'].map((receiver) => ({ receiver, entityKey: 'LiveCheck:chk-3', destinationKey: `${receiver}/ch`, eventId: e.eventId }));
      const r = await store.recordCheckAction({ action: action(e), jobs });
      const claimed = await store.claimJobs({ now: T0 + 1000, limit: 10, owner: 'A', leaseMs: 30_000 });
      expect(claimed.map((j) => [j.receiver, j.actionId]), 'the status deliveries first, one per (receiver, check)').to.deep.equal([
        ['kyc-slack', undefined], ['ops-slack', undefined], ['case-webhook', r.record!.id],
      ]);
      await store.completeJobs(claimed.map((j) => ({ jobId: j.id, owner: 'A', attempt: { attempt: 1, at: T0 + 1000, ok: true }, now: T0 + 1000 })));
      const next = await store.claimJobs({ now: T0 + 1000, limit: 10, owner: 'A', leaseMs: 30_000 });
      expect(next.map((j) => [j.receiver, j.actionId, j.event.eventId])).to.deep.equal([['kyc-slack', r.record!.id, e.eventId], ['ops-slack', r.record!.id, e.eventId]]);
      const unchanged = await store.recordCheckAction({ action: action(e, { at: T0 + 2000 }), jobs });
      expect(unchanged.changed).to.equal(false);
      expect((await store.jobsForEvent(e.eventId)).length, 'no jobs for an action that changed nothing').to.equal(5);
    });

    it('keeps text it cannot store as U+FFFD (a NUL in a display name)', async function () {
      const e = await routedEvent(store, 'chk-4', 'Rejected', ['kyc-slack']);
      const r = await store.recordCheckAction({ action: action(e, { actor: { ...DANA, name: 'da\u0000na' } }), jobs: [] });
      expect(r.state.acknowledged?.by.name).to.equal('da\ufffdna');
      expect((await store.getCheckState('LiveCheck:chk-4'))?.acknowledged?.by.name).to.equal('da\ufffdna');
    });

    it('two replicas acknowledging one check at once: one acknowledgement, one audit entry', async function () {
      if (!options.sibling) this.skip();
      const other = await options.sibling(store);
      opened.push(other);
      const e = await routedEvent(store, 'chk-5', 'Rejected', ['kyc-slack']);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).recordCheckAction({
        action: action(e, { actor: { ...DANA, id: `U${i}` }, at: T0 + i }), jobs: [{ receiver: 'kyc-slack', entityKey: 'LiveCheck:chk-5', destinationKey: 'kyc-slack/ch', eventId: e.eventId }],
      })));
      expect(results.filter((r) => r.changed)).to.have.length(1);
      expect(await store.checkActions(['LiveCheck:chk-5'], 10)).to.have.length(1);
      expect((await store.jobsForEvent(e.eventId)).length).to.equal(2);
    });
  });
}
