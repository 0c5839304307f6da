import { expect } from 'chai';
import { renderTable, percentile, ratioAtLeast, atMost, below, row, skippedRow } from '../bench/table.js';

describe('bench/table', () => {
  it('computes the ratio against the ceiling and checks a ratio target', () => {
    const r = row({ key: 'k', name: 'n', unit: 'req/s', result: 30, ceiling: 40, ceilingName: 'bare', target: ratioAtLeast(0.5) });
    expect(r.ratio).to.equal(0.75);
    expect(r.pass).to.equal(true);
    expect(row({ key: 'k', name: 'n', unit: 'req/s', result: 10, ceiling: 40, ceilingName: 'bare', target: ratioAtLeast(0.5) }).pass).to.equal(false);
  });

  it('checks value targets at their bounds', () => {
    const at = (result: number, t: ReturnType<typeof atMost>) => row({ key: 'k', name: 'n', unit: 'ms', result, ceiling: null, ceilingName: '', target: t }).pass;
    expect(at(10, atMost(10, 'ms'))).to.equal(true);
    expect(at(10.01, atMost(10, 'ms'))).to.equal(false);
    expect(at(199.9, below(200, 'MB'))).to.equal(true);
    expect(at(200, below(200, 'MB'))).to.equal(false);
  });

  it('has no ratio without a ceiling, and no verdict for a skipped row', () => {
    expect(row({ key: 'k', name: 'n', unit: 'ms', result: 5, ceiling: null, ceilingName: '' }).ratio).to.equal(null);
    const s = skippedRow('k', 'n', 'ms', '≤ 10 ms', 'no server');
    expect(s.pass).to.equal(null);
    expect(renderTable([s])).to.include('skipped: no server');
  });

  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).to.equal(50);
    expect(percentile(xs, 99)).to.equal(99);
    expect(percentile(xs, 100)).to.equal(100);
    expect(percentile([7], 99)).to.equal(7);
  });
});
