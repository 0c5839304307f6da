import { expect } from 'chai';
import type { DeliveryJob } from '../../src/model/job.js';
import { createJobScheduler, destinationLimit, leaseCoversAttempt, leaseFor } from '../../src/pipeline/schedule-jobs.js';
import { deferred, fakeClock, FakeQueue, job, memoryLogger, settle, T0 } from './fakes.js';

/** A scheduler over a FakeQueue and a fake clock; deliveries run until the test finishes them. */
function setup(policy: { concurrency?: number; leaseMs?: number; timeoutMs?: number } = {}) {
  const clock = fakeClock();
  const store = new FakeQueue();
  const log = memoryLogger();
  const delivery = { concurrency: 8, leaseMs: 1000, timeoutMs: 300, ...policy };
  const inflight = new Map<number, { job: DeliveryJob; claimedAt: number; end: (fail?: Error) => void }>();
  const started: number[] = [];
  let wakes = 0;
  const scheduler = createJobScheduler({
    store, clock, logger: log.logger, owner: 'me',
    delivery: () => delivery,
    receivers: () => ['a', 'b'],
    withContext: () => ['b'],
    run: (j, claimedAt) => {
      started.push(j.id);
      const d = deferred();
      inflight.set(j.id, { job: j, claimedAt, end: (fail) => (fail ? d.reject(fail) : d.resolve()) });
      return d.promise;
    },
    onFinished: () => void wakes++,
  });
  return {
    clock, store, log, delivery, scheduler, inflight, started,
    get wakes() { return wakes; },
    /** Ends a delivery (done in the store) and lets the scheduler react. */
    async finish(id: number, fail?: Error) {
      const d = inflight.get(id)!;
      inflight.delete(id);
      if (!fail) store.done(id);
      d.end(fail);
      await settle();
    },
    /** How many deliveries run for each destination now. */
    perDestination() {
      const n = new Map<string, number>();
      for (const { job: j } of inflight.values()) n.set(j.destinationKey, (n.get(j.destinationKey) ?? 0) + 1);
      return n;
    },
  };
}

describe('destinationLimit', () => {
  for (const [concurrency, limit] of [[1, 1], [4, 1], [5, 2], [8, 2], [16, 4], [17, 5]]) {
    it(`gives one destination ${limit} of delivery.concurrency ${concurrency}`, () => {
      expect(destinationLimit(concurrency)).to.equal(limit);
    });
  }
});

describe('leaseFor and leaseCoversAttempt (the lease guard)', () => {
  it('takes delivery.leaseTime, but never less than a second, one timeout and a second', () => {
    expect(leaseFor({ leaseMs: 60_000, timeoutMs: 10_000 })).to.equal(60_000);
    expect(leaseFor({ leaseMs: 1000, timeoutMs: 300 })).to.equal(2300);
    expect(leaseFor({ leaseMs: 12_000, timeoutMs: 10_000 })).to.equal(12_000);
  });

  const policy = { leaseMs: 1000, timeoutMs: 300 }; // a 2.3 s lease: a 300 ms attempt and a second to record it fit until 1 s after the claim
  for (const [sinceClaim, covers] of [[0, true], [999, true], [1000, true], [1001, false], [2300, false], [5000, false]] as const) {
    it(`${covers ? 'lets' : 'does not let'} a job claimed ${sinceClaim} ms ago be sent`, () => {
      expect(leaseCoversAttempt(T0, T0 + sinceClaim, policy)).to.equal(covers);
    });
  }
});

describe('createJobScheduler', () => {
  it('claims every free slot, at most a destination’s share of each destination, under its owner, with the lease, for the receivers configured, with the context the ones that need it read', async () => {
    const t = setup({ concurrency: 8, leaseMs: 1000, timeoutMs: 300 });
    t.store.add(job({ id: 1 }), job({ id: 2 }), job({ id: 3 }), job({ id: 4, destination: 'y' }));
    expect(await t.scheduler.claim(), 'the store had fewer than the free slots').to.equal(false);
    expect(t.store.claims).to.deep.equal([{ now: T0, limit: 8, owner: 'me', leaseMs: 2300, receivers: ['a', 'b'], skipDestinations: [], perDestination: 2, withContext: ['b'] }]);
    expect(t.started).to.deep.equal([1, 2, 4]);
    expect(t.scheduler.inflight).to.equal(3);
  });

  it('says more may be due when the claim filled every free slot', async () => {
    const t = setup({ concurrency: 2 });
    t.store.add(job({ id: 1, destination: 'x' }), job({ id: 2, destination: 'y' }), job({ id: 3, destination: 'z' }));
    expect(await t.scheduler.claim()).to.equal(true);
    expect(t.started).to.deep.equal([1, 2]);
  });

  it('asks the store for nothing while every slot is taken', async () => {
    const t = setup({ concurrency: 2 });
    t.store.add(job({ id: 1, destination: 'x' }), job({ id: 2, destination: 'y' }), job({ id: 3, destination: 'z' }));
    await t.scheduler.claim();
    await t.scheduler.claim();
    expect(t.started).to.deep.equal([1, 2]);
    const claims = t.store.claims.length;
    expect(await t.scheduler.claim()).to.equal(false);
    expect(t.store.claims).to.have.length(claims);
    await t.finish(1);
    expect(t.wakes, 'a finished delivery wakes the loop').to.equal(1);
    await t.scheduler.claim();
    expect(t.started).to.deep.equal([1, 2, 3]);
  });

  it('says more may be due only when a claim filled what it asked for', async () => {
    const t = setup({ concurrency: 8 });
    t.store.add(job({ id: 1, destination: 'x' }));
    expect(await t.scheduler.claim(), 'one of two').to.equal(false);
    expect(await t.scheduler.claim(), 'nothing').to.equal(false);
  });

  describe('the per-channel limit', () => {
    it('never runs more than destinationLimit() deliveries for one channel, and skips a full channel while others flow', async () => {
      const t = setup({ concurrency: 8 }); // 2 per channel
      for (let i = 1; i <= 6; i++) t.store.add(job({ id: i, destination: 'slow' }));
      for (let i = 11; i <= 14; i++) t.store.add(job({ id: i, destination: 'fast' }));
      for (let round = 0; round < 6; round++) await t.scheduler.claim();
      expect(t.perDestination()).to.deep.equal(new Map([['slow', 2], ['fast', 2]]));
      expect(t.store.claims.at(-1)!.skipDestinations).to.have.members(['slow', 'fast']);
      // The fast channel's deliveries end; the slow one's hang: only the fast channel's backlog moves.
      for (const id of [11, 12]) await t.finish(id);
      for (let round = 0; round < 3; round++) await t.scheduler.claim();
      expect(t.started.filter((id) => id > 10)).to.deep.equal([11, 12, 13, 14]);
      expect(t.started.filter((id) => id < 10)).to.deep.equal([1, 2]);
      expect(t.perDestination().get('slow')).to.equal(2);
      expect(t.store.released, 'nothing claimed for the full channel, nothing given back').to.deep.equal([]);
    });

    it('keeps up to destinationLimit() more of a channel’s jobs claimed and starts them, in claim order, as its deliveries end', async () => {
      const t = setup({ concurrency: 8 });
      const jobs = [1, 2, 3, 4, 5].map((id) => job({ id, destination: 'x' }));
      t.store.add(...jobs);
      t.store.scripted.push(jobs); // a store may answer more of one channel than one claim asked for (a race)
      await t.scheduler.claim();
      expect(t.started).to.deep.equal([1, 2]);
      // The fifth does not fit: given back, due now, uncounted.
      expect(t.store.released).to.deep.equal([{ jobId: 5, owner: 'me', at: T0 }]);
      const claims = t.store.claims.length;
      t.clock.advance(100);
      await t.finish(1);
      expect(t.started, 'the first kept job starts when a slot frees').to.deep.equal([1, 2, 3]);
      expect(t.inflight.get(3)!.claimedAt, 'with its claim time kept').to.equal(T0);
      await t.finish(2);
      expect(t.started).to.deep.equal([1, 2, 3, 4]);
      expect(t.store.claims, 'no claim needed for them').to.have.length(claims);
    });
  });

  describe('the lease guard on kept jobs', () => {
    it('gives a kept job back, unsent, when its lease no longer covers a whole attempt, and tries the next', async () => {
      const t = setup({ concurrency: 8, leaseMs: 1000, timeoutMs: 300 });
      const jobs = [1, 2, 3, 4].map((id) => job({ id, destination: 'x' }));
      t.store.add(...jobs);
      t.store.scripted.push(jobs.slice(0, 3));
      await t.scheduler.claim(); // 1 and 2 run, 3 is kept
      t.store.scripted.push([jobs[3]]);
      t.clock.advance(600);
      await t.scheduler.claim(); // 4 is kept, claimed 600 ms later
      t.clock.advance(401); // 3's claim is 1001 ms old: too late; 4's, 401 ms: in time
      await t.finish(1);
      expect(t.store.released).to.deep.equal([{ jobId: 3, owner: 'me', at: T0 + 1001 }]);
      expect(t.started).to.deep.equal([1, 2, 4]);
    });

    it('starts a kept job exactly at the guard’s limit', async () => {
      const t = setup({ concurrency: 8, leaseMs: 1000, timeoutMs: 300 });
      const jobs = [1, 2, 3].map((id) => job({ id, destination: 'x' }));
      t.store.add(...jobs);
      t.store.scripted.push(jobs);
      await t.scheduler.claim();
      t.clock.advance(1000);
      await t.finish(1);
      expect(t.started).to.deep.equal([1, 2, 3]);
      expect(t.store.released).to.deep.equal([]);
    });
  });

  describe('held channels', () => {
    it('gives a held channel’s kept jobs back, due when the hold ends, and claims none of it until then', async () => {
      const t = setup({ concurrency: 8 });
      const jobs = [1, 2, 3, 4].map((id) => job({ id, destination: 'x' }));
      t.store.add(...jobs, job({ id: 9, destination: 'y' }));
      t.store.scripted.push(jobs);
      await t.scheduler.claim();
      t.scheduler.hold('x', T0 + 2000);
      expect(t.store.released).to.deep.equal([{ jobId: 3, owner: 'me', at: T0 + 2000 }, { jobId: 4, owner: 'me', at: T0 + 2000 }]);
      await t.finish(1);
      expect(t.started, 'nothing kept is left to start').to.deep.equal([1, 2]);
      await t.scheduler.claim();
      expect(t.store.claims.at(-1)!.skipDestinations).to.include('x');
      expect(t.started).to.deep.equal([1, 2, 9]);
      t.clock.advance(2000);
      await t.scheduler.claim();
      expect(t.store.claims.at(-1)!.skipDestinations, 'the hold has ended').not.to.include('x');
    });

    it('keeps the later of two holds', async () => {
      const t = setup();
      t.scheduler.hold('x', T0 + 5000);
      t.scheduler.hold('x', T0 + 1000);
      t.clock.advance(1000);
      await t.scheduler.claim();
      expect(t.store.claims[0].skipDestinations).to.include('x');
    });

    it('waits the poll interval, or less when a hold ends sooner, and at least 1 ms', () => {
      const t = setup();
      expect(t.scheduler.waitMs(250)).to.equal(250);
      t.scheduler.hold('x', T0 + 40);
      t.scheduler.hold('y', T0 + 90);
      expect(t.scheduler.waitMs(250)).to.equal(40);
      expect(t.scheduler.waitMs(20)).to.equal(20);
      t.clock.advance(60);
      expect(t.scheduler.waitMs(250), 'an ended hold not yet cleared').to.equal(1);
    });
  });

  describe('ordering per check', () => {
    it('runs a check’s jobs one at a time, oldest first, through retries and across channels', async () => {
      const t = setup({ concurrency: 8 });
      // Check k1 has four statuses; k2 two; k3 one on another channel; interleaved as they arrived.
      const arrivals = [['k1', 'x'], ['k2', 'x'], ['k1', 'x'], ['k3', 'y'], ['k1', 'x'], ['k2', 'x'], ['k1', 'x']] as const;
      arrivals.forEach(([check, destination], i) => t.store.add(job({ id: i + 1, check, destination })));
      const order: Array<[string, number]> = [];
      let failedOnce = false;
      for (let round = 0; round < 40 && t.store.rows.some((r) => r.state === 'pending'); round++) {
        await t.scheduler.claim();
        const checks = [...t.inflight.values()].map((d) => d.job.entityKey);
        expect(new Set(checks).size, 'two jobs of one check in flight').to.equal(checks.length);
        for (const [id, d] of [...t.inflight]) {
          order.push([d.job.event.id, id]);
          if (id === 3 && !failedOnce) {
            // The second status of k1 fails once: retried 500 ms later, the ones after it wait.
            failedOnce = true;
            await t.store.releaseJob(id, 'me', t.clock.now() + 500);
            t.inflight.delete(id);
            d.end();
            await settle();
          } else await t.finish(id);
        }
        t.clock.advance(100);
      }
      expect(t.store.rows.every((r) => r.state === 'done'), 'all delivered').to.equal(true);
      const k1 = order.filter(([c]) => c === 'k1').map(([, id]) => id);
      expect(k1).to.deep.equal([1, 3, 3, 5, 7]);
      expect(order.filter(([c]) => c === 'k2').map(([, id]) => id)).to.deep.equal([2, 6]);
    });

    it('does not start a job a second time when a claim returns it while it still runs or waits here', async () => {
      const t = setup({ concurrency: 8 });
      const [a, b, c] = [1, 2, 3].map((id) => job({ id, destination: 'x' }));
      t.store.add(a, b, c);
      t.store.scripted.push([a, b, c]); // 1 and 2 run, 3 waits
      await t.scheduler.claim();
      // Their leases passed (a stalled store): our own next claim takes them again.
      t.store.scripted.push([a, c]);
      await t.scheduler.claim();
      expect(t.started).to.deep.equal([1, 2]);
      expect(t.store.released).to.deep.equal([]);
      await t.finish(1);
      await t.finish(2);
      await t.finish(3);
      expect(t.started).to.deep.equal([1, 2, 3]);
    });
  });

  it('logs a delivery that throws and frees its slot', async () => {
    const t = setup({ concurrency: 1 });
    t.store.add(job({ id: 1, destination: 'x' }), job({ id: 2, destination: 'y' }));
    await t.scheduler.claim();
    await t.finish(1, new Error('boom'));
    expect(t.log.lines.find((l) => l.msg === 'delivery step failed')).to.deep.include({ jobId: 1, eventId: 'evt-1', receiver: 'a', attempt: 1 });
    expect(t.scheduler.inflight).to.equal(0);
    await t.scheduler.claim();
    expect(t.started).to.deep.equal([1, 2]);
  });

  it('gives back, rather than starts, a job kept by a claim that was answered after stop', async () => {
    const t = setup({ concurrency: 8 });
    const jobs = [1, 2, 3].map((id) => job({ id, destination: 'x' }));
    t.store.add(...jobs);
    const answer = deferred<DeliveryJob[]>();
    t.store.claimJobs = () => answer.promise;
    const claiming = t.scheduler.claim();
    t.scheduler.stop();
    answer.resolve(jobs);
    await claiming;
    await t.finish(1);
    expect(t.started).to.deep.equal([1, 2]);
    expect(t.store.released).to.deep.equal([{ jobId: 3, owner: 'me', at: T0 }]);
  });

  it('after stop, starts none of the jobs kept waiting (they stay leased for the owner’s release) and settles with what runs', async () => {
    const t = setup({ concurrency: 8 });
    const jobs = [1, 2, 3].map((id) => job({ id, destination: 'x' }));
    t.store.add(...jobs);
    t.store.scripted.push(jobs);
    await t.scheduler.claim();
    t.scheduler.stop();
    let settled = false;
    void t.scheduler.settled().then(() => (settled = true));
    await t.finish(1);
    expect(t.started).to.deep.equal([1, 2]);
    expect(t.store.released).to.deep.equal([]);
    expect(settled).to.equal(false);
    await t.finish(2);
    expect(settled).to.equal(true);
  });
});
