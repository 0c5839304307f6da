import { expect } from 'chai';
import { HOUSEKEEPING_INTERVAL_MS, runHousekeeping } from '../../src/housekeeping/run-housekeeping.js';
import { createHousekeepingTimer } from '../../src/lifecycle/housekeeping-timer.js';
import type { Config } from '../../src/model/config.js';
import type { Store } from '../../src/store/store.js';
import { fakeClock, settle } from '../helpers/clock.js';
import { configFrom, MINIMAL_YAML } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';

type Pass = Parameters<typeof runHousekeeping>[0];

describe('createHousekeepingTimer', () => {
  const config = configFrom(MINIMAL_YAML);
  const store = {} as Store;

  function setup(run: (pass: Pass) => Promise<void>, over: { config?: () => Config; receivers?: () => string[] } = {}) {
    const clock = fakeClock();
    const logs = memoryLogger();
    const timer = createHousekeepingTimer({
      store, ownsStore: true, clock, logger: logs.logger,
      config: over.config ?? (() => config), receivers: over.receivers ?? (() => ['ops']), run,
    });
    return { clock, logs, timer };
  }

  it('runs a pass at start-up, then one every HOUSEKEEPING_INTERVAL_MS on the clock, and none after stop()', async () => {
    const passes: number[] = [];
    const { clock, timer } = setup(async (p) => void passes.push(p.now));
    const start = clock.now();
    timer.start();
    await settle();
    expect(passes).to.deep.equal([start]);
    clock.advance(HOUSEKEEPING_INTERVAL_MS - 1);
    await settle();
    expect(passes).to.have.length(1);
    clock.advance(1);
    await settle();
    clock.advance(HOUSEKEEPING_INTERVAL_MS);
    await settle();
    expect(passes).to.deep.equal([start, start + HOUSEKEEPING_INTERVAL_MS, start + 2 * HOUSEKEEPING_INTERVAL_MS]);
    timer.stop();
    expect(clock.sleepers, 'no timer left waiting').to.deep.equal([]);
    clock.advance(5 * HOUSEKEEPING_INTERVAL_MS);
    await settle();
    expect(passes).to.have.length(3);
  });

  it('hands each pass the store, the config and receivers of its moment, and whether this process owns the store', async () => {
    const seen: Pass[] = [];
    let receivers = ['ops'];
    const { clock, timer } = setup(async (p) => void seen.push(p), { receivers: () => receivers });
    timer.start();
    await settle();
    receivers = ['ops', 'audit'];
    clock.advance(HOUSEKEEPING_INTERVAL_MS);
    await settle();
    timer.stop();
    expect(seen.map((p) => p.receivers)).to.deep.equal([['ops'], ['ops', 'audit']]);
    expect(seen[0]).to.include({ store, config, ownsStore: true });
  });

  it('never runs two passes at once: a slow pass makes the next wait, and idle() waits for both', async () => {
    let running = 0;
    let most = 0;
    let finish!: () => void;
    const { clock, timer } = setup(async () => {
      running += 1;
      most = Math.max(most, running);
      if (running === 1 && !finish) await new Promise<void>((resolve) => { finish = resolve; });
      running -= 1;
    });
    timer.start();
    clock.advance(HOUSEKEEPING_INTERVAL_MS);
    await settle();
    timer.stop();
    let idle = false;
    void timer.idle().then(() => { idle = true; });
    await settle();
    expect(idle, 'the slow first pass still runs').to.equal(false);
    finish();
    await timer.idle();
    expect(most).to.equal(1);
  });

  it('logs a pass that throws and runs the next one', async () => {
    let n = 0;
    const { clock, logs, timer } = setup(async () => {
      n += 1;
      if (n === 1) throw new Error('store gone');
    });
    timer.start();
    clock.advance(HOUSEKEEPING_INTERVAL_MS);
    await settle();
    timer.stop();
    await timer.idle();
    expect(n).to.equal(2);
    expect(logs.records().map((l) => l.msg)).to.include('housekeeping failed; will try again');
  });
});
