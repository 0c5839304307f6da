import { createHmac } from 'node:crypto';
import { checkSecret } from '../http/check-secret.js';

/** The browser's session cookie: an HMAC of an expiry time under the admin token, never the token itself. */
export const SESSION_COOKIE = 'aver_bridge_admin';
export const SESSION_TTL_MS = 12 * 3600_000;

const mac = (token: string, purpose: string) => createHmac('sha256', token).update(`aver-bridge admin ${purpose}`).digest('base64url');

/** A session value that is valid until `expiresAt`; changing the admin token ends every session. */
export function sessionValue(token: string, expiresAt: number): string {
  return `v1.${expiresAt}.${mac(token, `session ${expiresAt}`)}`;
}

/** True when `value` is an unexpired session made with `token` (compared in constant time). */
export function verifySession(token: string, value: string | undefined, now: number): boolean {
  const m = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!m) return false;
  const expiresAt = Number(m[1]);
  const ok = checkSecret(m[2], [mac(token, `session ${expiresAt}`)]);
  return ok && expiresAt > now;
}

/** The CSRF token for forms in one session: bound to the session value, so it dies with it. */
export function csrfToken(token: string, session: string): string {
  return mac(token, `csrf ${session}`);
}

/** True when a form's CSRF token matches the session's (constant time). */
export function verifyCsrf(token: string, session: string, presented: string | undefined): boolean {
  return checkSecret(presented, [csrfToken(token, session)]);
}
