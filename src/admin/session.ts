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

/**
 * Sessions logged out before they expire, in this process: each is kept until it would have expired anyway,
 * so the list holds at most the logins of one session lifetime. (Another replica still takes the cookie;
 * changing admin.token ends every session everywhere.)
 */
export interface RevokedSessions {
  revoke(value: string, now: number): void;
  has(value: string): boolean;
}

export function createRevokedSessions(): RevokedSessions {
  const revoked = new Map<string, number>();
  return {
    revoke(value, now) {
      for (const [v, expiresAt] of revoked) if (expiresAt <= now) revoked.delete(v);
      const expiresAt = Number(/^v1\.(\d{1,16})\./.exec(value)?.[1]);
      if (expiresAt > now) revoked.set(value, expiresAt);
    },
    has: (value) => revoked.has(value),
  };
}

/** The CSRF token for forms in one session: bound to the session value, so it dies with it. */
export function csrfToken(token: string, session: string): string {
  return mac(token, `csrf ${session}`);
}

/** True when a form's CSRF token matches the session's (constant time). */
export function verifyCsrf(token: string, session: string, presented: string | undefined): boolean {
  return checkSecret(presented, [csrfToken(token, session)]);
}
