import { expect } from 'chai';
import { createMetrics } from '../../src/metrics.js';
import type { ChatCommands } from '../../src/model/chat-commands.js';
import type { Config } from '../../src/model/config.js';
import { createLiveConfig } from '../../src/reload/live-config.js';
import type { Store } from '../../src/store/store.js';
import { fakeClock, settle } from '../helpers/clock.js';
import { configFrom } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';

/** A config with console receivers of these names, the first taking every event. */
function withReceivers(...names: string[]): Config {
  const receivers = names.map((n) => `  - name: ${n}\n    console: {}`).join('\n');
  return configFrom(`aver:\n  webhook:\n    secrets: ["s3cret-value"]\nreceivers:\n${receivers}\nroute:\n  receiver: ${names[0]}\n`, {}, `${names.join('-')}.yaml`);
}

describe('createLiveConfig', () => {
  const commands = {} as ChatCommands;

  function setup(initial = withReceivers('ops', 'hooks'), over: { reloadSource?: () => Config; deadLetter?: (receivers: string[]) => Promise<number> } = {}) {
    const logs = memoryLogger();
    const metrics = createMetrics();
    const deadLettered: string[][] = [];
    const store = {
      deadLetterReceivers: async (receivers: string[]) => {
        deadLettered.push(receivers);
        return over.deadLetter ? over.deadLetter(receivers) : 0;
      },
    } as unknown as Store;
    let swapped = 0;
    const live = createLiveConfig(initial, {
      store, clock: fakeClock(), logger: logs.logger, metrics, fetch: globalThis.fetch, write: () => undefined, reloadSource: over.reloadSource,
    });
    const load = () => live.load({ commands, onSwapped: () => void (swapped += 1) });
    return { live, load, logs, metrics, deadLettered, swapped: () => swapped };
  }

  const receiversOf = (live: ReturnType<typeof setup>['live']) => [...live.state().receivers.keys()];
  const reloadOk = async (metrics: ReturnType<typeof createMetrics>) => (await metrics.configReloadSuccessful.get()).values[0]?.value;

  it('has the start-up config at once, and its state once load() has built it', async () => {
    const initial = withReceivers('ops', 'hooks');
    const { live, load, metrics } = setup(initial);
    expect(live.config()).to.equal(initial);
    expect(() => live.state()).to.throw(/before load\(\)/);
    await load();
    expect(receiversOf(live)).to.deep.equal(['ops', 'hooks']);
    expect(live.state().tree.receiver).to.equal('ops');
    expect((await metrics.configHash.get()).values.map((v) => v.labels.hash)).to.deep.equal([initial.source.hash]);
    expect(await reloadOk(metrics)).to.equal(1);
  });

  it('reload() swaps in a new config and its receivers, and dead-letters the jobs of those removed', async () => {
    const { live, load, deadLettered, swapped } = setup();
    await load();
    const next = withReceivers('ops', 'audit');
    await live.reload(next);
    expect(live.config()).to.equal(next);
    expect(receiversOf(live)).to.deep.equal(['ops', 'audit']);
    expect(deadLettered).to.deep.equal([['hooks']]);
    expect(swapped()).to.equal(1);
  });

  it('runs reloads one at a time, in the order they came: the second waits until the first has finished', async () => {
    let finishFirst!: () => void;
    const first = new Promise<number>((resolve) => { finishFirst = () => resolve(1); });
    const { live, load, deadLettered } = setup(withReceivers('ops', 'hooks'), { deadLetter: (r) => (r.includes('hooks') ? first : Promise.resolve(0)) });
    await load();
    const a = withReceivers('ops', 'audit');
    const b = withReceivers('ops');
    const reloads = [live.reload(a), live.reload(b)];
    await settle();
    expect(live.config(), 'the first reload is still dead-lettering').to.equal(a);
    expect(deadLettered).to.deep.equal([['hooks']]);
    finishFirst();
    await Promise.all(reloads);
    expect(live.config()).to.equal(b);
    expect(deadLettered).to.deep.equal([['hooks'], ['audit']]);
  });

  it('a reload that fails keeps the old config, and does not hold up the next', async () => {
    const { live, load, metrics } = setup();
    await load();
    const before = live.config();
    // A Slack receiver without a slack section: its state cannot be built.
    const ops = withReceivers('ops');
    const broken: Config = { ...ops, receivers: [{ ...ops.receivers[0], kind: 'slack' } as Config['receivers'][number]] };
    let error: Error | undefined;
    await live.reload(broken).catch((err: Error) => { error = err; });
    expect(error?.message).to.match(/its integration is not configured/);
    expect(live.config()).to.equal(before);
    expect(receiversOf(live)).to.deep.equal(['ops', 'hooks']);
    expect(await reloadOk(metrics)).to.equal(0);

    const next = withReceivers('ops', 'audit');
    const [failed, good] = await Promise.allSettled([live.reload(broken), live.reload(next)]);
    expect(failed.status).to.equal('rejected');
    expect(good.status).to.equal('fulfilled');
    expect(live.config()).to.equal(next);
    expect(await reloadOk(metrics)).to.equal(1);
  });

  it('reloadFromSource() keeps the old config when the source cannot be read: metric 0, error logged and thrown', async () => {
    const { live, load, logs, metrics } = setup(withReceivers('ops', 'hooks'), { reloadSource: () => { throw new Error('test.yaml:3: YAML syntax'); } });
    await load();
    const before = live.config();
    let error: Error | undefined;
    await live.reloadFromSource().catch((err: Error) => { error = err; });
    expect(error?.message).to.equal('test.yaml:3: YAML syntax');
    expect(live.config()).to.equal(before);
    expect(await reloadOk(metrics)).to.equal(0);
    expect(logs.records().find((l) => l.msg === 'reload failed; keeping the old configuration')).to.include({ level: 50 });
  });

  it('reloadFromSource() swaps in what the source gives', async () => {
    const next = withReceivers('audit');
    const { live, load } = setup(withReceivers('ops'), { reloadSource: () => next });
    await load();
    await live.reloadFromSource();
    expect(live.config()).to.equal(next);
  });
});
