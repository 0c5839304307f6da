import { Ajv } from 'ajv';
import { BridgeError } from '../errors.js';
import { webhookSchema, type WebhookBody } from './webhook-schema.js';

const validate = new Ajv({ allErrors: true, strict: true }).compile<WebhookBody>(webhookSchema);

/** Checks a parsed body against the webhook schema; throws a 422 listing each failing path. */
export function validateWebhook(body: unknown): WebhookBody {
  if (validate(body)) return body;
  const details = (validate.errors ?? []).slice(0, 20).map((e) => ({
    // A missing property is reported on its parent by ajv; point at the property itself.
    path: e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}` : e.instancePath || '/',
    message: e.keyword === 'pattern' ? 'must contain a visible character and no control, bidirectional-control or lone surrogate characters' : e.message ?? 'invalid',
  }));
  throw new BridgeError('schema_violation', 'the body is not an Aver status message: see details', { status: 422, details });
}
