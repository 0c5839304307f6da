import { expect } from 'chai';
import { BridgeError } from '../../src/errors.js';
import type { AverEvent } from '../../src/model/event.js';
import { faultOf, MAX_STORABLE_DEPTH, storableCopy, storableText, unstorable } from '../../src/store/storable.js';
import type { NewEvent } from '../../src/store/store.js';

function item(over: Partial<AverEvent> = {}, raw: Record<string, unknown> = {}): NewEvent {
  return {
    event: { eventId: 'ev-1', type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'Completed', receivedAt: 1, unknownType: false, unknownStatus: false, raw, ...over },
    dedupKey: 'k',
    dedupUntil: 2,
  };
}

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { end: 1 };
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

describe('unstorable', () => {
  const code = (e: BridgeError | undefined) => (e ? `${e.status} ${e.code}` : 'storable');
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const table: Array<[string, NewEvent, 'sqlite' | 'postgres', string]> = [
    ['a plain event', item({}, { extra: { nested: [1, 'two', null, true] } }), 'postgres', 'storable'],
    ['what the old normalise made of status "constructor" (Object)', item({ status: Object as unknown as string }), 'sqlite', '422 event_unstorable'],
    ['what the old normalise made of type "__proto__" (Object.prototype)', item({ type: Object.prototype as unknown as string }), 'postgres', '422 event_unstorable'],
    ['an extra field 5,000 deep', item({}, { extra: nested(5000) }), 'sqlite', '422 nesting_too_deep'],
    ['an extra field just inside the limit', item({}, nested(MAX_STORABLE_DEPTH - 3)), 'sqlite', 'storable'],
    ['a NUL in an extra field, on SQLite', item({}, { note: 'a\u0000b' }), 'sqlite', 'storable'],
    ['a NUL in an extra field, on PostgreSQL', item({}, { note: 'a\u0000b' }), 'postgres', '422 unstorable_text'],
    ['a NUL in a key, on PostgreSQL', item({}, { ['k\u0000']: 1 }), 'postgres', '422 unstorable_text'],
    ['a lone high surrogate, on PostgreSQL', item({}, { note: ['x', 'a\ud800'] }), 'postgres', '422 unstorable_text'],
    ['a lone low surrogate in the id, on PostgreSQL', item({ id: '\udc00x' }), 'postgres', '422 unstorable_text'],
    ['a pair of surrogates (an emoji), on PostgreSQL', item({}, { note: 'ok \ud83d\ude00' }), 'postgres', 'storable'],
    ['a function in an extra field', item({}, { f: () => 1 }), 'sqlite', '422 event_unstorable'],
    ['a Date in an extra field (not plain JSON)', item({}, { at: new Date(0) }), 'sqlite', '422 event_unstorable'],
    ['a cycle ends the walk (the store refuses it, isolation finds it)', item({}, cyclic), 'sqlite', 'storable'],
  ];
  for (const [what, it_, kind, expected] of table) {
    it(`${what}: ${expected}`, () => expect(code(unstorable(it_, kind))).to.equal(expected));
  }

  it('checks pre-routed labels and jobs too (PostgreSQL)', () => {
    const e = { ...item(), preRouted: { labels: { note: 'a\u0000' }, jobs: [] } };
    expect(code(unstorable(e, 'postgres'))).to.equal('422 unstorable_text');
  });
});

describe('storableText and storableCopy', () => {
  it('replace each NUL and lone surrogate with U+FFFD and keep everything else, pairs included', () => {
    expect(storableText('a\u0000b\ud800c\udc00d \ud83d\ude00 \t\n')).to.equal('a\ufffdb\ufffdc\ufffdd \ud83d\ude00 \t\n');
  });

  it('clean every string and key of a JSON value, and keep its shape', () => {
    const details = { available: true, statusReason: 'Expired\u0000', warnings: ['W\ud800', 'ok'], watchlistHits: 2, ['k\u0000']: null };
    expect(storableCopy(details)).to.deep.equal({ available: true, statusReason: 'Expired\ufffd', warnings: ['W\ufffd', 'ok'], watchlistHits: 2, ['k\ufffd']: null });
    expect(storableCopy(null)).to.equal(null);
  });
});

describe('faultOf', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });
  const table: Array<[string, unknown, string]> = [
    ['a 4xx BridgeError', new BridgeError('unstorable_text', 'x', { status: 422 }), 'item'],
    ['a 5xx BridgeError', new BridgeError('store_unreachable', 'x', { status: 503 }), 'store'],
    ['JSON.stringify on nesting too deep', new RangeError('Maximum call stack size exceeded'), 'item'],
    ['PostgreSQL 22P05 (\\u0000 in jsonb)', withCode('22P05'), 'item'],
    ['PostgreSQL 22021 (NUL in text)', withCode('22021'), 'item'],
    ['PostgreSQL 54001 (stack depth)', withCode('54001'), 'item'],
    ['PostgreSQL 40P01 (deadlock)', withCode('40P01'), 'store'],
    ['PostgreSQL 08006 (connection failure)', withCode('08006'), 'store'],
    ['PostgreSQL 23505 (unique violation)', withCode('23505'), 'unknown'],
    ['SQLITE_TOOBIG', withCode('SQLITE_TOOBIG'), 'item'],
    ['SQLITE_FULL', withCode('SQLITE_FULL'), 'store'],
    ['SQLITE_BUSY_SNAPSHOT', withCode('SQLITE_BUSY_SNAPSHOT'), 'store'],
    ['SQLITE_READONLY', withCode('SQLITE_READONLY'), 'store'],
    ['ECONNREFUSED', withCode('ECONNREFUSED'), 'store'],
    ['a TypeError (a bad binding, or a closed database)', new TypeError('x'), 'unknown'],
    ['a plain Error', new Error('Connection terminated unexpectedly'), 'unknown'],
    ['not an Error', 'oops', 'unknown'],
  ];
  for (const [what, err, expected] of table) it(`${what}: ${expected}`, () => expect(faultOf(err)).to.equal(expected));
});
