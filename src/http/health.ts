import type { Middleware } from 'koa';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';
import type { Store } from '../store/store.js';

/** Webhooks in a row whose append failed (disk full, read-only store) before /readyz answers 503. */
export const WRITE_FAILURES_UNREADY = 5;
/**
 * How long /readyz stays 503 after the last failed append when none has succeeded since: a replica the
 * balancer no longer sends webhooks to would otherwise never get the append that makes it ready again.
 */
export const UNREADY_HOLD_MS = 30_000;

/** Counts appends that failed in a row; `failing()` is what /readyz reports. */
export interface WriteHealth {
  succeeded(): void;
  failed(): void;
  failing(): boolean;
}

export function createWriteHealth(clock: Clock): WriteHealth {
  let inARow = 0;
  let lastFailureAt = 0;
  return {
    succeeded: () => { inARow = 0; },
    failed: () => {
      inARow += 1;
      lastFailureAt = clock.now();
    },
    failing: () => inARow >= WRITE_FAILURES_UNREADY && clock.now() - lastFailureAt < UNREADY_HOLD_MS,
  };
}

/** GET /healthz: the process is alive. */
export const healthz: Middleware = (ctx) => {
  ctx.body = { ok: true };
};

/**
 * GET /readyz: config loaded, store reachable, appends not failing, not shutting down; 503 otherwise (load
 * balancers stop sending).
 */
export function readyz(deps: { store: Store; accepting: () => boolean; writes?: WriteHealth }): Middleware {
  return async (ctx) => {
    if (!deps.accepting()) throw new BridgeError('shutting_down', 'shutting down', { status: 503 });
    try {
      await deps.store.ping();
    } catch {
      throw new BridgeError('store_unreachable', 'the store is not reachable', { status: 503 });
    }
    if (deps.writes?.failing()) {
      throw new BridgeError('store_write_failing', `the last ${WRITE_FAILURES_UNREADY} or more webhooks could not be stored`, { status: 503 });
    }
    ctx.body = { ok: true, store: deps.store.kind };
  };
}
