import { expect } from 'chai';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import type { Config } from '../../src/model/config.js';
import { RECEIVER_REMOVED } from '../../src/model/job.js';
import type { LiveState } from '../../src/reload/live-state.js';
import { removedReceivers, swapIn, type Live, type SwapDeps } from '../../src/reload/swap-in.js';
import type { Receiver } from '../../src/receivers/receiver.js';
import { fakeClock } from '../helpers/clock.js';
import { configFrom, MINIMAL_YAML } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';

/** A state with receivers of these names (swapIn reads only their names). */
function stateWith(...names: string[]): LiveState {
  return { tree: {} as LiveState['tree'], groups: {}, platforms: {}, verify: [], receivers: new Map(names.map((n) => [n, { name: n } as Receiver])) };
}

async function gaugeValues(metrics: Metrics) {
  return {
    ok: (await metrics.configReloadSuccessful.get()).values[0]?.value,
    hashes: (await metrics.configHash.get()).values.map((v) => v.labels.hash),
    at: (await metrics.configReloadTimestamp.get()).values[0]?.value,
  };
}

describe('removedReceivers', () => {
  for (const [what, before, after, expected] of [
    ['none removed', ['ops'], ['ops', 'audit'], []],
    ['one removed, one added', ['ops', 'hooks'], ['ops', 'audit'], ['hooks']],
    ['all removed', ['ops', 'hooks'], ['audit'], ['ops', 'hooks']],
  ] as const) {
    it(what, () => expect(removedReceivers(stateWith(...before), stateWith(...after))).to.deep.equal(expected));
  }
});

describe('swapIn', () => {
  const oldConfig = configFrom(MINIMAL_YAML, {}, 'old.yaml');
  const newConfig = configFrom(MINIMAL_YAML.replace('name: ops', 'name: audit').replace('receiver: ops', 'receiver: audit'), {}, 'new.yaml');

  function setup(over: Partial<SwapDeps> = {}) {
    const clock = fakeClock();
    const logs = memoryLogger();
    const metrics = createMetrics();
    const calls: Array<{ receivers: string[]; reason: string; now: number }> = [];
    let swapped = 0;
    const live: Live = { config: oldConfig, state: stateWith('ops', 'hooks') };
    const deps: SwapDeps = {
      store: { deadLetterReceivers: async (receivers, reason, now) => { calls.push({ receivers, reason, now }); return receivers.length; } },
      clock, logger: logs.logger, metrics,
      build: async () => stateWith('ops', 'audit'),
      start: async () => undefined,
      onSwapped: () => void (swapped += 1),
      ...over,
    };
    return { clock, logs, metrics, calls, live, deps, swapped: () => swapped };
  }

  it('swaps config and state together, dead-letters the jobs of the receivers removed, records the new hash, wakes the worker', async () => {
    const { clock, logs, metrics, calls, live, deps, swapped } = setup();
    clock.advance(5000);
    await swapIn(live, newConfig, deps);
    expect(live.config).to.equal(newConfig);
    expect([...live.state.receivers.keys()]).to.deep.equal(['ops', 'audit']);
    expect(calls).to.deep.equal([{ receivers: ['hooks'], reason: RECEIVER_REMOVED, now: clock.now() }]);
    expect(await gaugeValues(metrics)).to.deep.equal({ ok: 1, hashes: [newConfig.source.hash], at: clock.now() / 1000 });
    expect(logs.records().find((l) => l.msg === 'configuration reloaded')).to.include({ hash: newConfig.source.hash, deadLettered: 1 });
    expect(swapped()).to.equal(1);
  });

  it('keeps the old config and state when the new receivers cannot start: metric 0, error logged and thrown, nothing dead-lettered', async () => {
    const { metrics, calls, live, logs, deps, swapped } = setup({ start: async () => { throw new Error('channel #ops-alerts not found'); } });
    const before = live.state;
    let error: Error | undefined;
    await swapIn(live, newConfig, deps).catch((err: Error) => { error = err; });
    expect(error?.message).to.equal('channel #ops-alerts not found');
    expect(live).to.deep.equal({ config: oldConfig, state: before });
    expect(calls).to.deep.equal([]);
    expect((await gaugeValues(metrics)).ok).to.equal(0);
    const failed = logs.records().find((l) => l.msg === 'reload failed; keeping the old configuration');
    expect(failed).to.include({ level: 50 });
    expect(failed?.err).to.include({ message: 'channel #ops-alerts not found' });
    expect(swapped()).to.equal(0);
  });

  it('builds the new state from the new config', async () => {
    const built: Config[] = [];
    const { live, deps } = setup({ build: async (cfg) => { built.push(cfg); return stateWith('audit'); } });
    await swapIn(live, newConfig, deps);
    expect(built).to.deep.equal([newConfig]);
  });
});
