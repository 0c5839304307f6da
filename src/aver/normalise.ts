import { KNOWN_STATUSES, KNOWN_TYPES, type AverEvent } from './event.js';
import type { WebhookBody } from './webhook-schema.js';

const STATUS_ALIASES: Record<string, string> = {
  complete: 'Completed',
  cancelled: 'Canceled',
  ...Object.fromEntries(KNOWN_STATUSES.map((s) => [s.toLowerCase(), s])),
};
const TYPES: Record<string, string> = Object.fromEntries(KNOWN_TYPES.map((t) => [t.toLowerCase(), t]));

/** Canonical spelling of a status ("complete" → "Completed"); unknown values are returned trimmed. */
export function normaliseStatus(status: string): { status: string; known: boolean } {
  const s = status.trim();
  const canonical = STATUS_ALIASES[s.toLowerCase()];
  return canonical ? { status: canonical, known: true } : { status: s, known: false };
}

/** Turns a schema-valid webhook body into an AverEvent: trims, canonicalises, flags the unknown. */
export function normalise(body: WebhookBody, eventId: string, receivedAt: number): AverEvent {
  const m = body.statusMessage;
  const rawType = m.type.trim();
  const type = TYPES[rawType.toLowerCase()];
  const { status, known } = normaliseStatus(m.status);
  return {
    eventId,
    type: type ?? rawType,
    id: m.id.trim(),
    groupId: m.groupId.trim(),
    status,
    receivedAt,
    unknownType: type === undefined,
    unknownStatus: !known,
    raw: m,
  };
}
