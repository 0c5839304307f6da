import { pino } from 'pino';
import type { Config, ReceiverConfig, ReceiverKind } from '../model/config.js';
import { KNOWN_STATUSES, KNOWN_TYPES, type AverEvent, type EventDetails, type Labels } from '../model/event.js';
import type { DeliveryJob } from '../model/job.js';
import { createTimeFormat } from '../present/format-time.js';
import { headlineLine, mentionsFor, messageFor, pushLine, type Message } from '../present/message.js';
import { applyTemplate } from '../present/receiver-message.js';
import { createConsoleReceiver } from './console/deliver.js';
import { createEmailReceiver, type OutgoingMail } from './email/deliver.js';
import { redactUrl } from './http-failure.js';
import { formatSlackMessage } from './slack/format.js';
import { slackPreviewText } from './slack/preview.js';
import { formatTeamsCard, formatTeamsSummary, parseMention, type AdaptiveCardJson } from './teams/format.js';
import { teamsPreviewText } from './teams/preview.js';
import { createTeamsWorkflowReceiver } from './teams-workflow/deliver.js';
import { createWebhookReceiver } from './webhook/deliver.js';

/** What one receiver would post for an event: nothing is sent to build it. */
export interface ReceiverPreview {
  receiver: string;
  kind: ReceiverKind;
  /** Where it would go: "chat.postMessage to #kyc", "POST https://hooks.example/…" (URLs redacted). */
  destination: string;
  /** What would be sent, as JSON: Slack's chat.postMessage arguments, the Teams activity, the webhook body, the console line, the e-mail. */
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

/** The kinds whose receivers read the check's history (Receiver.usesHistory). */
const USES_HISTORY: ReadonlySet<ReceiverKind> = new Set(['slack', 'teams', 'teamsWorkflow', 'email']);

/** The labels enrichment adds, read back into the details Aver's API would have given (lists comma-separated). */
const ENRICHMENT_LABELS = ['thirdPartyIdentifier', 'checkTypes', 'statusReason', 'warnings', 'watchlistHits', 'adverseMediaHits'] as const;

/**
 * What `receiverName` would post for an event with these labels (as the route tester reads them: `type`, `status`,
 * `id`, `groupId`, `group`, and any enrichment label), as its first message about the check: undefined when no
 * receiver has that name. Nothing is sent and no platform is asked: receivers that send through a fetch, a write
 * or a mail sender are run with ones that keep what they are given.
 */
export async function previewReceiver(config: Config, receiverName: string, labels: Labels, options: { now: number; routedTo?: string[] }): Promise<ReceiverPreview | undefined> {
  const rc = config.receivers.find((r) => r.name === receiverName);
  if (!rc) return undefined;
  const job = previewJob(rc.name, labels, options.now);
  // As the pipeline hands it: the receivers that keep one message per check get the history (this status alone).
  const history = USES_HISTORY.has(rc.kind) ? [{ status: job.event.status, at: options.now }] : [];
  const built = messageFor(job, history, config, mentionsOf(rc, job.event.status));
  const applied = rc.template ? applyTemplate(built, job.labels, rc.template, config.templates) : undefined;
  const message = applied?.ok ? applied.message : built;
  const shown = await payloadOf(rc, job, message, config, options.routedTo);
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

/** Nothing is logged from a preview: a template's failure is reported in the preview itself. */
const quiet = pino({ level: 'silent' });

/**
 * Each receiver's payload. Console, webhook, Workflows and e-mail receivers are run as they are, with their
 * output caught (a write, a fetch and a mail sender that send nothing), so the preview is what they send; the
 * Slack and Teams payloads are put together as their deliver() does (test/receivers/preview.test.ts and
 * test/e2e/templates.test.ts hold them to it), since those ask their platform first (a channel, an installation).
 */
async function payloadOf(rc: ReceiverConfig, job: DeliveryJob, message: Message, config: Config, routedTo: string[] | undefined): Promise<Pick<ReceiverPreview, 'destination' | 'payload' | 'text'>> {
  const time = createTimeFormat(config.display);
  const context = { signal: new AbortController().signal, previous: null, history: [{ status: job.event.status, at: job.event.receivedAt }], logger: quiet };
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
      const caught = catchingFetch();
      await createTeamsWorkflowReceiver(rc, { fetch: caught.fetch, config, logger: quiet }).deliver(job, context);
      const payload = caught.body();
      const card = (payload as { attachments?: Array<{ content?: AdaptiveCardJson }> } | null)?.attachments?.[0]?.content;
      return { destination: `POST ${redactUrl(rc.teamsWorkflow.url)}`, payload, text: card ? teamsPreviewText(card, time) : messageText(message) };
    }
    case 'webhook': {
      const caught = catchingFetch();
      await createWebhookReceiver(rc, { fetch: caught.fetch, now: () => job.createdAt, config }).deliver(job, { ...context, history: [] });
      return { destination: `POST ${redactUrl(rc.webhook.url)}`, payload: caught.body(), text: messageText(message) };
    }
    case 'console': {
      const line = async (pretty: boolean) => {
        const lines: string[] = [];
        await createConsoleReceiver({ ...rc, console: { ...rc.console, pretty } }, { write: (l) => lines.push(l), routedTo: () => routedTo ?? [], config }).deliver(job, { ...context, history: [] });
        return lines.join('').trimEnd();
      };
      const json = await line(false);
      return { destination: 'one line on stdout', payload: JSON.parse(json) as unknown, text: `${await line(true)}\n\n${messageText(message)}` };
    }
    case 'email': {
      const smtp = config.smtp;
      if (!smtp) return { destination: 'e-mail (no smtp section)', payload: null, text: messageText(message) };
      const mails: OutgoingMail[] = [];
      const sender = {
        send: (mail: OutgoingMail) => {
          mails.push(mail);
          return Promise.resolve({ accepted: [...mail.to], rejected: [], response: '250 not sent: a preview' });
        },
        close: () => undefined,
      };
      await createEmailReceiver(rc, { sender, config: { ...config, smtp }, logger: quiet }).deliver(job, context);
      const mail = mails[0];
      const text = mail ? `From: ${mail.from}\nTo: ${mail.to.join(', ')}\nSubject: ${mail.subject}\n\n${mail.text}` : messageText(message);
      return { destination: `e-mail to ${rc.email.to.join(', ')} through ${smtp.url}`, payload: mail ?? null, text };
    }
  }
  return unknownKind(rc);
}

function unknownKind(rc: never): never {
  throw new Error(`no preview for receiver ${JSON.stringify(rc)}`);
}

/** A fetch that sends nothing: it keeps the request body and answers 202. */
function catchingFetch(): { fetch: typeof fetch; body: () => unknown } {
  let sent: string | undefined;
  const fake = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent = typeof init?.body === 'string' ? init.body : undefined;
    return Promise.resolve(new Response(null, { status: 202 }));
  };
  return { fetch: fake, body: () => (sent === undefined ? null : JSON.parse(sent) as unknown) };
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
