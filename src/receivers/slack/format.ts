import type { ActionsBlock, ContextBlock, HeaderBlock, KnownBlock, MessageAttachment, SectionBlock } from '@slack/types';
import type { StatusChange } from '../../model/job.js';
import { inertLinks } from '../inert-links.js';
import { actionButtons, checkStateText } from './check-blocks.js';
import { headlineLine, pushLine, type Message } from '../../present/message.js';
import { SEVERITY_LOOK } from '../../present/severity.js';
import { sentence } from '../../present/words.js';

/** Block Kit's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  buttonUrl: 3000,
  buttonText: 75,
  /** Slack truncates longer top-level text; we stay well below its 40,000. */
  messageText: 3000,
} as const;

/** A Slack message for one event: Block Kit, with a text for notifications. */
export interface SlackMessage {
  /** Notifications, screen readers and clients without blocks: the mentions, the emoji, the headline and why. */
  text: string;
  /** The headline (and who is mentioned), above the coloured bar. */
  blocks: KnownBlock[];
  /** One attachment: the severity's colour bar beside the facts, the context line and the button. */
  attachments: MessageAttachment[];
}

interface StatusStyle {
  emoji: string;
  words: string;
  color: string;
}

export const NEUTRAL_COLOR = '#808080';

/** Looked up by the webhook's status: a Map, so "toString" finds nothing. */
const STATUS_STYLES = new Map<string, StatusStyle>(Object.entries({
  Created: { emoji: ':new:', words: 'created', color: NEUTRAL_COLOR },
  AwaitingUser: { emoji: ':hourglass_flowing_sand:', words: 'awaiting the user', color: NEUTRAL_COLOR },
  AwaitingAutomation: { emoji: ':gear:', words: 'awaiting automation', color: NEUTRAL_COLOR },
  AwaitingReview: { emoji: ':eyes:', words: 'awaiting review', color: NEUTRAL_COLOR },
  InReview: { emoji: ':mag:', words: 'in review', color: NEUTRAL_COLOR },
  Completed: { emoji: ':white_check_mark:', words: 'completed', color: 'good' },
  Rejected: { emoji: ':x:', words: 'rejected', color: 'danger' },
  Canceled: { emoji: ':no_entry_sign:', words: 'canceled', color: NEUTRAL_COLOR },
  Failed: { emoji: ':rotating_light:', words: 'failed', color: 'danger' },
  Error: { emoji: ':boom:', words: 'ended in error', color: 'danger' },
} satisfies Record<string, StatusStyle>));

/** Emoji, words and colour for a status (the `/aver status` answer); unknown statuses get a neutral question mark. */
export function statusStyle(status: string): StatusStyle {
  return (
    STATUS_STYLES.get(status) ?? { emoji: ':grey_question:', words: `status ${status}`, color: NEUTRAL_COLOR }
  );
}

/**
 * Stand-ins for mrkdwn's markers. Slack has no escape for them, and zero-width characters count as word boundaries
 * in its parser, so inserting one does not stop `*b*` from being bold; a lookalike does, and reads the same.
 */
const MARKER_LOOKALIKES = new Map([['*', '\u2217'], ['_', '\u02cd'], ['~', '\u223c'], ['`', '\u02cb']]);
const ALNUM = /[A-Za-z0-9]/;

/**
 * Makes outside text (ids, references, reasons, names) render literally in mrkdwn: one line; `&`, `<`, `>` as
 * entities, so no string can mention or link; a marker (`*`, `_`, `~`, backtick) that could open or close formatting
 * (any not between two ASCII letters or digits: `cust_00482` is left alone) as a lookalike (∗ ˍ ∼ ˋ); a leading `>`
 * after a soft hyphen, so it starts no quote; and link-like words (inertLinks) with lookalike dots and slashes.
 */
export function escapeSlack(text: string): string {
  const literal = inertLinks(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(/[*_~`]/g, (m: string, i: number, s: string) => (ALNUM.test(s.charAt(i - 1)) && ALNUM.test(s.charAt(i + 1)) ? m : MARKER_LOOKALIKES.get(m)!));
  return entities(literal).replace(/^(\s*)&gt;/, '$1\u00ad&gt;');
}

/** For text inside a code span, where markers are literal already: the three entities, and backticks as lookalikes. */
export function escapeSlackCode(text: string): string {
  return entities(text).replace(/`/g, '\u02cb');
}

function entities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to at most `max` characters, ending with "…", without splitting
 * an HTML entity (`&amp;`) or a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, max);
  let cut = max - 1;
  const amp = text.lastIndexOf('&', cut);
  if (amp !== -1 && cut - amp < 6) {
    const semi = text.indexOf(';', amp);
    if (semi === -1 || semi >= cut) cut = amp;
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut) + '…';
}

/**
 * For a plain_text object (a header): Slack reads no mrkdwn there, so only the three entities and one line;
 * markers stay as written (an id `__proto__` reads as `__proto__`).
 */
export function fitPlain(raw: string, max: number): string {
  return truncate(entities(raw.replace(/[\r\n\u2028\u2029]+/g, ' ')), max);
}

/** Escapes a webhook- or Aver-derived string and fits it into `max` characters. */
export function fit(raw: string, max: number): string {
  return truncate(escapeSlack(raw), max);
}

/**
 * Slack's date token: each reader sees their own time zone. The fallback (notifications, some clients) is
 * `fallback` when given (messages pass the time in display.timeZone), else UTC.
 */
export function slackDate(ms: number, format = '{date_short_pretty} {time}', fallback?: string): string {
  const iso = new Date(ms).toISOString();
  const utc = format.includes('{date') ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : `${iso.slice(11, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback === undefined ? utc : escapeSlack(fallback).replace(/[|^]/g, ' ')}>`;
}

/** "Created 10:01 → InReview 10:05 → Completed 10:20", oldest dropped first to stay within `max`. */
export function historyLine(history: StatusChange[], max: number): string {
  const parts = history.map((h) => `${fit(h.status, 60)} ${slackDate(h.at, '{time}')}`);
  let line = parts.join(' → ');
  let dropped = 0;
  while (line.length > max && dropped < parts.length - 1) {
    dropped += 1;
    line = '… → ' + parts.slice(dropped).join(' → ');
  }
  return line.length > max ? parts[parts.length - 1].slice(0, max) : line;
}

/** Room for one fact's value, and for the words of one status in the history line. */
const FACT_ROOM = 1000;
const STATUS_ROOM = 60;

/**
 * Renders the message model as Block Kit: the headline as a header above the severity's colour bar; beside the
 * bar the facts (only those with a value), one small context line, the history (from a second status on) and
 * "Open in Aver". Pure; every webhook- and Aver-derived string is escaped; operator-written mentions are not.
 * `mentions: false` leaves the mentions out (an edit that replies in the thread, where the reply pings).
 */
export function formatSlackMessage(message: Message, options: { mentions?: boolean } = {}): SlackMessage {
  const mentions = options.mentions === false ? [] : message.mentions;
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: fitPlain(headlineLine(message), SLACK_LIMITS.headerText), emoji: true } };
  const blocks: KnownBlock[] = [header];
  if (mentions.length > 0) blocks.push(mrkdwnSection(`cc ${wholeMentions(mentions, SLACK_LIMITS.sectionText - 3)}`));

  const body: KnownBlock[] = [];
  if (message.facts.length > 0) body.push(mrkdwnSection(factsText(message)));
  body.push(contextBlock(contextLine(message)));
  if (message.history.length > 1) body.push(contextBlock(`*History:* ${historyText(message)}`));
  const state = checkStateText(message);
  if (state) body.push(contextBlock(state));
  const buttons = actionButtons(message);
  if (message.link || buttons.length > 0) {
    const open: ActionsBlock['elements'] = message.link
      ? [{ type: 'button', action_id: 'open_in_aver', text: { type: 'plain_text', text: 'Open in Aver' }, url: message.link }]
      : [];
    const actions: ActionsBlock = { type: 'actions', elements: [...buttons, ...open] };
    body.push(actions);
  }
  const line = fit(pushLine(message), SLACK_LIMITS.messageText);
  const attachment: MessageAttachment = { color: SEVERITY_LOOK[message.severity].color, fallback: line, blocks: body };
  return { text: truncate(mentionPrefix(mentions) + line, SLACK_LIMITS.messageText), blocks, attachments: [attachment] };
}

/**
 * The thread reply for a later status: one line (mentions, emoji, headline and why), no blocks. `broadcast`
 * also shows it in the channel (reply_broadcast), for the severities that need people.
 */
export function formatThreadReply(message: Message, options: { broadcast: boolean }): { text: string; reply_broadcast: boolean } {
  const text = truncate(mentionPrefix(message.mentions) + fit(pushLine(message), SLACK_LIMITS.messageText), SLACK_LIMITS.messageText);
  return { text, reply_broadcast: options.broadcast };
}

function mrkdwnSection(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function contextBlock(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.contextText) }] };
}

/** "*Reason:* Documents expired", one fact a line. */
function factsText(message: Message): string {
  const lines = message.facts.map((f) => `*${fit(f.title, 100)}:* ${fit(f.value, FACT_ROOM)}`);
  return truncate(lines.join('\n'), SLACK_LIMITS.sectionText);
}

/** "May 17th 11:30 · LiveCheck · event 01HX…": the time, the raw type, Aver's id unless the headline shows it whole, the event. */
function contextLine(message: Message): string {
  const parts = [slackDate(message.time.at, '{date_short_pretty} {time}', message.time.text)];
  parts.push(message.subject !== message.id ? `${fit(message.type.code, 100)} ${fit(message.id, 300)}` : fit(message.type.code, 100));
  parts.push(`event ${fit(message.eventId, 100)}`);
  if (message.undocumented.type) parts.push('type not documented by Aver');
  if (message.undocumented.status) parts.push(`status ${fit(message.status.code, 100)} not documented by Aver`);
  if (message.details === 'unavailable') parts.push('details unavailable from the Aver API');
  return parts.join(' · ');
}

/** "Created 09:00 → In review 09:10 → Completed 09:30", each time in the reader's own zone. */
function historyText(message: Message): string {
  const parts = message.history.map((h) => `${fit(sentence(h.status.words), STATUS_ROOM)} ${slackDate(h.time.at, '{time}', h.time.clock)}`);
  return (message.historyOmitted > 0 ? '… → ' : '') + parts.join(' → ');
}

/** The mentions, space-separated, as many whole ones as fit in `max`: half a `<!subteam^…>` would show as text. */
function wholeMentions(mentions: readonly string[], max: number): string {
  let joined = '';
  for (const m of mentions) {
    const next = joined ? `${joined} ${m}` : m;
    if (next.length > max) break;
    joined = next;
  }
  return joined;
}

/** The mentions before a text (at most a third of Slack's text), or nothing. */
function mentionPrefix(mentions: readonly string[]): string {
  const joined = wholeMentions(mentions, SLACK_LIMITS.messageText / 3);
  return joined ? `${joined} ` : '';
}
