import { expect } from 'chai';
import { createIntake, HOUSEKEEPING_GRACE_MS, REQUEST_GRACE_MS, shutDown, within, type ShutDownDeps } from '../../src/lifecycle/shut-down.js';
import { fakeClock, settle, type FakeClock } from '../helpers/clock.js';
import { memoryLogger } from '../helpers/logger.js';

/** Fakes that record, in `steps`, what shutdown does and in what order. */
function setup(over: { closesAfterMs?: number; workerTakesMs?: number; housekeepingStuck?: boolean; timeoutMs?: number; closeStore?: boolean; server?: boolean } = {}) {
  const clock = fakeClock();
  const logs = memoryLogger();
  const steps: string[] = [];
  const intake = createIntake();
  const server = {
    close(cb?: (err?: Error) => void) {
      steps.push('server.close');
      if (over.closesAfterMs === undefined) cb?.();
      else if (Number.isFinite(over.closesAfterMs)) void clock.sleep(over.closesAfterMs).then(() => cb?.());
      return server;
    },
    closeIdleConnections: () => void steps.push('server.closeIdleConnections'),
    closeAllConnections: () => void steps.push('server.closeAllConnections'),
  };
  const deps: ShutDownDeps = {
    intake,
    housekeeping: {
      stop: () => void steps.push('housekeeping.stop'),
      idle: () => (over.housekeepingStuck ? new Promise<void>(() => undefined) : Promise.resolve()),
    },
    worker: {
      async stop(timeoutMs) {
        steps.push(`worker.stop(${timeoutMs}) accepting=${intake.accepting()}`);
        if (over.workerTakesMs) await clock.sleep(over.workerTakesMs);
      },
    },
    router: { stop: async () => void steps.push('router.stop') },
    server: over.server === false ? undefined : (server as unknown as ShutDownDeps['server']),
    store: { close: async () => void steps.push('store.close') },
    closeStore: over.closeStore ?? true,
    timeoutMs: over.timeoutMs ?? 10_000,
    clock,
    logger: logs.logger,
  };
  return { clock, logs, steps, intake, deps };
}

/** Runs `p` while moving the clock on in `step` ms slices until it settles; resolves with how long it took on the clock. */
async function timed(clock: FakeClock, p: Promise<unknown>, step = 100): Promise<number> {
  const start = clock.now();
  let done = false;
  void p.then(() => { done = true; });
  await settle();
  while (!done) {
    clock.advance(step);
    await settle();
    if (clock.now() - start > 60_000) throw new Error('shutdown never finished');
  }
  await p;
  return clock.now() - start;
}

describe('shutDown', () => {
  it('refuses new webhooks first, stops housekeeping, drains deliveries, then the server, routing, housekeeping and the store', async () => {
    const { steps, intake, deps, logs } = setup({ timeoutMs: 3000 });
    expect(intake.accepting()).to.equal(true);
    await shutDown(deps);
    expect(intake.accepting()).to.equal(false);
    expect(steps).to.deep.equal([
      'housekeeping.stop',
      'worker.stop(3000) accepting=false',
      'server.close',
      'server.closeIdleConnections',
      'server.closeAllConnections',
      'router.stop',
      'store.close',
    ]);
    expect(logs.records().map((l) => l.msg)).to.deep.equal(['aver-bridge stopped']);
  });

  it('gives requests in flight what is left of server.shutdownTimeout after the deliveries, then closes every connection', async () => {
    const { clock, steps, deps } = setup({ timeoutMs: 5000, workerTakesMs: 1500, closesAfterMs: Infinity });
    const took = await timed(clock, shutDown(deps));
    expect(took).to.equal(5000);
    expect(steps).to.include('server.closeAllConnections');
    expect(clock.sleepers, 'no timer outlives the stop').to.deep.equal([]);
  });

  it('gives requests in flight at least REQUEST_GRACE_MS, even when the deliveries used up the whole timeout', async () => {
    const { clock, deps } = setup({ timeoutMs: 2000, workerTakesMs: 2000, closesAfterMs: Infinity });
    expect(await timed(clock, shutDown(deps))).to.equal(2000 + REQUEST_GRACE_MS);
  });

  it('goes on as soon as the server has closed', async () => {
    const { clock, deps } = setup({ timeoutMs: 10_000, closesAfterMs: 300 });
    expect(await timed(clock, shutDown(deps))).to.equal(300);
    expect(clock.sleepers).to.deep.equal([]);
  });

  it('waits HOUSEKEEPING_GRACE_MS for a housekeeping pass still running, then closes the store under it', async () => {
    const { clock, steps, deps } = setup({ housekeepingStuck: true });
    expect(await timed(clock, shutDown(deps))).to.equal(HOUSEKEEPING_GRACE_MS);
    expect(steps.at(-1)).to.equal('store.close');
  });

  it('leaves a store given in open, and skips the server of a bridge never started', async () => {
    const { steps, deps } = setup({ closeStore: false, server: false });
    await shutDown(deps);
    expect(steps).to.deep.equal(['housekeeping.stop', 'worker.stop(10000) accepting=false', 'router.stop']);
  });
});

describe('within', () => {
  it('resolves with the promise when it comes first, and clears its timer', async () => {
    const clock = fakeClock();
    await within(clock, 1000, Promise.resolve());
    expect(clock.sleepers).to.deep.equal([]);
  });

  it('resolves after ms on the clock when the promise never settles', async () => {
    const clock = fakeClock();
    expect(await timed(clock, within(clock, 700, new Promise(() => undefined)))).to.equal(700);
  });
});
