import { KNOWN_STATUSES, KNOWN_TYPES, type AverEvent } from '../model/event.js';
import type { WebhookBody } from './webhook-schema.js';

// Maps, not plain objects: the keys come from the webhook, and "constructor" must not find Object's.
const STATUS_ALIASES = new Map<string, string>([
  ['complete', 'Completed'],
  ['cancelled', 'Canceled'],
  ...KNOWN_STATUSES.map((s): [string, string] => [s.toLowerCase(), s]),
]);
const TYPES = new Map<string, string>(KNOWN_TYPES.map((t) => [t.toLowerCase(), t]));

/** Trims white space and zero-width characters from both ends. */
export function trimBlank(value: string): string {
  return value.replace(/^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g, '');
}

/** Canonical spelling of a status ("complete" → "Completed"); unknown values are returned trimmed. */
export function normaliseStatus(status: string): { status: string; known: boolean } {
  const s = trimBlank(status);
  const canonical = STATUS_ALIASES.get(s.toLowerCase());
  return canonical ? { status: canonical, known: true } : { status: s, known: false };
}

/** Turns a schema-valid webhook body into an AverEvent: trims, canonicalises, flags the unknown. */
export function normalise(body: WebhookBody, eventId: string, receivedAt: number): AverEvent {
  const m = body.statusMessage;
  const rawType = trimBlank(m.type);
  const type = TYPES.get(rawType.toLowerCase());
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
