import type { Severity } from '../../model/severity.js';
import { headlineLine, pushLine, type Message } from '../../present/message.js';
import { SEVERITY_LOOK, severityOf } from '../../present/severity.js';
import { sentence, statusWords } from '../../present/words.js';
import { inertLinks } from '../inert-links.js';
import { checkStateBlocks, executeActions } from './check-card.js';

export { reasonWords, typeWords, warningWords } from '../../present/words.js';

/** Someone to @mention: `text` is the `<at>…</at>` text, `id` a Teams user id or tag id (no id: plain text). */
export interface TeamsMention {
  text: string;
  id?: string;
  name: string;
  /** 'tag' for a Teams tag; a person otherwise. */
  type?: 'person' | 'tag';
}

/** An Adaptive Card as plain JSON. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

/** The container style of each severity: the card's colour band, on the same scale as Slack's bar. */
export const CONTAINER_STYLE: Readonly<Record<Severity, ContainerStyle>> = {
  attention: 'attention',
  action: 'warning',
  good: 'good',
  info: 'accent',
};

const SHORT = 200;
const LONG = 600;
const HEADLINE = 300;
const STATUS_ROOM = 60;
const MAX_MENTIONS = 20;

/** The look of a status alone (the `@Aver status` answer): its severity's emoji and style, its words. */
export function statusLook(status: string): { emoji: string; words: string; style: ContainerStyle } {
  const severity = severityOf({ status, hits: false, warnings: false });
  return { emoji: SEVERITY_LOOK[severity].emoji, words: sentence(statusWords(status)), style: CONTAINER_STYLE[severity] };
}

/** Shortens a string to `max` characters, ending it with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/**
 * Makes an untrusted string inert in Teams' Markdown (TextBlock, FactSet, message text):
 * one line, no control characters, Markdown specials backslash-escaped, angle brackets
 * (so `<at>` mentions and HTML) replaced by look-alikes, link-like words with look-alike
 * dots and slashes (inertLinks: Teams links bare URLs too), truncated.
 */
export function escapeTeamsText(value: unknown, max = SHORT): string {
  let s = truncate(String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim(), max);
  s = inertLinks(s).replace(/</g, '‹').replace(/>/g, '›');
  s = s.replace(/[\\`*_[\]~|{}]/g, (c) => `\\${c}`);
  // Block syntax only counts at the start of a line, and every escaped string is one line.
  s = s.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
  return s;
}

/**
 * The Adaptive Card 1.5 for one message: in a container of the severity's style, the headline, the facts (only
 * those with a value), one small context line, the history (from a second status on), who is mentioned, and
 * "Open in Aver". Times are Adaptive Card date functions, so each viewer reads them in their own zone.
 */
export function formatTeamsCard(message: Message, mentions: readonly TeamsMention[] = []): AdaptiveCardJson {
  const items: Record<string, unknown>[] = [
    { type: 'TextBlock', text: escapeTeamsText(headlineLine(message), HEADLINE), weight: 'Bolder', size: 'Medium', wrap: true },
  ];
  if (message.facts.length > 0) {
    const facts = message.facts.map((f) => ({ title: escapeTeamsText(f.title, STATUS_ROOM), value: escapeTeamsText(f.value, LONG) }));
    items.push({ type: 'FactSet', facts, spacing: 'Small' });
  }
  items.push(smallText(contextLine(message)));
  if (message.history.length > 1) items.push(smallText(`History: ${historyText(message)}`));
  items.push(...checkStateBlocks(message));
  const shown = mentions.slice(0, MAX_MENTIONS);
  if (shown.length > 0) items.push({ type: 'TextBlock', text: `cc ${mentionsText(shown)}`, wrap: true, spacing: 'Small' });

  const entities = mentionEntities(shown);
  const card: AdaptiveCardJson = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: formatTeamsSummary(message),
    body: [{ type: 'Container', style: CONTAINER_STYLE[message.severity], bleed: true, items }],
    msteams: { width: 'Full', ...(entities.length > 0 ? { entities } : {}) },
  };
  const actions = [...executeActions(message), ...(message.link ? [{ type: 'Action.OpenUrl', title: 'Open in Aver', url: message.link }] : [])];
  if (actions.length > 0) card.actions = actions;
  return card;
}

/** A thread reply: one short line (who is mentioned, the emoji, the headline and why), never the card again. */
export interface TeamsReply {
  type: 'message';
  text: string;
  textFormat: 'markdown';
  summary: string;
  entities?: Array<Record<string, unknown>>;
}

/** The thread reply for a later status: mentions first, then the push line. */
export function formatTeamsReply(message: Message, mentions: readonly TeamsMention[] = []): TeamsReply {
  const shown = mentions.slice(0, MAX_MENTIONS);
  const entities = mentionEntities(shown);
  const text = `${shown.length > 0 ? `${mentionsText(shown)} ` : ''}${escapeTeamsText(pushLine(message), LONG)}`;
  return { type: 'message', text, textFormat: 'markdown', summary: formatTeamsSummary(message), ...(entities.length > 0 ? { entities } : {}) };
}

/** The `<at>…</at>` text for a mention of `name`, safe to put in a TextBlock. */
export function mentionText(name: string): string {
  return `<at>${truncate(name.replace(/[<>\u0000-\u001f]/g, ' ').trim(), 100)}</at>`;
}

/**
 * Parses `Name <id>` (a Teams user id, AAD object id or tag id) into a mention; a bare
 * name cannot notify anyone through the bot and is shown as text.
 */
export function parseMention(entry: string): TeamsMention {
  const m = /^(.*?)\s*<([^<>]+)>\s*$/.exec(entry.trim());
  if (!m) return { name: entry.trim(), text: mentionText(entry) };
  const name = m[1].trim() || m[2].trim();
  const id = m[2].trim();
  const person = /^(29:|8:orgid:)/.test(id) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  return { name, id, text: mentionText(name), type: person ? 'person' : 'tag' };
}

/** The push line as plain text (notifications, the activity summary, the card's fallback text). */
export function formatTeamsSummary(message: Message): string {
  // Plain text, but some clients still read `<at>` and HTML in it.
  const clean = truncate(pushLine(message).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim(), LONG);
  return clean.replace(/</g, '‹').replace(/>/g, '›');
}

function smallText(text: string): Record<string, unknown> {
  return { type: 'TextBlock', text, isSubtle: true, size: 'Small', wrap: true, spacing: 'Small' };
}

/** Adaptive Card date functions read strict RFC 3339 only; anything else would show raw. */
function dateTime(iso: string, fallback: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(iso) ? `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}` : escapeTeamsText(fallback, 60);
}

function clock(iso: string, fallback: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(iso) ? `{{TIME(${iso})}}` : escapeTeamsText(fallback, 20);
}

/** "Tue, 1 Dec 2026 15:02 · LiveCheck · event 01HX…": the time (in the viewer's zone), the raw type, Aver's id unless the headline shows it whole, the event. */
function contextLine(message: Message): string {
  const parts = [dateTime(message.time.iso, message.time.text)];
  parts.push(message.subject !== message.id ? `${escapeTeamsText(message.type.code, 100)} ${escapeTeamsText(message.id, SHORT)}` : escapeTeamsText(message.type.code, 100));
  parts.push(`event ${escapeTeamsText(message.eventId, 100)}`);
  if (message.undocumented.type) parts.push('type not documented by Aver');
  if (message.undocumented.status) parts.push(`status ${escapeTeamsText(message.status.code, 100)} not documented by Aver`);
  if (message.details === 'unavailable') parts.push('details unavailable from the Aver API');
  return parts.join(' · ');
}

/** "Created 09:00 → In review 09:10 → Completed 09:30", each time in the viewer's own zone. */
function historyText(message: Message): string {
  const parts = message.history.map((h) => `${escapeTeamsText(sentence(h.status.words), STATUS_ROOM)} ${clock(h.time.iso, h.time.clock)}`);
  return (message.historyOmitted > 0 ? '… → ' : '') + parts.join(' → ');
}

/** `<at>Name</at>` for those with an id (they are notified), the escaped name for the others. */
function mentionsText(mentions: readonly TeamsMention[]): string {
  return mentions.map((m) => (m.id ? m.text : escapeTeamsText(m.name, 100))).join(' ');
}

function mentionEntities(mentions: readonly TeamsMention[]): Array<Record<string, unknown>> {
  return mentions
    .filter((m) => m.id)
    .map((m) => ({ type: 'mention', text: m.text, mentioned: { id: m.id, name: m.name, ...(m.type === 'tag' ? { type: 'tag' } : {}) } }));
}
