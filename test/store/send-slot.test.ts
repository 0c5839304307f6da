import { expect } from 'chai';
import { burstTolerance, slotWait, takeSlot, type Bucket } from '../../src/store/send-slot.js';

describe('send-slot (the pacing rule both stores apply)', function () {
  it('burstTolerance: burst − 1 intervals, the burst floored and at least 1', function () {
    const cases: Array<[number, number, number]> = [[1000, 3, 2000], [1000, 2.7, 1000], [1000, 1, 0], [1000, 0.5, 0], [1000, 0, 0], [250, 5, 1000]];
    for (const [interval, burst, expected] of cases) expect(burstTolerance(interval, burst), `${interval} ms, burst ${burst}`).to.equal(expected);
  });

  it('slotWait: until both the pause and the bucket allow, rounded up, at least 1 ms', function () {
    const cases: Array<[Bucket, number, number, number]> = [
      [{ tat: 1000, pausedUntil: 0 }, 0, 0, 1000],
      [{ tat: 1000, pausedUntil: 2500 }, 0, 0, 2500],
      [{ tat: 3000, pausedUntil: 2500 }, 0, 0, 3000],
      [{ tat: 142.857, pausedUntil: 0 }, 0, 0, 143],
      [{ tat: 1000.2, pausedUntil: 0 }, 1000, 0, 1],
      [{ tat: 2000, pausedUntil: 0 }, 0, 1000, 1000],
    ];
    for (const [bucket, now, tolerance, expected] of cases) expect(slotWait(bucket, now, tolerance), JSON.stringify({ bucket, now, tolerance })).to.equal(expected);
  });

  it('takeSlot: a new destination sends at once; a refusal leaves the bucket as it was', function () {
    const first = takeSlot(undefined, 100, 1000, 1);
    expect(first).to.deep.equal({ answer: { ok: true }, bucket: { tat: 1100, pausedUntil: 0 } });
    const refused = takeSlot(first.bucket, 600, 1000, 1);
    expect(refused).to.deep.equal({ answer: { ok: false, waitMs: 500 }, bucket: first.bucket });
    expect(takeSlot(first.bucket, 1100, 1000, 1)).to.deep.equal({ answer: { ok: true }, bucket: { tat: 2100, pausedUntil: 0 } });
  });
});
