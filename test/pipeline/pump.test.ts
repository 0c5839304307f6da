import { expect } from 'chai';
import { createPump } from '../../src/pipeline/pump.js';
import { deferred, fakeClock, memoryLogger, settle } from './fakes.js';

/** A pump whose step answers what the test queued (0 once the queue is empty), and counts its calls. */
function setup(opts: { intervalMs?: number; afterErrorMs?: number } = {}) {
  const clock = fakeClock();
  const log = memoryLogger();
  const answers: Array<number | Error | Promise<number>> = [];
  let steps = 0;
  let interval = opts.intervalMs ?? 250;
  const pump = createPump('routing', async () => {
    steps++;
    const next = answers.shift() ?? 0;
    if (next instanceof Error) throw next;
    return next;
  }, { clock, logger: log.logger, intervalMs: () => interval, afterErrorMs: opts.afterErrorMs });
  return {
    clock, log, pump, answers,
    get steps() { return steps; },
    setInterval(ms: number) { interval = ms; },
  };
}

describe('createPump', () => {
  let stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops) await stop();
    stops = [];
  });
  function started(opts: Parameters<typeof setup>[0] = {}) {
    const t = setup(opts);
    t.pump.start();
    stops.push(() => t.pump.stop());
    return t;
  }

  it('steps until a step finds nothing to do, then rests for the interval', async () => {
    const t = setup();
    t.answers.push(3, 2);
    t.pump.start();
    stops.push(() => t.pump.stop());
    await settle(10);
    expect(t.steps, 'two batches and the empty one').to.equal(3);
    expect(t.clock.sleepers).to.deep.equal([250]);
    t.clock.advance(249);
    await settle();
    expect(t.steps).to.equal(3);
    t.clock.advance(1);
    await settle();
    expect(t.steps).to.equal(4);
  });

  it('reads the interval before every rest', async () => {
    const t = started();
    await settle();
    t.setInterval(40);
    t.clock.advance(250);
    await settle();
    expect(t.clock.sleepers).to.deep.equal([40]);
  });

  it('steps at once when woken while resting, and once for many wakes in one turn', async () => {
    const t = started();
    await settle();
    expect(t.steps).to.equal(1);
    t.pump.wake();
    t.pump.wake();
    t.pump.wake();
    await settle();
    expect(t.steps).to.equal(2);
    expect(t.clock.sleepers, 'resting again, the old timer gone').to.deep.equal([250]);
  });

  it('steps again after the step it was woken during, without resting', async () => {
    const t = setup();
    const slow = deferred<number>();
    t.answers.push(slow.promise);
    t.pump.start();
    stops.push(() => t.pump.stop());
    await settle();
    t.pump.wake();
    slow.resolve(0);
    await settle();
    expect(t.steps).to.equal(2);
  });

  it('lets a turn of the event loop pass between batches, so waiting requests are answered in between', async () => {
    const t = setup();
    t.answers.push(1, 1);
    let between = 0;
    t.pump.start();
    stops.push(() => t.pump.stop());
    // A callback queued now, like a request waiting to be read, runs before the second batch.
    setImmediate(() => (between = t.steps));
    await settle(10);
    expect(between).to.equal(1);
    expect(t.steps).to.equal(3);
  });

  it('logs a failed step and tries again after a pause, then rests as usual', async () => {
    const t = setup();
    t.answers.push(new Error('database is locked'));
    t.pump.start();
    stops.push(() => t.pump.stop());
    await settle();
    expect(t.log.lines).to.have.length(1);
    expect(t.log.lines[0]).to.include({ msg: 'routing failed; will try again', step: 'routing', level: 50 });
    expect((t.log.lines[0].err as { message: string }).message).to.equal('database is locked');
    expect(t.clock.sleepers).to.deep.equal([1000]);
    t.pump.wake();
    await settle();
    expect(t.steps, 'a wake does not cut the pause short').to.equal(1);
    t.clock.advance(1000);
    await settle();
    expect(t.steps, 'woken meanwhile: steps at once').to.equal(2);
  });

  it('with afterErrorMs 0, rests as usual after a failed step (a wake or the interval steps again)', async () => {
    const t = setup({ afterErrorMs: 0 });
    t.answers.push(new Error('store unreachable'));
    t.pump.start();
    stops.push(() => t.pump.stop());
    await settle();
    expect(t.clock.sleepers).to.deep.equal([250]);
    t.pump.wake();
    await settle();
    expect(t.steps).to.equal(2);
  });

  it('stop waits for the step running, then steps no more; it does not wait out a rest or a pause', async () => {
    const t = setup();
    const slow = deferred<number>();
    t.answers.push(slow.promise);
    t.pump.start();
    await settle();
    let stopped = false;
    const stopping = t.pump.stop().then(() => (stopped = true));
    await settle();
    expect(stopped, 'the step is still running').to.equal(false);
    slow.resolve(5);
    await stopping;
    expect(t.steps).to.equal(1);

    const resting = setup();
    resting.pump.start();
    await settle();
    await resting.pump.stop();
    const pausing = setup();
    pausing.answers.push(new Error('x'));
    pausing.pump.start();
    await settle();
    await pausing.pump.stop();
    expect(pausing.clock.sleepers).to.deep.equal([]);
  });

  it('starts one loop however often start is called, and can start again after stop', async () => {
    const t = setup();
    t.pump.start();
    t.pump.start();
    await settle();
    expect(t.steps).to.equal(1);
    expect(t.clock.sleepers).to.have.length(1);
    await t.pump.stop();
    t.pump.start();
    stops.push(() => t.pump.stop());
    await settle();
    expect(t.steps).to.equal(2);
  });
});
