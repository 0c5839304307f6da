import { expect } from 'chai';
import { createMetrics } from '../../src/metrics.js';
import type { MessageRef } from '../../src/model/job.js';
import type { Attempt } from '../../src/pipeline/attempt-delivery.js';
import { recordOutcome, recordReceiverRemoved } from '../../src/pipeline/record-outcome.js';
import type { DeliveryResult } from '../../src/receivers/receiver.js';
import type { CompletedJob } from '../../src/store/store.js';
import { fakeClock, job, memoryLogger, T0 } from './fakes.js';

const POLICY = { backoff: { baseMs: 100, factor: 2, capMs: 1000 }, maxAgeMs: 60_000 };

function setup(opts: { kept?: boolean } = {}) {
  const clock = fakeClock();
  const calls: Array<[string, ...unknown[]]> = [];
  const completed: CompletedJob[] = [];
  const holds: Array<[string, number]> = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const log = memoryLogger();
  const deps = {
    store: {
      releaseJob: async (...a: unknown[]) => (calls.push(['releaseJob', ...a]), true),
      retryJob: async (...a: unknown[]) => (calls.push(['retryJob', ...a]), true),
      deadLetterJob: async (...a: unknown[]) => (calls.push(['deadLetterJob', ...a]), true),
      pauseDestination: async (...a: unknown[]) => void calls.push(['pauseDestination', ...a]),
    },
    complete: async (item: CompletedJob) => (completed.push(item), opts.kept ?? true),
    hold: (destination: string, until: number) => void holds.push([destination, until]),
    clock, metrics, owner: 'me', random: () => 0.5,
  };
  const j = job({ id: 4, check: 'kyc-1', destination: 'a:#ops', attempt: 2, receivedAt: T0 - 1500 });
  async function record(result: DeliveryResult, over: { previous?: MessageRef | null; interrupted?: boolean; startedAt?: number } = {}) {
    const attempt: Attempt = { result, startedAt: over.startedAt ?? T0 - 40, interrupted: over.interrupted ?? false };
    await recordOutcome(deps, { job: j, receiver: { kind: 'slack' }, previous: over.previous ?? null, attempt, policy: POLICY, log: log.logger });
  }
  async function counted() {
    return (await metrics.deliveries.get()).values.map((v) => ({ ...v.labels, n: v.value }));
  }
  return { clock, calls, completed, holds, metrics, log, deps, job: j, record, counted };
}

const failure = (over: Partial<Extract<DeliveryResult, { ok: false }>> = {}): DeliveryResult =>
  ({ ok: false, retryable: true, reason: 'answered 500', failure: 'serverError', code: 'serverError', ...over });

describe('recordOutcome', () => {
  describe('a delivery', () => {
    it('marks the job done through the batched completion, counts it and its latency, and logs how long it took', async () => {
      const t = setup();
      await t.record({ ok: true, messageRef: { channel: 'C1', messageId: '1.2' } });
      expect(t.completed).to.deep.equal([{
        jobId: 4, owner: 'me', attempt: { attempt: 2, at: T0, ok: true }, now: T0,
        messageRef: { receiver: 'a', entityKey: 'LiveCheck:kyc-1', ref: { channel: 'C1', messageId: '1.2' } },
      }]);
      expect(t.calls).to.deep.equal([]);
      expect(await t.counted()).to.deep.equal([{ receiver: 'a', integration: 'slack', outcome: 'delivered', reason: '', n: 1 }]);
      const latency = (await t.metrics.deliveryLatency.get()).values.find((v) => v.metricName?.endsWith('_sum'));
      expect(latency?.value).to.equal(1.5);
      const line = t.log.lines.find((l) => l.msg === 'delivered')!;
      expect(line).to.include({ ms: 40, level: 30 });
      expect(line).not.to.have.property('leaseLost');
    });

    it('stores the message reference only when it changed', async () => {
      const previous = { channel: 'C1', messageId: '1.2', extra: { thread: 'x' } };
      const same = setup();
      await same.record({ ok: true, messageRef: { channel: 'C1', messageId: '1.2', extra: { thread: 'x' } } }, { previous });
      expect(same.completed[0].messageRef).to.equal(undefined);
      for (const ref of [{ channel: 'C1', messageId: '1.3', extra: { thread: 'x' } }, { channel: 'C2', messageId: '1.2', extra: { thread: 'x' } }, { channel: 'C1', messageId: '1.2' }]) {
        const changed = setup();
        await changed.record({ ok: true, messageRef: ref }, { previous });
        expect(changed.completed[0].messageRef, JSON.stringify(ref)).to.deep.equal({ receiver: 'a', entityKey: 'LiveCheck:kyc-1', ref });
      }
      const none = setup();
      await none.record({ ok: true }, { previous });
      expect(none.completed[0].messageRef).to.equal(undefined);
    });

    it('logs a lease lost meanwhile (another replica has the job)', async () => {
      const t = setup({ kept: false });
      await t.record({ ok: true });
      expect(t.log.lines.find((l) => l.msg === 'delivered')).to.include({ leaseLost: true });
    });
  });

  describe('a failure', () => {
    it('retries a retryable failure after a jittered backoff, counted with its reason', async () => {
      const t = setup();
      await t.record(failure());
      // attempt 2: ceiling 200 ms, random 0.5
      expect(t.calls).to.deep.equal([['retryJob', 4, 'me', { attempt: 2, at: T0, ok: false, code: 'serverError', reason: 'answered 500' }, T0 + 100]]);
      expect(t.holds).to.deep.equal([]);
      expect(await t.counted()).to.deep.equal([{ receiver: 'a', integration: 'slack', outcome: 'retried', reason: 'serverError', n: 1 }]);
      expect(t.log.lines.find((l) => l.msg === 'delivery failed; will retry')).to.include({ code: 'serverError', reason: 'answered 500', retryInMs: 100, level: 40 });
    });

    it('pauses the channel for a 429’s Retry-After, in the store and here, and retries no sooner', async () => {
      const t = setup();
      await t.record(failure({ failure: 'rateLimited', code: 'rateLimited', retryAfterMs: 2000 }));
      expect(t.calls.map((c) => c.slice(0, 3))).to.deep.equal([['pauseDestination', 'a:#ops', T0 + 2000], ['retryJob', 4, 'me']]);
      expect(t.calls[1][4]).to.equal(T0 + 2000);
      expect(t.holds).to.deep.equal([['a:#ops', T0 + 2000]]);
      expect(await t.counted()).to.deep.equal([{ receiver: 'a', integration: 'slack', outcome: 'retried', reason: 'rateLimited', n: 1 }]);
    });

    it('pauses the channel for a 503’s Retry-After too', async () => {
      const t = setup();
      await t.record(failure({ retryAfterMs: 5000 }));
      expect(t.holds).to.deep.equal([['a:#ops', T0 + 5000]]);
    });

    it('pauses a rate-limited channel until the job’s own backoff ends when the platform gave no Retry-After', async () => {
      const t = setup();
      await t.record(failure({ failure: 'rateLimited', code: 'ratelimited' }));
      expect(t.calls[0]).to.deep.equal(['pauseDestination', 'a:#ops', T0 + 100]);
      expect(t.holds).to.deep.equal([['a:#ops', T0 + 100]]);
    });

    it('moves a non-retryable failure to the dead letters with its reason', async () => {
      const t = setup();
      await t.record(failure({ retryable: false, reason: 'rejected (400)', failure: 'clientError', code: 'clientError' }));
      expect(t.calls).to.deep.equal([['deadLetterJob', 4, 'me', { attempt: 2, at: T0, ok: false, code: 'clientError', reason: 'rejected (400)' }, 'rejected (400)', T0]]);
      expect(await t.counted()).to.deep.equal([{ receiver: 'a', integration: 'slack', outcome: 'deadLettered', reason: 'clientError', n: 1 }]);
      expect(t.log.lines.find((l) => l.msg === 'delivery failed; moved to dead letters')).to.include({ code: 'clientError', reason: 'rejected (400)', level: 50 });
    });

    it('gives up once delivery.maxAge has passed, and pauses nothing for a rate limit it gives up on', async () => {
      const t = setup();
      t.clock.advance(POLICY.maxAgeMs);
      await t.record(failure({ failure: 'rateLimited', code: 'rateLimited' }));
      expect(t.calls).to.have.length(1);
      expect(t.calls[0].slice(0, 2)).to.deep.equal(['deadLetterJob', 4]);
      expect(t.calls[0][4]).to.equal('gave up after 2 attempts (delivery.maxAge passed): answered 500');
      expect(t.holds).to.deep.equal([]);
    });
  });

  it('leaves an attempt cut short by shutdown queued, due now, uncounted', async () => {
    const t = setup();
    await t.record(failure({ reason: 'aborted by shutdown', failure: 'other', code: 'other' }), { interrupted: true });
    expect(t.calls).to.deep.equal([['releaseJob', 4, 'me', T0]]);
    expect(await t.counted()).to.deep.equal([]);
    expect(t.log.messages()).to.deep.equal(['delivery cut short by shutdown; left queued']);
  });
});

describe('recordReceiverRemoved', () => {
  it('moves the job to the dead letters, unsent, with the removed-receiver reason', async () => {
    const t = setup();
    await recordReceiverRemoved(t.deps, t.job, t.log.logger);
    expect(t.calls).to.deep.equal([['deadLetterJob', 4, 'me', null, 'receiver removed', T0]]);
    expect(await t.counted()).to.deep.equal([{ receiver: 'a', integration: 'unknown', outcome: 'deadLettered', reason: 'other', n: 1 }]);
    expect(t.log.lines[0]).to.include({ msg: 'receiver no longer configured; moved to dead letters', reason: 'receiver removed' });
  });
});
