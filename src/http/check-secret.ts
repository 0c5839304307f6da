import { hash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => hash('sha256', s, 'buffer');

/** The accepted secrets' digests, kept per list (a config's list lives until a reload replaces it). */
const digestsOf = new WeakMap<readonly string[], Buffer[]>();

/**
 * True when `presented` equals one of `accepted`. Compares fixed-length
 * digests in constant time and checks every accepted value, so neither the
 * length nor the position of a match leaks through timing.
 */
export function checkSecret(presented: string | undefined, accepted: readonly string[]): boolean {
  const given = digest(presented ?? '');
  let ok = false;
  let digests = digestsOf.get(accepted);
  if (!digests) digestsOf.set(accepted, (digests = accepted.map(digest)));
  for (const d of digests) ok = timingSafeEqual(given, d) || ok;
  return ok && presented !== undefined;
}
