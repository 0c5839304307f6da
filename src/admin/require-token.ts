import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../model/config.js';
import { BridgeError } from '../errors.js';
import { checkSecret } from '../http/check-secret.js';
import { readForm } from './form.js';
import { renderLoginPage } from './page.js';
import { sendHtml } from './send-html.js';
import { SESSION_COOKIE, csrfToken, verifyCsrf, verifySession, type RevokedSessions } from './session.js';

/** How a request proved it holds the admin token, and the CSRF token its forms carry (browser sessions only). */
export interface AdminAuth {
  via: 'bearer' | 'cookie';
  csrf?: string;
}

interface AuthDeps {
  config: () => Config;
  clock: Clock;
  logger: Logger;
  /** Sessions logged out: their cookies are refused. */
  revoked?: RevokedSessions;
}

/** Every admin endpoint answers 404, as if it did not exist, while admin.token is unset (re-checked after a reload). */
export function adminEnabled(config: () => Config): Middleware {
  return async (ctx, next) => {
    if (!config().admin.token) throw new BridgeError('not_found', `no route for ${ctx.method} ${ctx.path}`, { status: 404 });
    await next();
  };
}

function unauthorized(): BridgeError {
  const err = new BridgeError('unauthorized', 'missing or wrong admin token: send "Authorization: Bearer <admin.token>"', { status: 401 });
  Object.assign(err, { headers: { 'WWW-Authenticate': 'Bearer realm="aver-bridge admin"' } });
  return err;
}

/** The admin auth a request carries: a Bearer token, or the session cookie the login form set (and not logged out). */
export function authenticate(ctx: Context, token: string, now: number, revoked?: RevokedSessions): AdminAuth | null {
  const header = ctx.get('authorization');
  if (header) {
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    return m && checkSecret(m[1], [token]) ? { via: 'bearer' } : null;
  }
  const session = ctx.cookies.get(SESSION_COOKIE);
  if (session && verifySession(token, session, now) && !revoked?.has(session)) return { via: 'cookie', csrf: csrfToken(token, session) };
  return null;
}

/**
 * Lets a request through only with the admin token (compared in constant
 * time) or a valid session cookie; a cookie-authenticated POST must also
 * carry the session's CSRF token. Pages answer 401 with the login form,
 * everything else 401 JSON.
 */
export function requireAdminToken(deps: AuthDeps, options: { page?: boolean } = {}): Middleware {
  return async (ctx, next) => {
    const token = deps.config().admin.token!;
    const auth = authenticate(ctx, token, deps.clock.now(), deps.revoked);
    if (!auth) {
      if (options.page && ctx.method === 'GET') {
        sendHtml(ctx, 401, renderLoginPage({}));
        return;
      }
      throw unauthorized();
    }
    if (auth.via === 'cookie' && ctx.method === 'POST') {
      const form = await readForm(ctx);
      if (!verifyCsrf(token, ctx.cookies.get(SESSION_COOKIE)!, form.get('csrf') ?? undefined)) {
        deps.logger.warn({ path: ctx.path }, 'admin form without a valid CSRF token refused');
        throw new BridgeError('csrf_failed', 'the form has expired or did not come from the admin page: reload the page and try again', { status: 403 });
      }
    }
    ctx.state.admin = auth;
    await next();
  };
}
