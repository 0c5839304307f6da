import type { Labels } from '../model/event.js';
import type { Message } from './message.js';

/** Every variable a message template can use, with what it holds: the list check-config names, and the table in docs/messages.md. */
export const TEMPLATE_VARIABLES = [
  { name: 'type', example: 'LiveCheck', description: "the entity type as Aver sends it" },
  { name: 'typeWords', example: 'Live check', description: 'the type in words' },
  { name: 'id', example: '7f1c2d3e-…', description: "Aver's id of the check or search" },
  { name: 'status', example: 'AwaitingReview', description: 'the status as Aver sends it' },
  { name: 'statusWords', example: 'awaiting review', description: 'the status in words' },
  { name: 'groupId', example: '2d1162b5-…', description: "the group's id" },
  { name: 'group', example: 'EU onboarding', description: "the group's friendly name (aver.groups), else its id" },
  { name: 'severity', example: 'action', description: 'attention, action, good or info' },
  { name: 'emoji', example: '🟠', description: "the severity's emoji" },
  { name: 'subject', example: 'cust-00482', description: 'the reference when known, else the id' },
  { name: 'reference', example: 'cust-00482', description: "the customer's own reference (thirdPartyIdentifier; needs aver.api), else empty" },
  { name: 'reason', example: 'Documents expired', description: 'the status reason in words (needs aver.api), else empty' },
  { name: 'reasonCode', example: 'ExpiredDocuments', description: 'the status reason as Aver sends it, else empty' },
  { name: 'warnings', example: '["Watchlist hits found"]', description: 'the warnings in words, a list (use | join: ", ")' },
  { name: 'warningCodes', example: '["WatchlistHitsFound"]', description: 'the warnings as Aver sends them, a list' },
  { name: 'watchlistHits', example: '2', description: 'watchlist hits of a search (needs aver.api), else empty' },
  { name: 'adverseMediaHits', example: '1', description: 'adverse-media hits of a search (needs aver.api), else empty' },
  { name: 'name', example: 'Ada Lovelace', description: "the subject's name, only with aver.api.showPersonalData, else empty" },
  { name: 'link', example: 'https://app.goaver.com/…', description: 'the "Open in Aver" URL (aver.links), else empty' },
  { name: 'time', example: '1 Dec 2026, 15:02 CET', description: 'when the bridge received the event, in display.timeZone and display.locale' },
  { name: 'timeIso', example: '2026-12-01T14:02:00Z', description: 'the same moment in RFC 3339, UTC' },
  { name: 'eventId', example: '01JDX…', description: "the bridge's id of this event" },
  { name: 'headline', example: 'Live check awaiting review: cust-00482 · EU onboarding', description: 'the built headline (without the emoji)' },
  { name: 'text', example: 'Live check rejected: … — Documents expired', description: 'the built push line (headline and why)' },
  { name: 'history', example: '[{status, statusWords, time}]', description: 'the latest statuses, oldest first (Slack and Teams receivers)' },
  { name: 'labels', example: '{checkTypes: "…"}', description: 'every label the event was routed with' },
] as const;

export type TemplateVariableName = (typeof TEMPLATE_VARIABLES)[number]['name'];

/** The variables of one message for a template: plain strings, numbers and lists, "" for what is unknown. */
export function templateVariables(message: Message, labels: Labels = {}): Record<TemplateVariableName, unknown> {
  const m = message;
  return {
    type: m.type.code,
    typeWords: m.type.words,
    id: m.id,
    status: m.status.code,
    statusWords: m.status.words,
    groupId: m.group.id,
    group: m.group.shown,
    severity: m.severity,
    emoji: m.emoji,
    subject: m.subject,
    reference: m.reference ?? '',
    reason: m.reason?.words ?? '',
    reasonCode: m.reason?.code ?? '',
    warnings: m.warnings.map((w) => w.words),
    warningCodes: m.warnings.map((w) => w.code),
    watchlistHits: m.hits.watchlist ?? '',
    adverseMediaHits: m.hits.adverseMedia ?? '',
    name: m.name ?? '',
    link: m.link ?? '',
    time: m.time.text,
    timeIso: m.time.iso,
    eventId: m.eventId,
    headline: m.headline,
    text: m.text,
    history: m.history.map((h) => ({ status: h.status.code, statusWords: h.status.words, time: h.time.text })),
    labels: { ...labels },
  };
}
