import { expect } from 'chai';
import { isoSeconds } from '../../src/present/format-time.js';

/** What isoSeconds writes, by its definition. */
function plain(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('isoSeconds', () => {
  it('writes RFC 3339 in UTC to the second', () => {
    expect(isoSeconds(Date.UTC(2024, 4, 17, 9, 30, 5, 999))).to.equal('2024-05-17T09:30:05Z');
  });

  it('writes what its definition does, one time after another (it remembers the last second)', () => {
    const edges = [0, -0, -1, -999, -1000, -1001, 1, 999, 1000, 1.5, -0.5, -999.5, -1000.5, 1700000000123, 1700000000999, 1700000001000,
      8.64e15, -8.64e15, 8.64e15 + 1, -8.64e15 - 1, 253402300799999, 253402300800000, -62167219200001, NaN, Infinity, -Infinity];
    const times = [...edges, ...edges.toReversed()];
    let seed = 17;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      const t = (random() - 0.5) * 2e13;
      times.push(t, t + (random() - 0.5) * 3000, Math.round(t));
    }
    for (const t of times) expect(isoSeconds(t), String(t)).to.equal(plain(t));
  });
});
