import { loadConfig } from '../config/load.js';
import type { ChatCommands } from '../model/chat-commands.js';
import type { Config } from '../model/config.js';
import type { Metrics } from '../metrics.js';
import { createSerialQueue } from '../serial-queue.js';
import { recordConfigLoaded, recordReloadFailed } from './config-metrics.js';
import { buildLiveState, startLiveState, type LiveState, type LiveStateDeps } from './live-state.js';
import { swapIn, type Live } from './swap-in.js';

export interface LiveConfigDeps extends Omit<LiveStateDeps, 'commands'> {
  metrics: Metrics;
  /** Where a reload reads the config from (default: the file the running config came from). */
  reloadSource?: () => Config;
}

/** The config the bridge runs on and the state built from it; a reload swaps both at once. */
export interface LiveConfig {
  config(): Config;
  state(): LiveState;
  /**
   * Builds the state of the start-up config. Separate from creation because the chat
   * commands in that state answer from it, and the delivery worker reads it.
   */
  load(late: { commands: ChatCommands; onSwapped: () => void }): Promise<void>;
  /** Starts the current state's platforms and receivers (at start-up). */
  startReceivers(): Promise<void>;
  /** Swaps in a config already loaded; rejects, keeping the old one, when its state cannot be built or started. */
  reload(next: Config): Promise<void>;
  /** Re-reads the config (SIGHUP, POST /-/reload); a bad file is logged and the old config kept. */
  reloadFromSource(): Promise<void>;
}

export function createLiveConfig(initial: Config, deps: LiveConfigDeps): LiveConfig {
  let live: Live | undefined;
  let swap: ((next: Config) => Promise<void>) | undefined;
  // SIGHUP and POST /-/reload may arrive together: one reload at a time, in order.
  const reloads = createSerialQueue();
  recordConfigLoaded(deps.metrics, initial, deps.clock.now());

  function loaded(): Live {
    if (!live) throw new Error('the live configuration is read before load() built it');
    return live;
  }

  const reload = (next: Config): Promise<void> => reloads.run(() => {
    if (!swap) throw new Error('reload before load()');
    return swap(next);
  });

  return {
    config: () => live?.config ?? initial,
    state: () => loaded().state,
    async load({ commands, onSwapped }) {
      const build = (cfg: Config) => buildLiveState(cfg, { ...deps, commands });
      live = { config: initial, state: await build(initial) };
      swap = (next) => swapIn(loaded(), next, { ...deps, build, start: startLiveState, onSwapped });
    },
    startReceivers: () => startLiveState(loaded().state),
    reload,
    async reloadFromSource() {
      let next: Config;
      try {
        next = (deps.reloadSource ?? (() => loadConfig(loaded().config.source.file)))();
      } catch (err) {
        recordReloadFailed(deps, err);
        throw err;
      }
      await reload(next);
    },
  };
}
