/**
 * JSON Schema of an Aver Active Notification body. Exported so other tools
 * (and tests) can validate payloads exactly as the ingest route does.
 * Extra fields are allowed and kept: Aver may add some.
 */
const field = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  // Non-empty after trimming, and no control characters (C0, DEL, C1).
  pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$',
} as const;

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
