import { expect } from 'chai';
import { BURST_BATCH, createIngestFirst, MAX_REST_MS, QUIET_MS } from '../../src/pipeline/ingest-first.js';
import { createPump } from '../../src/pipeline/pump.js';
import { fakeClock, memoryLogger, settle } from './fakes.js';

/** Ingest-first on a fake wall clock: each sleep advances it by the time asked, running `during` halfway (a commit arriving meanwhile). */
function setup() {
  let t = 1000;
  const slept: number[] = [];
  let during: ((at: number) => void) | undefined;
  const gate = createIngestFirst({
    now: () => t,
    sleep: async (ms, stop) => {
      slept.push(ms);
      if (stop?.aborted) return;
      t += ms / 2;
      during?.(t);
      t += ms / 2;
    },
  });
  return {
    gate, slept,
    advance(ms: number) { t += ms; },
    whileSleeping(fn: (at: number) => void) { during = fn; },
  };
}

describe('ingest first (bursts go before the pipeline)', () => {
  it('lets the pipeline step at once while commits take one webhook or a few', async () => {
    const t = setup();
    for (let n = 1; n < BURST_BATCH; n++) t.gate.committed(n);
    expect(t.gate.bursting).to.equal(false);
    await t.gate.turn();
    expect(t.slept).to.deep.equal([]);
  });

  it('rests the pipeline after a commit that took a burst, until QUIET_MS pass without another', async () => {
    const t = setup();
    t.gate.committed(BURST_BATCH);
    expect(t.gate.bursting).to.equal(true);
    await t.gate.turn();
    expect(t.slept).to.deep.equal([QUIET_MS]);
    expect(t.gate.bursting).to.equal(false);
  });

  it('keeps resting while the burst goes on, but never longer than MAX_REST_MS (the pipeline\'s minimum share)', async () => {
    const t = setup();
    t.gate.committed(BURST_BATCH * 4);
    // A big commit in the middle of every rest: the burst never pauses.
    t.whileSleeping(() => t.gate.committed(BURST_BATCH * 4));
    const slept = () => t.slept.reduce((a, b) => a + b, 0);
    await t.gate.turn();
    expect(slept()).to.equal(MAX_REST_MS);
    expect(t.gate.bursting, 'the burst is still on').to.equal(true);
    // The next step's turn rests again.
    await t.gate.turn();
    expect(slept()).to.equal(2 * MAX_REST_MS);
  });

  it('stops resting when the pipeline is stopped', async () => {
    const t = setup();
    t.gate.committed(BURST_BATCH);
    const stop = new AbortController();
    stop.abort();
    await t.gate.turn(stop.signal);
    expect(t.slept.length).to.be.at.most(1);
  });

  it('a pump waits for its turn before each step', async () => {
    const clock = fakeClock();
    let open: () => void = () => undefined;
    let turns = 0;
    let steps = 0;
    const pump = createPump('claiming jobs', async () => (steps++ < 2 ? 1 : 0), {
      clock, logger: memoryLogger().logger, intervalMs: () => 1000,
      turn: () => { turns++; return new Promise<void>((r) => { open = r; }); },
    });
    pump.start();
    await settle(5);
    expect([turns, steps], 'waiting for its first turn').to.deep.equal([1, 0]);
    open();
    await settle(5);
    expect([turns, steps], 'one step, then waiting again').to.deep.equal([2, 1]);
    open();
    await settle(5);
    expect(steps).to.equal(2);
    open();
    const stopped = pump.stop();
    open();
    await stopped;
  });
});
