import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { Metrics } from '../metrics.js';
import type { RoutingState } from '../pipeline/route-events.js';
import type { Store } from '../store/store.js';

export interface AdminDeps {
  config: () => Config;
  state: () => RoutingState;
  store: Store;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
  /** Re-reads the config file and swaps it in; rejects (old config kept) when the file is bad. */
  reload: () => Promise<void>;
  /** Wakes the delivery worker after a dead letter is retried. */
  wakeWorker: () => void;
}

/** The admin endpoints (/admin, /-/reload): off unless admin.token is set. Filled in by the operations work. */
export function createAdminRouter(_deps: AdminDeps): Router {
  return new Router();
}
