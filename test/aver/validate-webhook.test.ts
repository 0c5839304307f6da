import { expect } from 'chai';
import { MAX_WEBHOOK_DEPTH, validateWebhook } from '../../src/aver/validate-webhook.js';
import { webhookSchema } from '../../src/aver/webhook-schema.js';
import { BridgeError } from '../../src/errors.js';

const VALID = { type: 'LiveCheck', id: 'chk-1', groupId: 'grp-1', status: 'Completed' };

function refusal(body: unknown): BridgeError {
  try {
    validateWebhook(body);
  } catch (err) {
    expect(err).to.be.instanceOf(BridgeError);
    return err as BridgeError;
  }
  throw new Error('expected the body to be refused, but it was accepted');
}

function details(err: BridgeError): Array<{ path: string; message: string }> {
  return err.details as Array<{ path: string; message: string }>;
}

/** Every `pattern` in a schema, wherever it sits. */
function patternsOf(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(patternsOf);
  if (schema === null || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([k, v]) => (k === 'pattern' && typeof v === 'string' ? [v] : patternsOf(v)));
}

/** `n` arrays, one inside the other. */
function nested(n: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

describe('webhookSchema', () => {
  it('has only patterns a regex engine matches in one pass: one character class, anchored and starred, or searched for', () => {
    // A pattern like ^[^F]*[^BF][^F]*$ backtracks quadratically (seconds of blocked event loop for 64 KB of
    // visible text ending in a control character); a lone class, or ^[…]*$, cannot backtrack more than once.
    const patterns = patternsOf(webhookSchema);
    expect(patterns).to.not.be.empty;
    for (const p of patterns) expect(p, p).to.match(/^(\^\[[^\]]+\]\*\$|\[[^\]]+\])$/);
  });
});

describe('validateWebhook', () => {
  // The rule the patterns implement: at least one visible character, and no control, bidi-control or lone surrogate.
  const table: Array<[string, string, boolean]> = [
    ['a plain id', 'chk-1', true],
    ['spaces around a visible character', '  x  ', true],
    ['an emoji (a surrogate pair)', '😀', true],
    ['a Braille blank (visible to the schema)', '\u2800', true],
    ['blanks only', '  \u3000\u00a0', false],
    ['zero-width characters only', '\u200b\u2060\ufeff', false],
    ['a NUL', 'a\u0000b', false],
    ['a C1 control', 'a\u0085', false],
    ['a lone high surrogate', 'a\ud800', false],
    ['a lone low surrogate', '\udc00a', false],
    ['a right-to-left override', 'chk\u202e1', false],
  ];
  for (const [what, id, ok] of table) {
    it(`${ok ? 'accepts' : 'refuses'} an id that is ${what}`, () => {
      const body = { statusMessage: { ...VALID, id } };
      if (ok) expect(validateWebhook(body).statusMessage.id).to.equal(id);
      else expect(refusal(body).code).to.equal('schema_violation');
    });
  }

  it('refuses 64 KB of visible text ending in a control character, saying why, for every field at once', () => {
    const long = '\u2800'.repeat(21_000) + '\n';
    const err = refusal({ statusMessage: { type: long, id: long, groupId: long, status: 'x'.repeat(64_000) + '\u0001' } });
    expect(err.code).to.equal('schema_violation');
    const found = details(err);
    for (const field of ['type', 'id', 'groupId', 'status']) {
      const messages = found.filter((d) => d.path === `/statusMessage/${field}`).map((d) => d.message);
      expect(messages, field).to.include('must NOT have more than 256 characters');
      expect(messages, field).to.include('must not contain control, bidirectional-control or lone surrogate characters');
    }
  });

  it('says "must contain a visible character" for 64 KB of blanks', () => {
    const found = details(refusal({ statusMessage: { ...VALID, id: ' '.repeat(64_000) } }));
    expect(found.filter((d) => d.path === '/statusMessage/id').map((d) => d.message)).to.include('must contain a visible character');
  });

  describe('text no store can keep, anywhere in the body', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a NUL in an extra field', { statusMessage: { ...VALID, note: 'a\u0000b' } }, '/statusMessage/note'],
      ['a NUL deep in an extra field', { statusMessage: { ...VALID, extra: { list: [1, { deeper: ['ok', '\u0000'] }] } } }, '/statusMessage/extra/list/1/deeper/1'],
      ['a lone high surrogate outside statusMessage', { statusMessage: VALID, meta: '\ud83d' }, '/meta'],
      ['a lone low surrogate', { statusMessage: { ...VALID, note: 'x\ude00' } }, '/statusMessage/note'],
      ['a NUL in a key', { statusMessage: { ...VALID, extra: { 'a\u0000': 1 } } }, '/statusMessage/extra/a\ufffd'],
      ['a lone surrogate in a key with a slash', { statusMessage: { ...VALID, 'x/\ud800': true } }, '/statusMessage/x~1\ufffd'],
    ];
    for (const [what, body, path] of cases) {
      it(`refuses ${what} with unstorable_text (422), pointing at ${path}`, () => {
        const err = refusal(body);
        expect(err.code).to.equal('unstorable_text');
        expect(err.status).to.equal(422);
        expect(details(err)).to.have.length(1);
        expect(details(err)[0].path).to.equal(path);
        // The answer itself carries nothing a client could not store either.
        for (const d of details(err)) expect(d.path + d.message).to.not.match(/[\u0000\ud800-\udfff]/);
      });
    }

    it('keeps other extra text as it came: surrogate pairs, tabs, other control characters', () => {
      const body = { statusMessage: { ...VALID, note: '😀\t\u0001\u0085 ok' }, meta: ['\ud83d\ude00'] };
      expect(validateWebhook(body)).to.deep.equal(body);
    });
  });

  describe('nesting', () => {
    it(`accepts a body ${MAX_WEBHOOK_DEPTH} levels deep`, () => {
      // The body is level 1, statusMessage level 2.
      const body = { statusMessage: { ...VALID, extra: nested(MAX_WEBHOOK_DEPTH - 2) } };
      expect(validateWebhook(body)).to.equal(body);
    });

    it(`refuses one level more with nesting_too_deep (422), pointing at where it goes too deep`, () => {
      const err = refusal({ statusMessage: { ...VALID, extra: nested(MAX_WEBHOOK_DEPTH - 1) } });
      expect(err.code).to.equal('nesting_too_deep');
      expect(err.status).to.equal(422);
      expect(details(err)[0].path).to.equal(`/statusMessage/extra${'/0'.repeat(MAX_WEBHOOK_DEPTH - 2)}`);
    });

    it('refuses 5,000 levels of objects, without running out of stack', () => {
      const text = `{"statusMessage":${JSON.stringify(VALID).slice(0, -1)},"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
      expect(refusal(JSON.parse(text)).code).to.equal('nesting_too_deep');
    });
  });
});
