import { expect } from 'chai';
import { createMetrics } from '../../src/metrics.js';
import type { DeliveryConfig } from '../../src/model/config.js';
import type { DeliveryJob } from '../../src/model/job.js';
import { createDeliveryWorker } from '../../src/pipeline/deliver-jobs.js';
import type { DeliveryContext, DeliveryResult, Receiver } from '../../src/receivers/receiver.js';
import type { CompletedJob, Store } from '../../src/store/store.js';
import { deferred, fakeClock, FakeQueue, job, memoryLogger, settle, T0 } from './fakes.js';

const DELIVERY: DeliveryConfig = {
  concurrency: 8, timeoutMs: 300, maxAgeMs: 60_000, leaseMs: 1000, pollIntervalMs: 250,
  backoff: { baseMs: 100, factor: 2, capMs: 1000 },
};

/** The worker on a FakeQueue with the rest of the store it uses, a fake clock and one webhook-like receiver "a". */
function setup() {
  const clock = fakeClock();
  const queue = new FakeQueue();
  const log = memoryLogger();
  const completions: CompletedJob[][] = [];
  const calls: string[] = [];
  let slotWait = 0;
  /** Completions are written once it resolves. */
  let writable: Promise<unknown> = Promise.resolve();
  let history: () => Promise<Array<{ status: string; at: number; type: string; eventId: string; groupId: string }>> = async () => [];
  const store = {
    kind: 'sqlite',
    claimJobs: (o) => queue.claimJobs(o),
    releaseJob: (id, owner, at) => queue.releaseJob(id, owner, at),
    takeSendSlot: async () => (slotWait > 0 ? { ok: false, waitMs: slotWait } : { ok: true }),
    getMessageRef: async () => null,
    entityHistory: () => history(),
    completeJobs: async (items) => {
      await writable;
      completions.push(items);
      for (const i of items) queue.done(i.jobId);
      return items.map(() => true);
    },
    retryJob: async (id) => (calls.push(`retry ${id}`), true),
    deadLetterJob: async (id, _owner, _attempt, reason) => (calls.push(`dead ${id}: ${reason}`), true),
    pauseDestination: async (dest) => void calls.push(`pause ${dest}`),
    releaseLeases: async (owner) => (calls.push(`releaseLeases ${owner}`), 0),
  } satisfies Partial<Store>;
  const sent: Array<{ job: DeliveryJob; ctx: DeliveryContext }> = [];
  let answer: (j: DeliveryJob, ctx: DeliveryContext) => Promise<DeliveryResult> = async () => ({ ok: true });
  const receiver: Receiver = {
    name: 'a', kind: 'webhook', pacing: { ratePerSecond: 5, burst: 1 }, usesHistory: true,
    destinationKey: () => 'a:default',
    deliver: (j, ctx) => (sent.push({ job: j, ctx }), answer(j, ctx)),
  };
  const receivers = new Map([['a', receiver]]);
  const worker = createDeliveryWorker({
    store: store as unknown as Store, clock, logger: log.logger, metrics: createMetrics({ defaultMetrics: false }),
    owner: 'me', receivers: () => receivers, delivery: () => DELIVERY, random: () => 0,
  });
  return {
    clock, queue, log, completions, calls, sent, receivers, worker,
    pace(ms: number) { slotWait = ms; },
    holdCompletions(until: Promise<unknown>) { writable = until; },
    answer(fn: typeof answer) { answer = fn; },
    history(fn: typeof history) { history = fn; },
  };
}

/** Waits out the few milliseconds a completion waits for others to share its store call. */
async function completionWindow() {
  await new Promise((r) => setTimeout(r, 20));
  await settle(10);
}

describe('createDeliveryWorker', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  function start(t: ReturnType<typeof setup>) {
    t.worker.start();
    stop = () => t.worker.stop(0);
  }

  it('delivers what it claims and records the deliveries that end within a few milliseconds in one store call', async () => {
    const t = setup();
    t.queue.add(job({ id: 1, destination: 'x' }), job({ id: 2, destination: 'y' }));
    start(t);
    await settle(10);
    expect(t.sent.map((s) => s.job.id)).to.deep.equal([1, 2]);
    await completionWindow();
    expect(t.completions.map((batch) => batch.map((c) => c.jobId))).to.deep.equal([[1, 2]]);
    expect(t.log.messages().filter((m) => m === 'delivered')).to.have.length(2);
  });

  it("starts a channel's next delivery without waiting for the last ones' completions to be written", async () => {
    const t = setup();
    const written = deferred<void>();
    t.holdCompletions(written.promise);
    // Two at a time in one channel (a quarter of 8): the third waits for a slot, not for a completion.
    t.queue.add(...[1, 2, 3].map((id) => job({ id, destination: 'x', check: `kyc-${id}` })));
    start(t);
    await completionWindow();
    expect(t.sent.map((s) => s.job.id)).to.deep.equal([1, 2, 3]);
    expect(t.completions).to.deep.equal([]);
    written.resolve();
    await completionWindow();
    expect(t.completions.flat().map((c) => c.jobId).sort()).to.deep.equal([1, 2, 3]);
  });

  it('keeps the jobs sent and not yet recorded within delivery.concurrency: the resends a crash can cause', async () => {
    const t = setup();
    const written = deferred<void>();
    t.holdCompletions(written.promise);
    t.queue.add(...Array.from({ length: 40 }, (_, i) => job({ id: i + 1, destination: `d${i % 20}`, check: `kyc-${i}` })));
    start(t);
    await completionWindow();
    // Eight (DELIVERY.concurrency) sent, their completions not written: the ninth waits before it sends.
    expect(t.sent).to.have.length(DELIVERY.concurrency);
    expect(t.worker.inflight, 'the waiting ones hold their slots').to.equal(DELIVERY.concurrency);
    written.resolve();
    await new Promise((r) => setTimeout(r, 200));
    expect(t.sent).to.have.length(40);
    expect(new Set(t.completions.flat().map((c) => c.jobId)).size).to.equal(40);
  });

  it('on stop, writes the completions still waiting before it gives the leases back', async () => {
    const t = setup();
    const order: string[] = [];
    t.queue.add(job({ id: 1 }));
    t.worker.start();
    await settle(10);
    await t.worker.stop(0);
    order.push(...t.completions.flat().map((c) => `complete ${c.jobId}`), ...t.calls);
    expect(order).to.deep.equal(['complete 1', 'releaseLeases me']);
    expect(t.log.messages()).to.include('delivered');
  });

  it('claims again, unwoken, when the poll interval passes', async () => {
    const t = setup();
    start(t);
    await settle();
    t.queue.add(job({ id: 1 }));
    await settle();
    expect(t.sent).to.have.length(0);
    t.clock.advance(DELIVERY.pollIntervalMs);
    await settle(10);
    expect(t.sent.map((s) => s.job.id)).to.deep.equal([1]);
  });

  it('gives a job whose channel has no send slot back, due when it has, and holds the channel until then', async () => {
    const t = setup();
    t.pace(200);
    t.queue.add(job({ id: 1, destination: 'x' }), job({ id: 2, destination: 'x', check: 'other' }));
    start(t);
    await settle(10);
    expect(t.sent).to.have.length(0);
    expect(t.queue.released.map((r) => [r.jobId, r.at])).to.deep.equal([[1, T0 + 200], [2, T0 + 200]]);
    expect(t.queue.claims.at(-1)!.skipDestinations).to.include('x');
    expect(t.clock.sleepers, 'the next claim comes when the channel frees').to.deep.equal([200]);
    t.pace(0);
    t.clock.advance(200);
    await settle(10);
    expect(t.sent.map((s) => s.job.id)).to.deep.equal([1, 2]);
  });

  it('gives a job back unsent when looking up its history took so long that its lease no longer covers an attempt', async () => {
    const t = setup();
    t.history(async () => {
      t.clock.advance(1001);
      return [];
    });
    t.queue.add(job({ id: 1 }));
    start(t);
    await settle(10);
    expect(t.sent).to.have.length(0);
    expect(t.queue.released[0]).to.deep.equal({ jobId: 1, owner: 'me', at: T0 + 1001 });
    expect(t.log.lines.find((l) => l.msg === 'lease too short left for a whole attempt; given back to the queue, not sent')).to.include({ sinceClaimMs: 1001, jobId: 1 });
  });

  it('moves a job whose receiver is gone to the dead letters', async () => {
    const t = setup();
    t.queue.add(job({ id: 1, receiver: 'gone' }));
    const receivers = t.receivers;
    receivers.set('gone', receivers.get('a')!);
    start(t);
    receivers.delete('gone'); // removed by a reload between the claim and the attempt
    await settle(10);
    expect(t.calls).to.deep.equal(['dead 1: receiver removed']);
    expect(t.sent).to.have.length(0);
  });

  it('on stop, aborts what is still running after the grace period, leaves it queued uncounted, and gives every lease back', async () => {
    const t = setup();
    const signals: AbortSignal[] = [];
    t.answer((_j, ctx) => {
      signals.push(ctx.signal);
      return new Promise(() => undefined);
    });
    t.queue.add(job({ id: 1 }));
    t.worker.start();
    await settle(10);
    expect(t.worker.inflight).to.equal(1);
    await t.worker.stop(0);
    expect(signals[0].aborted).to.equal(true);
    expect(t.queue.released).to.deep.equal([{ jobId: 1, owner: 'me', at: T0 }]);
    expect(t.calls).to.deep.equal(['releaseLeases me']);
    expect(t.log.messages()).to.include('delivery cut short by shutdown; left queued');
  });

  it('on stop, lets a delivery in flight finish within the grace period', async () => {
    const t = setup();
    const answer = deferred<DeliveryResult>();
    t.answer(() => answer.promise);
    t.queue.add(job({ id: 1 }));
    t.worker.start();
    await settle(10);
    const stopping = t.worker.stop(10_000);
    await settle();
    answer.resolve({ ok: true });
    await stopping;
    expect(t.completions.flat().map((c) => c.jobId)).to.deep.equal([1]);
    expect(t.calls).to.deep.equal(['releaseLeases me']);
  });
});
