import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../model/config.js';
import { checkSecret } from '../http/check-secret.js';
import { readForm } from './form.js';
import { renderLoginPage } from './page.js';
import { seeOther, sendHtml } from './send-html.js';
import { SESSION_COOKIE, SESSION_TTL_MS, sessionValue, type RevokedSessions } from './session.js';

interface LoginDeps {
  config: () => Config;
  clock: Clock;
  logger: Logger;
}

/** POST /admin/login: a right token sets the session cookie (HttpOnly, SameSite=Strict) and goes to /admin. */
export function logIn(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const token = deps.config().admin.token!;
    const form = await readForm(ctx);
    if (!checkSecret(form.get('token')?.trim() || undefined, [token])) {
      deps.logger.warn({ ip: ctx.ip }, 'admin login with a wrong token');
      sendHtml(ctx, 401, renderLoginPage({ error: 'That is not the admin token.' }));
      return;
    }
    const expiresAt = deps.clock.now() + SESSION_TTL_MS;
    ctx.cookies.set(SESSION_COOKIE, sessionValue(token, expiresAt), {
      httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/admin', maxAge: SESSION_TTL_MS, overwrite: true,
    });
    deps.logger.info({ ip: ctx.ip }, 'admin logged in');
    seeOther(ctx, '/admin');
  };
}

/** POST /admin/logout: ends the session (its cookie is refused from now on, even replayed) and clears the cookie. */
export function logOut(deps: { clock: Clock; revoked: RevokedSessions }): Middleware {
  return async (ctx) => {
    const session = ctx.cookies.get(SESSION_COOKIE);
    if (session) deps.revoked.revoke(session, deps.clock.now());
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: '/admin', maxAge: 0, overwrite: true });
    seeOther(ctx, '/admin');
  };
}
