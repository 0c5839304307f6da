import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when `presented` equals one of `accepted`. Compares fixed-length
 * digests in constant time and checks every accepted value, so neither the
 * length nor the position of a match leaks through timing.
 */
export function checkSecret(presented: string | undefined, accepted: readonly string[]): boolean {
  const given = digest(presented ?? '');
  let ok = false;
  for (const secret of accepted) ok = timingSafeEqual(given, digest(secret)) || ok;
  return ok && presented !== undefined;
}
