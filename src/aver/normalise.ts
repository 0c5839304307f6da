import { KNOWN_STATUSES, KNOWN_TYPES, type AverEvent } from '../model/event.js';
import type { WebhookBody } from './webhook-schema.js';

const STATUS_ALIASES: Record<string, string> = {
  complete: 'Completed',
  cancelled: 'Canceled',
  ...Object.fromEntries(KNOWN_STATUSES.map((s) => [s.toLowerCase(), s])),
};
const TYPES: Record<string, string> = Object.fromEntries(KNOWN_TYPES.map((t) => [t.toLowerCase(), t]));

/** Trims white space and zero-width characters from both ends. */
export function trimBlank(value: string): string {
  return value.replace(/^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g, '');
}

/** Canonical spelling of a status ("complete" → "Completed"); unknown values are returned trimmed. */
export function normaliseStatus(status: string): { status: string; known: boolean } {
  const s = trimBlank(status);
  const canonical = STATUS_ALIASES[s.toLowerCase()];
  return canonical ? { status: canonical, known: true } : { status: s, known: false };
}

/** Turns a schema-valid webhook body into an AverEvent: trims, canonicalises, flags the unknown. */
export function normalise(body: WebhookBody, eventId: string, receivedAt: number): AverEvent {
  const m = body.statusMessage;
  const rawType = trimBlank(m.type);
  const type = TYPES[rawType.toLowerCase()];
  const { status, known } = normaliseStatus(m.status);
  return {
    eventId,
    type: type ?? rawType,
    id: trimBlank(m.id),
    groupId: trimBlank(m.groupId),
    status,
    receivedAt,
    unknownType: type === undefined,
    unknownStatus: !known,
    raw: m,
  };
}
