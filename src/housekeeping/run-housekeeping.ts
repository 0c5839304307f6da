import type { Logger } from 'pino';
import type { Config } from '../model/config.js';
import type { Store } from '../store/store.js';
import { deadLetterRemovedReceivers } from './dead-letter-removed-receivers.js';
import { pruneDelivered } from './prune-delivered.js';
import { pruneGroups } from './prune-groups.js';

/** How often housekeeping runs (and once at start-up). */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/**
 * One housekeeping pass: dedup keys past their window, delivered jobs and events
 * past storage.retention, then closed groups and sent group members past it, and
 * jobs that no configured receiver can deliver. Each
 * part logs its own failure and is tried again next pass; none throws.
 */
export async function runHousekeeping(deps: {
  store: Store;
  config: Config;
  receivers: string[];
  ownsStore: boolean;
  now: number;
  logger: Logger;
}): Promise<void> {
  const { store, config, now, logger } = deps;
  await store.pruneDedup(now).then(
    (n) => n > 0 && logger.debug({ pruned: n }, 'expired dedup keys removed'),
    (err) => logger.warn({ err }, 'pruning dedup keys failed; will try again'),
  );
  await pruneDelivered({ store, retentionMs: config.storage.retentionMs, now, logger })
    .catch((err) => logger.warn({ err }, 'deleting delivered jobs past storage.retention failed; will try again'));
  await pruneGroups({ store, retentionMs: config.storage.retentionMs, now, logger })
    .catch((err) => logger.warn({ err }, 'deleting groups past storage.retention failed; will try again'));
  await deadLetterRemovedReceivers({ store, known: deps.receivers, ownsStore: deps.ownsStore, maxAgeMs: config.delivery.maxAgeMs, now, logger })
    .catch((err) => logger.warn({ err }, 'moving jobs of removed receivers to dead letters failed; will try again'));
}
