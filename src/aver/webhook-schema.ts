/**
 * JSON Schema of an Aver Active Notification body. Exported so other tools
 * (and tests) can validate payloads exactly as the ingest route does.
 * Extra fields are allowed and kept: Aver may add some.
 */
/** Never allowed: control characters (C0, DEL, C1), lone surrogates, and bidirectional controls that could make an id display as another. */
const FORBIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/** Blank for the "non-empty after trimming" rule: white space and zero-width characters. */
const BLANK = '\\s\\u200b-\\u200d\\u2060\\ufeff';

/**
 * Nothing forbidden, and at least one visible character: two patterns of one character class each, so a match
 * is one pass over the string whatever it holds. (One pattern saying both, `^[^F]*[^BF][^F]*$`, backtracks
 * quadratically on visible text ending in a forbidden character: about 2 s for 64 KB. ajv runs patterns on strings
 * over maxLength too, since it reports every error.) ajv compiles patterns with the u flag, so a surrogate range
 * matches only lone surrogates.
 */
export const NOTHING_FORBIDDEN = `^[^${FORBIDDEN}]*$`;
const SOMETHING_VISIBLE = `[^${BLANK}${FORBIDDEN}]`;

const field = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  allOf: [{ pattern: NOTHING_FORBIDDEN }, { pattern: SOMETHING_VISIBLE }],
};

export const webhookSchema = {
  $id: 'https://aver-bridge.dev/schemas/webhook.json',
  type: 'object',
  required: ['statusMessage'],
  properties: {
    statusMessage: {
      type: 'object',
      required: ['type', 'id', 'groupId', 'status'],
      properties: { type: field, id: field, groupId: field, status: field },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export interface WebhookBody {
  statusMessage: { type: string; id: string; groupId: string; status: string; [extra: string]: unknown };
  [extra: string]: unknown;
}
