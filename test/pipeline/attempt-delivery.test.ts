import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { attemptDelivery, type Attempt } from '../../src/pipeline/attempt-delivery.js';
import type { DeliveryContext, DeliveryResult } from '../../src/receivers/receiver.js';
import { deferred, fakeClock, job, memoryLogger, settle, T0 } from './fakes.js';

/** A receiver whose answer the test gives, recording what it was handed. */
function receiver(answer: (ctx: DeliveryContext) => Promise<DeliveryResult>) {
  const calls: DeliveryContext[] = [];
  return { calls, deliver: (_job: unknown, ctx: DeliveryContext) => (calls.push(ctx), answer(ctx)) };
}

function setup(answer: (ctx: DeliveryContext) => Promise<DeliveryResult>) {
  const clock = fakeClock();
  const stop = new AbortController();
  const r = receiver(answer);
  const j = job({ id: 7, check: 'kyc-1' });
  const history = [
    { status: 'Pending', at: T0 - 30, eventId: 'evt-5' },
    { status: 'Completed', at: T0 - 20, eventId: 'evt-7' },
    { status: 'Archived', at: T0 - 10, eventId: 'evt-9' },
  ];
  let attempt: Attempt | undefined;
  const run = (timeoutMs = 300, hist = history) =>
    attemptDelivery(r, j, { previous: { channel: 'C1', messageId: '1.2' }, history: hist, logger: memoryLogger().logger }, { clock, timeoutMs, stop: stop.signal })
      .then((a) => (attempt = a));
  return { clock, stop, r, run, get attempt() { return attempt; } };
}

describe('attemptDelivery', () => {
  it('hands the receiver the message reference and the statuses up to this event, and returns its answer', async () => {
    const t = setup(async () => ({ ok: true, messageRef: { channel: 'C1', messageId: '1.3' } }));
    t.clock.advance(5);
    const a = await t.run();
    expect(a).to.deep.equal({ result: { ok: true, messageRef: { channel: 'C1', messageId: '1.3' } }, startedAt: T0 + 5, interrupted: false });
    const ctx = t.r.calls[0];
    expect(ctx.previous).to.deep.equal({ channel: 'C1', messageId: '1.2' });
    expect(ctx.history, 'later statuses left out, event ids dropped').to.deep.equal([{ status: 'Pending', at: T0 - 30 }, { status: 'Completed', at: T0 - 20 }]);
    expect(ctx.signal.aborted).to.equal(false);
  });

  it('hands every status when this event is not among them yet', async () => {
    const t = setup(async () => ({ ok: true }));
    await t.run(300, [{ status: 'Pending', at: T0 - 30, eventId: 'evt-5' }]);
    expect(t.r.calls[0].history).to.deep.equal([{ status: 'Pending', at: T0 - 30 }]);
  });

  it('leaves no timer and no listener behind', async () => {
    const t = setup(async () => ({ ok: true }));
    await t.run();
    await settle();
    expect(t.clock.sleepers).to.deep.equal([]);
    expect(getEventListeners(t.stop.signal, 'abort')).to.have.length(0);
  });

  it('fails retryably with code timeout when the receiver has not answered within delivery.timeout, and aborts its signal', async () => {
    const t = setup(() => new Promise<DeliveryResult>(() => undefined)); // ignores its signal, never answers
    void t.run(300);
    await settle();
    t.clock.advance(299);
    await settle();
    expect(t.attempt, 'not before the timeout').to.equal(undefined);
    t.clock.advance(1);
    await settle();
    expect(t.attempt).to.deep.equal({
      result: { ok: false, retryable: true, reason: 'no answer within 300 ms (delivery.timeout)', failure: 'timeout', code: 'timeout' },
      startedAt: T0, interrupted: false,
    });
    const signal = t.r.calls[0].signal;
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as DOMException).name).to.equal('TimeoutError');
  });

  it('counts a timeout as an attempt even when a shutdown follows it', async () => {
    const answer = deferred<DeliveryResult>();
    const t = setup(() => answer.promise);
    const running = t.run(300);
    await settle();
    t.clock.advance(300);
    await running;
    t.stop.abort();
    expect(t.attempt!.interrupted).to.equal(false);
    expect(t.attempt!.result).to.include({ code: 'timeout' });
  });

  for (const [how, deliver] of [
    ['throws', () => { throw new Error('boom'); }],
    ['rejects', () => Promise.reject(new Error('boom'))],
  ] as const) {
    it(`fails retryably when the receiver ${how}`, async () => {
      const t = setup(deliver);
      const a = await t.run();
      expect(a.result).to.deep.equal({ ok: false, retryable: true, reason: 'receiver threw: boom', failure: 'other', code: 'other' });
      expect(a.interrupted).to.equal(false);
    });
  }

  it('is cut short by a hard stop: the receiver’s signal aborts, and the attempt is marked interrupted (not counted)', async () => {
    const t = setup(() => new Promise<DeliveryResult>(() => undefined));
    void t.run(10_000);
    await settle();
    t.stop.abort(new Error('shutting down'));
    await settle();
    expect(t.attempt).to.deep.equal({
      result: { ok: false, retryable: true, reason: 'aborted by shutdown', failure: 'other', code: 'other' },
      startedAt: T0, interrupted: true,
    });
    expect(t.r.calls[0].signal.reason).to.have.property('message', 'shutting down');
    expect(t.clock.sleepers, 'the timer is gone').to.deep.equal([]);
  });

  it('is interrupted at once when the stop came before it started', async () => {
    const t = setup(() => new Promise<DeliveryResult>(() => undefined));
    t.stop.abort();
    const a = await t.run();
    expect(a.interrupted).to.equal(true);
    expect(t.r.calls[0].signal.aborted).to.equal(true);
  });

  it('treats a failure the receiver reports during a hard stop as interrupted', async () => {
    const t = setup(async (ctx) => {
      await new Promise((r) => ctx.signal.addEventListener('abort', r));
      return { ok: false, retryable: true, reason: 'socket closed', failure: 'serverError', code: 'networkError' };
    });
    const a = t.run();
    await settle();
    t.stop.abort();
    expect((await a).interrupted).to.equal(true);
  });

  it('never marks a success interrupted, stop or not', async () => {
    const t = setup(async () => ({ ok: true }));
    t.stop.abort();
    const a = await t.run();
    expect(a).to.deep.equal({ result: { ok: true }, startedAt: T0, interrupted: false });
  });
});
