import type { Logger } from 'pino';
import type { Config } from '../model/config.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../clock.js';

/** What every receiver factory is given. Nothing is global: two bridges can share a process. */
export interface ReceiverDeps {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  /** For webhook-style receivers; tests pass the global fetch and fake the server with nock or a loopback server. */
  fetch: typeof fetch;
}
