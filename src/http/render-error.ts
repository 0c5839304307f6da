import { STATUS_CODES } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { BridgeError } from '../errors.js';

/**
 * The one place errors become HTTP responses: `{"error":{"code","message","details"}}`.
 * A 5xx shows only its status text, never internals; it is logged instead.
 */
export function renderErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw new BridgeError('not_found', `no route for ${ctx.method} ${ctx.path}`, { status: 404 });
        // Set by the router's allowedMethods, with the Allow header kept.
        if (ctx.status === 405) throw new BridgeError('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`, { status: 405 });
        // A router's 501 for a method it does not list (TRACE, PROPFIND): a client's mistake, not ours.
        if (ctx.status === 501 && ctx.res.hasHeader('Allow')) throw methodNotAllowed(ctx);
        if (ctx.status === 501) throw new BridgeError('not_implemented', `${ctx.method} is not supported`, { status: 501 });
      }
    } catch (err) {
      const e = err as Partial<BridgeError> & { statusCode?: number; headers?: Record<string, string> };
      const status = e.status ?? e.statusCode ?? 500;
      const known = err instanceof BridgeError;
      // A deliberate 503 (shutting down, store unreachable) is expected operation, not a bug.
      if (status >= 500 && (!known || status === 500)) logger.error({ err, path: ctx.path }, 'request failed');
      else if (status >= 500) logger.warn({ code: e.code, path: ctx.path }, 'request refused');
      const code = known ? e.code! : status === 405 ? 'method_not_allowed' : status >= 500 ? 'internal_error' : 'bad_request';
      // A client's mistake (or a client that went away mid-body) is theirs to fix: one debug line, no stack.
      if (status < 500) logger.debug({ code, status, method: ctx.method, path: ctx.path }, 'request refused');
      const message = status >= 500 ? STATUS_CODES[status] ?? 'Internal Server Error' : known || e.expose ? e.message! : 'Bad Request';
      ctx.status = status;
      if (e.headers) ctx.set(e.headers);
      ctx.body = { error: { code, message, ...(known && e.details !== undefined && status < 500 ? { details: e.details } : {}) } };
    }
  };
}

/** 405 with the router's Allow header, or 404 when no route has the path at all (its Allow is empty). */
function methodNotAllowed(ctx: Context): BridgeError {
  if (ctx.response.get('Allow') === '') {
    ctx.remove('Allow');
    return new BridgeError('not_found', `no route for ${ctx.method} ${ctx.path}`, { status: 404 });
  }
  return new BridgeError('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`, { status: 405 });
}
