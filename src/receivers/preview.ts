import { type Config, type ReceiverConfig, type ReceiverKind } from '../model/config.js';
import { KNOWN_STATUSES, KNOWN_TYPES, type AverEvent, type EventDetails, type Labels } from '../model/event.js';
import type { DeliveryJob } from '../model/job.js';
import { createTimeFormat } from '../present/format-time.js';
import { headlineLine, mentionsFor, messageFor, pushLine, type Message } from '../present/message.js';
import { applyTemplate } from '../present/receiver-message.js';
import { redactUrl } from './http-failure.js';
import { formatSlackMessage } from './slack/format.js';
import { slackPreviewText } from './slack/preview.js';
import { formatTeamsCard, formatTeamsSummary, parseMention, type AdaptiveCardJson } from './teams/format.js';
import { teamsPreviewText } from './teams/preview.js';

/** What one receiver would post for an event: nothing is sent to build it. */
export interface ReceiverPreview {
  receiver: string;
  kind: ReceiverKind;
  /** Where it would go: "chat.postMessage to #kyc", "POST https://hooks.example/…" (URLs redacted). */
  destination: string;
  /** What would be sent, as JSON: Slack's chat.postMessage arguments, the Teams activity, the webhook body, the console line. */
  payload: unknown;
  /** The same for people: roughly as the channel shows it. */
  text: string;
  /** The headline line every channel shows first. */
  headline: string;
  /** Why the receiver's template was not applied (the default message is shown, as delivery would send it). */
  templateError?: string;
}

/** A sample event's defaults for what the labels leave out or empty: a Completed LiveCheck with a sample id. */
export const PREVIEW_DEFAULTS = { type: KNOWN_TYPES[0], status: 'Completed', id: '7f1c2d3e-5b6a-4c1d-9e8f-0a1b2c3d4e5f', groupId: '2d1162b5-0000-0000-0000-000000000000' } as const;

/** The labels enrichment adds, read back into the details Aver's API would have given (lists comma-separated). */
const ENRICHMENT_LABELS = ['thirdPartyIdentifier', 'checkTypes', 'statusReason', 'warnings', 'watchlistHits', 'adverseMediaHits'] as const;

/**
 * What `receiverName` would post for an event with these labels (as the route tester reads them: `type`, `status`,
 * `id`, `groupId`, `group`, and any enrichment label), as its first message about the check: undefined when no
 * receiver has that name. Pure: the receiver is not built and nothing is sent.
 */
export function previewReceiver(config: Config, receiverName: string, labels: Labels, options: { now: number; routedTo?: string[] }): ReceiverPreview | undefined {
  const rc = config.receivers.find((r) => r.name === receiverName);
  if (!rc) return undefined;
  const job = previewJob(rc.name, labels, options.now);
  const built = messageFor(job, [{ status: job.event.status, at: options.now }], config, mentionsOf(rc, job.event.status));
  const applied = rc.template ? applyTemplate(built, job.labels, rc.template, config.templates) : undefined;
  const message = applied?.ok ? applied.message : built;
  const shown = payloadOf(rc, job, message, config, options.routedTo);
  return {
    receiver: rc.name,
    kind: rc.kind,
    ...shown,
    headline: headlineLine(message),
    ...(applied && !applied.ok ? { templateError: applied.reason } : {}),
  };
}

/** The job a delivery would be handed: the event from the labels (defaults for what they leave out), its details. */
export function previewJob(receiver: string, given: Labels, now: number): DeliveryJob {
  const value = (name: keyof typeof PREVIEW_DEFAULTS) => (Object.hasOwn(given, name) && given[name].trim() !== '' ? given[name] : PREVIEW_DEFAULTS[name]);
  const type = value('type');
  const status = value('status');
  const event: AverEvent = {
    eventId: 'preview',
    type,
    id: value('id'),
    groupId: value('groupId'),
    status,
    receivedAt: now,
    unknownType: !(KNOWN_TYPES as readonly string[]).includes(type),
    unknownStatus: !(KNOWN_STATUSES as readonly string[]).includes(status),
    raw: {},
  };
  const labels: Labels = { ...given, type, status, id: event.id, groupId: event.groupId };
  const details = detailsFrom(given);
  return {
    id: 0, eventId: event.eventId, receiver, entityKey: `${type}:${event.id}`, destinationKey: '', createdAt: now, attempt: 1,
    event, labels, ...(details ? { details } : {}),
  };
}

function detailsFrom(labels: Labels): EventDetails | undefined {
  const get = (name: string) => (Object.hasOwn(labels, name) && labels[name].trim() !== '' ? labels[name].trim() : undefined);
  if (!ENRICHMENT_LABELS.some((name) => get(name) !== undefined)) return undefined;
  const list = (name: string) => get(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  const count = (name: string) => {
    const n = Number(get(name));
    return get(name) !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
  };
  const fields: Omit<EventDetails, 'available'> = {
    thirdPartyIdentifier: get('thirdPartyIdentifier'),
    checkTypes: list('checkTypes'),
    statusReason: get('statusReason'),
    warnings: list('warnings'),
    watchlistHits: count('watchlistHits'),
    adverseMediaHits: count('adverseMediaHits'),
  };
  // Only the fields given: details as enrichment stores them, without undefined keys.
  return { available: true, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
}

function mentionsOf(rc: ReceiverConfig, status: string): readonly string[] {
  if (rc.kind === 'slack') return mentionsFor(rc.slack.mention, status);
  if (rc.kind === 'teams') return mentionsFor(rc.teams.mention, status);
  return [];
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Each receiver's payload as its deliver() builds it (test/receivers/preview.test.ts holds them to that). */
function payloadOf(rc: ReceiverConfig, job: DeliveryJob, message: Message, config: Config, routedTo: string[] | undefined): Pick<ReceiverPreview, 'destination' | 'payload' | 'text'> {
  const time = createTimeFormat(config.display);
  switch (rc.kind) {
    case 'slack': {
      const m = formatSlackMessage(message);
      const payload = { channel: rc.slack.channel, text: m.text, blocks: m.blocks, attachments: m.attachments, unfurl_links: false, unfurl_media: false };
      return { destination: `chat.postMessage to ${rc.slack.channel}`, payload, text: slackPreviewText(m) };
    }
    case 'teams': {
      const card = formatTeamsCard(message, message.mentions.map(parseMention));
      const payload = { type: 'message', attachmentLayout: 'list', attachments: [{ contentType: ADAPTIVE_CARD, content: card }], inputHint: 'acceptingInput', summary: formatTeamsSummary(message) };
      const where = rc.teams.channelId ?? `${rc.teams.team ?? ''} / ${rc.teams.channel ?? ''}`;
      return { destination: `a new thread in Teams channel ${where}`, payload, text: teamsPreviewText(card, time) };
    }
    case 'teamsWorkflow': {
      const card: AdaptiveCardJson = formatTeamsCard(message);
      const payload = { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content: card }] };
      return { destination: `POST ${redactUrl(rc.teamsWorkflow.url)}`, payload, text: teamsPreviewText(card, time) };
    }
    case 'webhook': {
      const payload = { event: job.event, labels: job.labels, details: job.details ?? undefined, attempt: job.attempt, message };
      return { destination: `POST ${redactUrl(rc.webhook.url)}`, payload, text: messageText(message) };
    }
    case 'console': {
      const e = job.event;
      const payload = {
        receiver: job.receiver, routedTo, eventId: e.eventId, type: e.type, id: e.id, groupId: e.groupId, group: job.labels.group, status: e.status,
        attempt: job.attempt, details: job.details ?? undefined, severity: message.severity, headline: headlineLine(message), text: pushLine(message),
      };
      return { destination: 'one JSON line on stdout', payload, text: messageText(message) };
    }
  }
}

/** The message model as plain lines: headline, push line, facts, context, link. */
function messageText(message: Message): string {
  return [
    headlineLine(message),
    `notification: ${pushLine(message)}`,
    ...message.facts.map((f) => `${f.title}: ${f.value}`),
    `${message.time.text} · ${message.type.code} ${message.id} · event ${message.eventId} · severity ${message.severity}`,
    ...(message.link ? [`Open in Aver: ${message.link}`] : []),
  ].join('\n');
}
