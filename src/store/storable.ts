import { BridgeError } from '../errors.js';
import type { Fault } from './batch-per-turn.js';
import type { NewEvent, Store } from './store.js';

/**
 * What a store can hold, checked before a write joins a transaction (so one bad item never fails the others), and
 * which write failures were the data's fault rather than the store's.
 */

/** The deepest nesting an item may have: far inside what JSON.stringify (about 4,500) and PostgreSQL's jsonb (about 10,000) take. */
export const MAX_STORABLE_DEPTH = 1000;

/** A NUL, or a surrogate that is not half of a pair: PostgreSQL's text and jsonb can hold neither. */
const NOT_POSTGRES_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOT_POSTGRES_TEXT_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Why `kind` of store cannot hold this event as it is (a 422 to refuse it with), or undefined when it can: a field
 * of the wrong type, a value that is not JSON, nesting deeper than MAX_STORABLE_DEPTH, or (PostgreSQL) a NUL or
 * lone surrogate in any string or key.
 */
export function unstorable(item: NewEvent, kind: Store['kind'] | undefined): BridgeError | undefined {
  const e = item.event;
  const texts = [e.eventId, e.type, e.id, e.groupId, e.status, item.dedupKey];
  const numbers = [e.receivedAt, item.dedupUntil];
  if (!texts.every((t) => typeof t === 'string') || !numbers.every(Number.isFinite)
    || typeof e.unknownType !== 'boolean' || typeof e.unknownStatus !== 'boolean' || e.raw === null || typeof e.raw !== 'object') {
    return refusal('event_unstorable', 'the webhook cannot be stored: a field holds a value of the wrong type');
  }
  return firstProblem([texts, e.raw, item.preRouted ?? null], kind === 'postgres');
}

/** Text every store can hold: each NUL and lone surrogate becomes U+FFFD (the replacement character). */
export function storableText(text: string): string {
  return text.replace(NOT_POSTGRES_TEXT_ALL, '\ufffd');
}

/** A copy of a JSON value with storableText applied to every string and key (for text from outside, such as Aver's API). */
export function storableCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? null), (_key, v: unknown) => {
    if (typeof v === 'string') return storableText(v);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), x]));
  }) as T;
}

/**
 * Whose fault a failed write was, by its error: `item` (its data: writing it again fails again), `store` (the
 * store is failing or busy: a later try may pass), or `unknown` (the caller decides, by whether the store takes
 * other writes). Codes are PostgreSQL's SQLSTATE classes and SQLite's result codes.
 */
export function faultOf(err: unknown): Fault {
  if (err instanceof BridgeError) return err.status < 500 ? 'item' : 'store';
  // Thrown by JSON.stringify on nesting too deep, by string building on text too long.
  if (err instanceof RangeError) return 'item';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'unknown';
  if (/^SQLITE_(TOOBIG|MISMATCH|RANGE)/.test(code)) return 'item';
  if (/^SQLITE_/.test(code)) return /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|NOMEM|PROTOCOL|INTERRUPT)/.test(code) ? 'store' : 'unknown';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    // 22: data exception (bad text, bad JSON); 54: program limit exceeded (too deep, too long).
    if (/^(22|54)/.test(code)) return 'item';
    // Connection, rollback (deadlock, serialisation), resources, lock not available, operator, system, internal.
    if (/^(08|40|53|55|57|58|XX)/.test(code)) return 'store';
    return 'unknown';
  }
  // Node's system errors (ECONNREFUSED, ENOSPC, …).
  return /^E[A-Z]+$/.test(code) ? 'store' : 'unknown';
}

function refusal(code: 'event_unstorable' | 'unstorable_text' | 'nesting_too_deep', message: string): BridgeError {
  return new BridgeError(code, message, { status: 422 });
}

/** Walks a value without recursion (its depth is what is checked); each object once, so a cycle ends the walk. */
function firstProblem(root: unknown, postgres: boolean): BridgeError | undefined {
  const seen = new Set<object>();
  const stack: Array<[unknown, number]> = [[root, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (typeof value === 'string') {
      if (postgres && NOT_POSTGRES_TEXT.test(value)) return textRefusal();
      continue;
    }
    if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') continue;
    if (typeof value !== 'object') return refusal('event_unstorable', `the webhook cannot be stored: a ${typeof value} is not JSON`);
    if (seen.has(value)) continue;
    seen.add(value);
    if (depth >= MAX_STORABLE_DEPTH) return refusal('nesting_too_deep', `the webhook nests deeper than ${MAX_STORABLE_DEPTH} levels and cannot be stored`);
    const proto: unknown = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return refusal('event_unstorable', 'the webhook cannot be stored: a value is not plain JSON');
    for (const [key, child] of Object.entries(value)) {
      if (postgres && NOT_POSTGRES_TEXT.test(key)) return textRefusal();
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

function textRefusal(): BridgeError {
  return refusal('unstorable_text', 'the webhook holds a NUL character or a lone surrogate, which this store cannot keep');
}
