import type { Logger } from 'pino';
import type { Config } from '../model/config.js';
import type { Metrics } from '../metrics.js';

/** After a load or reload that took: success 1, its time, and its hash as the only one. */
export function recordConfigLoaded(metrics: Metrics, cfg: Config, now: number): void {
  metrics.configReloadSuccessful.set(1);
  metrics.configReloadTimestamp.set(now / 1000);
  metrics.configHash.reset();
  metrics.configHash.set({ hash: cfg.source.hash }, 1);
}

/** After a reload that failed: success 0 and the error logged; the hash and time stay those of the config kept. */
export function recordReloadFailed(deps: { metrics: Metrics; logger: Logger }, err: unknown): void {
  deps.metrics.configReloadSuccessful.set(0);
  deps.logger.error({ err: { message: (err as Error).message } }, 'reload failed; keeping the old configuration');
}
