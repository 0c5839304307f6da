import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../model/config.js';
import { RECEIVER_REMOVED } from '../model/job.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { recordConfigLoaded, recordReloadFailed } from './config-metrics.js';
import type { LiveState } from './live-state.js';

/** The configuration running and the state built from it; a swap replaces both together. */
export interface Live {
  config: Config;
  state: LiveState;
}

export interface SwapDeps {
  store: Pick<Store, 'deadLetterReceivers'>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  build: (cfg: Config) => Promise<LiveState>;
  start: (state: LiveState) => Promise<void>;
  /** Called once the new state is in place (wakes the delivery worker). */
  onSwapped: () => void;
}

/**
 * The receivers a reload removed. Only those: another replica on a shared
 * store may have receivers this one never had.
 */
export function removedReceivers(previous: LiveState, next: LiveState): string[] {
  return [...previous.receivers.keys()].filter((name) => !next.receivers.has(name));
}

/**
 * Swaps in a new configuration (already loaded and validated). Its state is
 * built and started first, so a receiver that cannot start leaves the old one
 * running. Jobs queued for receivers it no longer has become dead letters
 * ("receiver removed").
 */
export async function swapIn(live: Live, next: Config, deps: SwapDeps): Promise<void> {
  try {
    const nextState = await deps.build(next);
    await deps.start(nextState);
    const previous = live.state;
    live.config = next;
    live.state = nextState;
    // The old SMTP pool lets a message it is sending finish, then closes.
    previous.close?.();
    const removed = await deps.store.deadLetterReceivers(removedReceivers(previous, nextState), RECEIVER_REMOVED, deps.clock.now());
    recordConfigLoaded(deps.metrics, next, deps.clock.now());
    deps.logger.info({ hash: next.source.hash, deadLettered: removed || undefined }, 'configuration reloaded');
    deps.onSwapped();
  } catch (err) {
    recordReloadFailed(deps, err);
    throw err;
  }
}
