import type { Middleware } from 'koa';
import { BridgeError } from '../errors.js';
import type { Store } from '../store/store.js';

/** GET /healthz: the process is alive. */
export const healthz: Middleware = (ctx) => {
  ctx.body = { ok: true };
};

/** GET /readyz: config loaded, store reachable, not shutting down; 503 otherwise (load balancers stop sending). */
export function readyz(deps: { store: Store; accepting: () => boolean }): Middleware {
  return async (ctx) => {
    if (!deps.accepting()) throw new BridgeError('shutting_down', 'shutting down', { status: 503 });
    try {
      await deps.store.ping();
    } catch {
      throw new BridgeError('store_unreachable', 'the store is not reachable', { status: 503 });
    }
    ctx.body = { ok: true, store: deps.store.kind };
  };
}
