import { BridgeError } from '../errors.js';
import type { Logger } from 'pino';
import type { Store } from './store.js';

/**
 * Opens the store a `storage.url` names: `sqlite:PATH` (the default, one
 * process) or `postgres://…` (several replicas). Migrates before returning.
 */
export async function openStore(url: string, logger?: Logger): Promise<Store> {
  let store: Store;
  if (url.startsWith('sqlite:')) {
    const { openSqliteStore } = await import('./sqlite.js');
    store = await openSqliteStore(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres.js');
    store = await openPostgresStore(url, { logger });
  } else {
    throw new BridgeError('storage_url_invalid', 'storage.url must start with sqlite: or postgres:// (for example sqlite:./data/aver-bridge.db)');
  }
  await store.migrate();
  return store;
}
