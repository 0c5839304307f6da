import { Ajv, type ErrorObject } from 'ajv';
import { BridgeError } from '../errors.js';
import { NOTHING_FORBIDDEN, webhookSchema, type WebhookBody } from './webhook-schema.js';

const validate = new Ajv({ allErrors: true, strict: true }).compile<WebhookBody>(webhookSchema);

/**
 * The deepest a webhook may nest (the body object is level 1). Aver's bodies nest 2 deep; 32 leaves room for
 * any field Aver may add, and refuses bodies built to strain whatever walks or stores them.
 */
export const MAX_WEBHOOK_DEPTH = 32;

/** A NUL, or a surrogate that is not half of a pair: neither can be stored as PostgreSQL text or jsonb. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/**
 * Checks a parsed body: the schema (422 `schema_violation`, listing each failing path), then every string and key
 * anywhere in it, extra fields included (422 `unstorable_text`), and its depth (422 `nesting_too_deep`).
 */
export function validateWebhook(body: unknown): WebhookBody {
  if (!validate(body)) {
    const details = (validate.errors ?? []).slice(0, 20).map((e) => ({ path: pathOf(e), message: messageOf(e) }));
    throw new BridgeError('schema_violation', 'the body is not an Aver status message: see details', { status: 422, details });
  }
  checkStorable(body);
  return body;
}

function pathOf(e: ErrorObject): string {
  // A missing property is reported on its parent by ajv; point at the property itself.
  return e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}` : e.instancePath || '/';
}

function messageOf(e: ErrorObject): string {
  if (e.keyword !== 'pattern') return e.message ?? 'invalid';
  return (e.params as { pattern: string }).pattern === NOTHING_FORBIDDEN
    ? 'must not contain control, bidirectional-control or lone surrogate characters'
    : 'must contain a visible character';
}

/**
 * Walks the body without recursion (its depth is what is being checked), keys and strings alike. A value's JSON
 * Pointer is written only when it is needed: for an object's children, or for the answer that refuses it.
 */
function checkStorable(body: unknown): void {
  const stack: Array<{ value: unknown; parent: string; key: string | null; depth: number }> = [{ value: body, parent: '', key: null, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, parent, key, depth } = item;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) throw unstorable(pointer(parent, key));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const path = pointer(parent, key);
    if (depth > MAX_WEBHOOK_DEPTH) {
      throw new BridgeError('nesting_too_deep', `the body nests deeper than ${MAX_WEBHOOK_DEPTH} levels`, {
        status: 422,
        details: [{ path: path || '/', message: `nests deeper than ${MAX_WEBHOOK_DEPTH} levels (objects and arrays)` }],
      });
    }
    for (const [childKey, child] of Object.entries(value)) {
      if (UNSTORABLE.test(childKey)) throw unstorable(pointer(path, childKey), 'key');
      stack.push({ value: child, parent: path, key: childKey, depth: depth + 1 });
    }
  }
}

/** The JSON Pointer of `key` under `parent` (the root's is ''). */
function pointer(parent: string, key: string | null): string {
  return key === null ? parent : `${parent}/${pointerSegment(key)}`;
}

function unstorable(path: string, what: 'key' | 'value' = 'value'): BridgeError {
  return new BridgeError('unstorable_text', 'the body holds a NUL character or a lone surrogate, which cannot be stored: see details', {
    status: 422,
    details: [{ path: path || '/', message: `this ${what} holds a NUL character (U+0000) or a lone surrogate (half of a UTF-16 pair)` }],
  });
}

/** A JSON Pointer segment (RFC 6901), with what cannot be stored shown as U+FFFD so the answer itself is clean. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1').replace(UNSTORABLE_ALL, '\ufffd');
}
