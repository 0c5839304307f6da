import type { Middleware } from 'koa';
import type { Config } from '../model/config.js';
import { BridgeError, type ErrorCode } from '../errors.js';

/** The outcome of a reload, as both the JSON endpoint and the page report it. */
export type ReloadOutcome = { ok: true; hash: string } | { ok: false; code: ErrorCode; message: string };

/**
 * Runs a reload and says how it went. A failure (bad file, a receiver that
 * cannot start) leaves the old config in place; its message is the config
 * error, which names files and lines but never secret values.
 */
export async function runReload(deps: { reload: () => Promise<void>; config: () => Config }): Promise<ReloadOutcome> {
  try {
    await deps.reload();
    return { ok: true, hash: deps.config().source.hash };
  } catch (err) {
    const code = err instanceof BridgeError ? err.code : 'reload_failed';
    return { ok: false, code, message: (err as Error).message };
  }
}

/** POST /-/reload: 200 {"reloaded":true,"hash"} or 400 {"reloaded":false,"error":{code,message}} with the old config kept. */
export function reloadEndpoint(deps: { reload: () => Promise<void>; config: () => Config }): Middleware {
  return async (ctx) => {
    const outcome = await runReload(deps);
    if (outcome.ok) {
      ctx.status = 200;
      ctx.body = { reloaded: true, hash: outcome.hash };
    } else {
      ctx.status = 400;
      ctx.body = { reloaded: false, error: { code: outcome.code, message: outcome.message } };
    }
  };
}
