import { expect } from 'chai';
import { backoffCeiling, decideRetry } from '../../src/pipeline/retry-policy.js';
import { parseRetryAfter } from '../../src/http/retry-after.js';
import { resultFromStatus } from '../../src/receivers/http-failure.js';

const policy = { backoff: { baseMs: 1000, factor: 2, capMs: 300_000 }, maxAgeMs: 86_400_000 };
const now = 1_000_000_000;
const job = (attempt: number, createdAt = now) => ({ attempt, createdAt });
const failure = { retryable: true, reason: 'answered 500' };

describe('decideRetry', () => {
  describe('full jitter: the delay is uniform in [0, min(cap, base × factor^(attempt-1))]', () => {
    const table: Array<[attempt: number, ceiling: number]> = [
      [1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 16_000], [9, 256_000], [10, 300_000], [30, 300_000], [200, 300_000],
    ];
    for (const [attempt, ceiling] of table) {
      it(`attempt ${attempt}: 0 with random 0, ${ceiling} ms with random 1, half way with 0.5`, () => {
        expect(backoffCeiling(attempt, policy.backoff)).to.equal(ceiling);
        expect(decideRetry(failure, job(attempt), now, policy, () => 0)).to.deep.equal({ action: 'retry', at: now });
        expect(decideRetry(failure, job(attempt), now, policy, () => 1)).to.deep.equal({ action: 'retry', at: now + ceiling });
        expect(decideRetry(failure, job(attempt), now, policy, () => 0.5)).to.deep.equal({ action: 'retry', at: now + ceiling / 2 });
        expect(decideRetry(failure, job(attempt), now, policy, () => 0.999999)).to.deep.equal({ action: 'retry', at: now + Math.floor(0.999999 * ceiling) });
      });
    }

    it('takes base, factor and cap from delivery.backoff', () => {
      const p = { backoff: { baseMs: 50, factor: 3, capMs: 1000 }, maxAgeMs: 60_000 };
      expect([1, 2, 3, 4, 5].map((a) => decideRetry(failure, job(a), now, p, () => 1))).to.deep.equal(
        [50, 150, 450, 1000, 1000].map((d) => ({ action: 'retry', at: now + d })),
      );
    });

    it('keeps a random value outside [0, 1] inside the bounds', () => {
      expect(decideRetry(failure, job(3), now, policy, () => -5)).to.deep.equal({ action: 'retry', at: now });
      expect(decideRetry(failure, job(3), now, policy, () => 7)).to.deep.equal({ action: 'retry', at: now + 4000 });
    });
  });

  describe('Retry-After', () => {
    it('is honoured exactly, whatever the jitter and the attempt', () => {
      for (const random of [() => 0, () => 0.5, () => 1]) {
        expect(decideRetry({ ...failure, retryAfterMs: 2000 }, job(1), now, policy, random)).to.deep.equal({ action: 'retry', at: now + 2000 });
        expect(decideRetry({ ...failure, retryAfterMs: 2000 }, job(12), now, policy, random)).to.deep.equal({ action: 'retry', at: now + 2000 });
      }
    });

    it('beyond the cap is still honoured (never sooner)', () => {
      expect(decideRetry({ ...failure, retryAfterMs: 600_000 }, job(1), now, policy, () => 0)).to.deep.equal({ action: 'retry', at: now + 600_000 });
    });

    it('of 0 retries at once; a fraction of a millisecond rounds up', () => {
      expect(decideRetry({ ...failure, retryAfterMs: 0 }, job(1), now, policy, () => 1)).to.deep.equal({ action: 'retry', at: now });
      expect(decideRetry({ ...failure, retryAfterMs: 0.2 }, job(1), now, policy, () => 1)).to.deep.equal({ action: 'retry', at: now + 1 });
    });
  });

  describe('delivery.maxAge', () => {
    it('retries while the next attempt is within maxAge of the job’s creation', () => {
      const createdAt = now - policy.maxAgeMs + 1000;
      expect(decideRetry(failure, job(5, createdAt), now, policy, () => 1 / 16)).to.deep.equal({ action: 'retry', at: now + 1000 });
    });

    it('dead-letters once the next attempt would come after maxAge, saying how many attempts and why', () => {
      const createdAt = now - policy.maxAgeMs + 1000;
      const d = decideRetry(failure, job(5, createdAt), now, policy, () => 1);
      expect(d).to.deep.equal({ action: 'dead', reason: 'gave up after 5 attempts (delivery.maxAge passed): answered 500' });
    });

    it('dead-letters when Retry-After reaches past maxAge', () => {
      const d = decideRetry({ ...failure, retryAfterMs: policy.maxAgeMs + 1 }, job(1), now, policy, () => 0);
      expect(d).to.deep.equal({ action: 'dead', reason: 'gave up after 1 attempt (delivery.maxAge passed): answered 500' });
    });
  });

  it('sends a non-retryable failure straight to the dead letters with its own reason', () => {
    for (const attempt of [1, 7]) {
      const d = decideRetry({ retryable: false, reason: 'webhook "a" rejected the message (400)', retryAfterMs: 10 }, job(attempt), now, policy, () => 0);
      expect(d).to.deep.equal({ action: 'dead', reason: 'webhook "a" rejected the message (400)' });
    }
  });
});

describe('parseRetryAfter', () => {
  const at = Date.parse('2026-11-26T12:00:00Z');
  const table: Array<[string | null | undefined, number | undefined]> = [
    ['2', 2000],
    [' 2 ', 2000],
    ['0', 0],
    ['1.5', 1500],
    ['120', 120_000],
    ['Thu, 26 Nov 2026 12:00:30 GMT', 30_000],
    ['Thursday, 26-Nov-26 12:00:30 GMT', 30_000],
    ['Thu Nov 26 12:00:30 2026', 30_000],
    ['Thu, 26 Nov 2026 11:59:00 GMT', 0],
    [null, undefined],
    [undefined, undefined],
    ['', undefined],
    ['-1', undefined],
    ['2 seconds', undefined],
    ['soon', undefined],
    ['2026-11-26', undefined],
    ['1e3', undefined],
  ];
  for (const [value, ms] of table) {
    it(`${JSON.stringify(value)} → ${ms}`, () => expect(parseRetryAfter(value, at)).to.equal(ms));
  }
});

describe('resultFromStatus (webhook-style receivers)', () => {
  const table: Array<[status: number, retryAfter: string | null, expected: Record<string, unknown>]> = [
    [200, null, { ok: true }],
    [204, '5', { ok: true }],
    [429, '2', { ok: false, retryable: true, retryAfterMs: 2000, code: 'rateLimited' }],
    [429, null, { ok: false, retryable: true, code: 'rateLimited' }],
    [503, '3', { ok: false, retryable: true, retryAfterMs: 3000, code: 'serverError' }],
    [503, null, { ok: false, retryable: true, code: 'serverError' }],
    [500, '3', { ok: false, retryable: true, code: 'serverError' }],
    [502, null, { ok: false, retryable: true, code: 'serverError' }],
    [408, null, { ok: false, retryable: true, code: 'serverError' }],
    [400, null, { ok: false, retryable: false, code: 'clientError' }],
    [404, null, { ok: false, retryable: false, code: 'clientError' }],
    [301, null, { ok: false, retryable: false, code: 'clientError' }],
    [401, null, { ok: false, retryable: false, code: 'authError' }],
    [403, null, { ok: false, retryable: false, code: 'authError' }],
  ];
  for (const [status, retryAfter, expected] of table) {
    it(`${status}${retryAfter ? ` with Retry-After ${retryAfter}` : ''} → ${expected.ok ? 'ok' : `${expected.retryable ? 'retry' : 'dead letter'} (${expected.code})`}`, () => {
      const r = resultFromStatus(status, retryAfter, 0, 'webhook "a" (http://127.0.0.1:1/…)');
      expect(r).to.include(expected);
      if (!('retryAfterMs' in expected)) expect(r).not.to.have.property('retryAfterMs');
      if (!r.ok) expect(r.reason).to.contain(String(status));
    });
  }
});
