import type { AverEvent, Labels } from '../../model/event.js';
import type { EventDetails } from '../../model/event.js';
import type { StatusChange } from '../../model/job.js';

/** Someone to @mention: `text` is the `<at>…</at>` text, `id` a Teams user id or tag id (no id: plain text). */
export interface TeamsMention {
  text: string;
  id?: string;
  name: string;
  /** 'tag' for a Teams tag; a person otherwise. */
  type?: 'person' | 'tag';
}

export interface TeamsCardInput {
  event: AverEvent;
  labels: Labels;
  details?: EventDetails | null;
  history: StatusChange[];
  groupName: string;
  /** A link template with `{id}`, `{groupId}`, `{type}` (aver.links.check / .watchlist). */
  checkLink?: string;
  mentions?: TeamsMention[];
}

/** The card input for a delivery: the group's friendly name and the link template for its entity type. */
export function cardInputFor(
  job: { event: AverEvent; labels: Labels; details?: EventDetails | null },
  history: StatusChange[],
  aver: { groups: Record<string, string>; links: { check?: string; watchlist?: string } },
  mentions?: TeamsMention[],
): TeamsCardInput {
  const isWatchlist = /watchlist/i.test(job.event.type);
  return {
    event: job.event,
    labels: job.labels,
    details: job.details ?? null,
    history,
    groupName: job.labels.group ?? aver.groups[job.event.groupId] ?? job.event.groupId,
    checkLink: (isWatchlist ? aver.links.watchlist : undefined) ?? aver.links.check,
    mentions,
  };
}

/** An Adaptive Card as plain JSON. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning';

interface StatusLook {
  emoji: string;
  words: string;
  style: ContainerStyle;
}

const STATUS_LOOKS: Record<string, StatusLook> = {
  Completed: { emoji: '✅', words: 'Completed', style: 'good' },
  Rejected: { emoji: '❌', words: 'Rejected', style: 'attention' },
  Failed: { emoji: '❌', words: 'Failed', style: 'attention' },
  Error: { emoji: '⚠️', words: 'Error', style: 'attention' },
  AwaitingReview: { emoji: '👀', words: 'Awaiting review', style: 'warning' },
  InReview: { emoji: '🔎', words: 'In review', style: 'warning' },
  Created: { emoji: '🆕', words: 'Created', style: 'default' },
  AwaitingUser: { emoji: '⏳', words: 'Awaiting user', style: 'default' },
  AwaitingAutomation: { emoji: '⚙️', words: 'Awaiting automation', style: 'default' },
  Canceled: { emoji: '🚫', words: 'Canceled', style: 'emphasis' },
};

const TYPE_WORDS: Record<string, string> = {
  LiveCheck: 'Live check',
  OfflineCheck: 'Offline check',
  WatchlistSearch: 'Watchlist search',
  RecurringWatchlistSearch: 'Recurring watchlist search',
};

const REASON_WORDS: Record<string, string> = {
  missingdocuments: 'Missing documents',
  unreadabledocumentsormissingverificationinformation: 'Unreadable documents or missing verification information',
  expireddocuments: 'Expired documents',
  suspiciousdocumentsorimages: 'Suspicious documents or images',
  facialverificationfailed: 'Facial verification failed',
  underageapplicant: 'Underage applicant',
};

const WARNING_WORDS: Record<string, string> = {
  age: 'Age outside the allowed range',
  country: 'Country not allowed',
  state: 'State not allowed',
  ipvpntor: 'IP address from a VPN or Tor',
  address: 'Address could not be verified',
  emailaddress: 'Email address could not be verified',
  watchlisthitsfound: 'Watchlist hits found',
  adversemediafound: 'Adverse media found',
  sameemailfound: 'Same email address used in another check',
  sameiddocumentfound: 'Same ID document used in another check',
  samenamefound: 'Same name used in another check',
  phoneinvalid: 'Phone number invalid',
  phoneprepaidorvoip: 'Prepaid or VoIP phone number',
};

const SHORT = 200;
const LONG = 600;
const MAX_HISTORY = 12;

/** The look of a status: emoji, words and Adaptive Card container style. */
export function statusLook(status: string): StatusLook {
  return STATUS_LOOKS[status] ?? { emoji: '❔', words: status, style: 'emphasis' };
}

/** Shortens a string to `max` characters, ending it with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/**
 * Makes an untrusted string inert in Teams' Markdown (TextBlock, FactSet, message text):
 * one line, no control characters, Markdown specials backslash-escaped, angle brackets
 * (so `<at>` mentions and HTML) replaced by look-alikes, truncated.
 */
export function escapeTeamsText(value: unknown, max = SHORT): string {
  let s = truncate(String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim(), max);
  s = s.replace(/</g, '‹').replace(/>/g, '›');
  s = s.replace(/[\\`*_[\]~|{}]/g, (c) => `\\${c}`);
  // Block syntax only counts at the start of a line, and every escaped string is one line.
  s = s.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
  return s;
}

/** Plain words for an entity type (unknown types as received). */
export function typeWords(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

/** Plain words for an Aver warning code (compared case-insensitively). */
export function warningWords(code: string): string {
  return WARNING_WORDS[code.trim().toLowerCase()] ?? code;
}

/** Plain words for an Aver statusReason. */
export function reasonWords(code: string): string {
  return REASON_WORDS[code.trim().toLowerCase()] ?? code;
}

/** Fills a link template with the event's id, groupId and type (URL-encoded); undefined unless it yields an http(s) URL. */
export function fillLink(template: string | undefined, event: Pick<AverEvent, 'id' | 'groupId' | 'type'>): string | undefined {
  if (!template) return undefined;
  const url = template
    .replaceAll('{id}', encodeURIComponent(event.id))
    .replaceAll('{groupId}', encodeURIComponent(event.groupId))
    .replaceAll('{type}', encodeURIComponent(event.type));
  return /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}

function utc(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function historyLine(history: StatusChange[]): string | undefined {
  if (history.length <= 1) return undefined;
  const shown = history.slice(-MAX_HISTORY);
  const parts = shown.map((h) => `${escapeTeamsText(statusLook(h.status).words, 60)} (${utc(h.at)})`);
  return (history.length > shown.length ? '… → ' : '') + parts.join(' → ');
}

function titleOf(input: TeamsCardInput): string {
  const { event } = input;
  const look = statusLook(event.status);
  return `${look.emoji} ${escapeTeamsText(typeWords(event.type), 60)} ${escapeTeamsText(event.id, 80)}: ${escapeTeamsText(look.words, 60)}`;
}

function detailBlocks(details: EventDetails | null | undefined): Record<string, unknown>[] {
  if (!details) return [];
  if (!details.available) {
    return [{ type: 'TextBlock', text: 'Details unavailable', isSubtle: true, wrap: true, spacing: 'Small' }];
  }
  const facts: Array<{ title: string; value: string }> = [];
  if (details.name) facts.push({ title: 'Name', value: escapeTeamsText(details.name) });
  if (details.thirdPartyIdentifier) facts.push({ title: 'Reference', value: escapeTeamsText(details.thirdPartyIdentifier) });
  if (details.checkTypes?.length) facts.push({ title: 'Checks', value: escapeTeamsText(details.checkTypes.join(', '), LONG) });
  if (details.statusReason) facts.push({ title: 'Reason', value: escapeTeamsText(reasonWords(details.statusReason)) });
  if (details.watchlistHits !== undefined) facts.push({ title: 'Watchlist hits', value: String(details.watchlistHits) });
  if (details.adverseMediaHits !== undefined) facts.push({ title: 'Adverse media hits', value: String(details.adverseMediaHits) });
  const blocks: Record<string, unknown>[] = [];
  if (facts.length) blocks.push({ type: 'FactSet', facts, spacing: 'Small' });
  if (details.warnings?.length) {
    const shown = details.warnings.slice(0, 20).map((w) => `- ${escapeTeamsText(warningWords(w))}`);
    if (details.warnings.length > shown.length) shown.push(`- … and ${details.warnings.length - shown.length} more`);
    blocks.push({ type: 'TextBlock', text: 'Warnings', weight: 'Bolder', spacing: 'Small', wrap: true });
    blocks.push({ type: 'TextBlock', text: shown.join('\n'), wrap: true, spacing: 'None' });
  }
  return blocks;
}

/** The Adaptive Card 1.5 for one event, with the same content as the Slack message. */
export function formatTeamsCard(input: TeamsCardInput): AdaptiveCardJson {
  const { event, details, history } = input;
  const look = statusLook(event.status);
  const group = input.groupName && input.groupName !== event.groupId
    ? `${escapeTeamsText(input.groupName, 100)} (${escapeTeamsText(event.groupId, 100)})`
    : escapeTeamsText(event.groupId, 100);
  const facts = [
    { title: 'Type', value: escapeTeamsText(typeWords(event.type) + (event.unknownType ? ' (unknown type)' : ''), 100) },
    { title: 'Status', value: escapeTeamsText(look.words + (event.unknownStatus ? ' (unknown status)' : ''), 100) },
    { title: 'Id', value: escapeTeamsText(event.id) },
    { title: 'Group', value: group },
    { title: 'Received', value: utc(event.receivedAt) },
  ];
  const items: Record<string, unknown>[] = [
    { type: 'TextBlock', text: titleOf(input), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'FactSet', facts },
  ];
  const line = historyLine(history);
  if (line) items.push({ type: 'TextBlock', text: `History: ${line}`, isSubtle: true, wrap: true, size: 'Small' });
  items.push(...detailBlocks(details));

  const mentions = (input.mentions ?? []).slice(0, 20);
  const withId = mentions.filter((m) => m.id);
  if (mentions.length) {
    const text = mentions.map((m) => (m.id ? m.text : escapeTeamsText(m.name, 100))).join(' ');
    items.push({ type: 'TextBlock', text: `cc ${text}`, wrap: true, spacing: 'Small' });
  }

  const card: AdaptiveCardJson = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: formatTeamsSummary(input),
    body: [{ type: 'Container', style: look.style, bleed: true, items }],
    msteams: {
      width: 'Full',
      ...(withId.length
        ? {
            entities: withId.map((m) => ({
              type: 'mention',
              text: m.text,
              mentioned: { id: m.id, name: m.name, ...(m.type === 'tag' ? { type: 'tag' } : {}) },
            })),
          }
        : {}),
    },
  };
  const url = fillLink(input.checkLink, event);
  if (url) card.actions = [{ type: 'Action.OpenUrl', title: 'Open in Aver', url }];
  return card;
}

/** The `<at>…</at>` text for a mention of `name`, safe to put in a TextBlock. */
export function mentionText(name: string): string {
  return `<at>${truncate(name.replace(/[<>\u0000-\u001f]/g, ' ').trim(), 100)}</at>`;
}

/** A one-line plain-text summary (notifications, fallback text). */
export function formatTeamsSummary(input: Pick<TeamsCardInput, 'event' | 'groupName'>): string {
  const { event } = input;
  const look = statusLook(event.status);
  // Plain text, but some clients still read `<at>` and HTML in it.
  const clean = (s: string, max: number) =>
    truncate(s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim(), max).replace(/</g, '‹').replace(/>/g, '›');
  const group = input.groupName || event.groupId;
  return `${look.emoji} ${clean(typeWords(event.type), 60)} ${clean(event.id, 80)}: ${clean(look.words, 60)} (group ${clean(group, 100)})`;
}
