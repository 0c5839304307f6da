import type { ActionsBlock, ContextBlock, HeaderBlock, KnownBlock, MessageAttachment, SectionBlock } from '@slack/types';
import { describeStatusReason, describeWarning } from '../../aver/enrich.js';
import type { AverEvent, Labels } from '../../model/event.js';
import type { EventDetails } from '../../model/event.js';
import type { StatusChange } from '../../model/job.js';

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

/** What a Slack message for one event is made of. */
export interface SlackMessageInput {
  event: AverEvent;
  labels: Labels;
  details?: EventDetails | null;
  /** The entity's statuses so far, oldest first, this event's included. */
  history: StatusChange[];
  /** Friendly name of the group (the id when none is configured). */
  groupName: string;
  /** URL templates (`aver.links`): `{id}`, `{groupId}`, `{type}` are replaced, URL-encoded. */
  links?: { check?: string; watchlist?: string };
  /** Operator-written mentions (`<!here>`, `<!subteam^S…>`): not escaped. */
  mention?: string[];
}

export interface SlackMessage {
  /** Fallback for notifications and screen readers; shown above the attachment. */
  text: string;
  /** One attachment: the colour bar, carrying the blocks. */
  attachments: MessageAttachment[];
}

interface StatusStyle {
  emoji: string;
  words: string;
  color: string;
}

export const NEUTRAL_COLOR = '#808080';

const STATUS_STYLES: Record<string, StatusStyle> = {
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
};

/** Emoji, words and colour for a status; unknown statuses get a neutral question mark. */
export function statusStyle(status: string): StatusStyle {
  return (
    STATUS_STYLES[status] ?? { emoji: ':grey_question:', words: `status ${status}`, color: NEUTRAL_COLOR }
  );
}

/** Escapes the three characters Slack treats as control characters, so no string can mention or link. */
export function escapeSlack(text: string): string {
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

/** Escapes a webhook- or Aver-derived string and fits it into `max` characters. */
export function fit(raw: string, max: number): string {
  return truncate(escapeSlack(raw), max);
}

/** Slack's date token: each reader sees their own time zone; the fallback is UTC. */
export function slackDate(ms: number, format = '{date_short_pretty} {time}'): string {
  const iso = new Date(ms).toISOString();
  const fallback = format.includes('{date') ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : `${iso.slice(11, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
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

const WATCHLIST_TYPES = new Set(['WatchlistSearch', 'RecurringWatchlistSearch']);

/** The "Open in Aver" URL, or undefined when no template applies or the result is too long. */
export function averLink(event: Pick<AverEvent, 'type' | 'id' | 'groupId'>, links: SlackMessageInput['links']): string | undefined {
  const template = WATCHLIST_TYPES.has(event.type) ? links?.watchlist ?? links?.check : links?.check;
  if (!template) return undefined;
  const url = template
    .replace(/\{id\}/g, encodeURIComponent(event.id))
    .replace(/\{groupId\}/g, encodeURIComponent(event.groupId))
    .replace(/\{type\}/g, encodeURIComponent(event.type));
  return url.length <= SLACK_LIMITS.buttonUrl ? url : undefined;
}

function groupText(groupName: string, groupId: string, max: number): string {
  if (!groupName || groupName === groupId) return fit(groupId, max);
  const half = Math.floor((max - 3) / 2);
  return `${fit(groupName, half)} (${fit(groupId, half)})`;
}

function detailsLines(details: EventDetails): string[] {
  const lines: string[] = [];
  if (details.name) lines.push(`*Name:* ${fit(details.name, 200)}`);
  if (details.statusReason) lines.push(`*Reason:* ${fit(describeStatusReason(details.statusReason), 300)}`);
  if (details.warnings && details.warnings.length > 0) {
    lines.push(`*Warnings:* ${fit(details.warnings.map(describeWarning).join(', '), 1000)}`);
  }
  const hits: string[] = [];
  if (details.watchlistHits !== undefined) hits.push(`*Watchlist hits:* ${details.watchlistHits}`);
  if (details.adverseMediaHits !== undefined) hits.push(`*Adverse media hits:* ${details.adverseMediaHits}`);
  if (hits.length > 0) lines.push(hits.join(' · '));
  if (details.checkTypes && details.checkTypes.length > 0) lines.push(`*Check types:* ${fit(details.checkTypes.join(', '), 500)}`);
  if (details.thirdPartyIdentifier) lines.push(`*Your reference:* ${fit(details.thirdPartyIdentifier, 300)}`);
  if (lines.length === 0) lines.push('No warnings reported.');
  return lines;
}

function mentionPrefix(mention: string[] | undefined): string {
  return mention && mention.length > 0 ? mention.join(' ') + ' ' : '';
}

/** Builds the Block Kit message for one event: pure, every webhook- and Aver-derived string escaped. */
export function formatSlackMessage(input: SlackMessageInput): SlackMessage {
  const { event, details, history } = input;
  const style = statusStyle(event.status);
  const statusWords = STATUS_STYLES[event.status] ? style.words : `status ${fit(event.status, 60)}`;
  const typeRoom = SLACK_LIMITS.headerText - style.emoji.length - statusWords.length - 2;
  const title = `${fit(event.type, typeRoom)} ${statusWords}`;

  const blocks: KnownBlock[] = [];
  const header: HeaderBlock = {
    type: 'header',
    text: { type: 'plain_text', text: truncate(`${style.emoji} ${title}`, SLACK_LIMITS.headerText), emoji: true },
  };
  blocks.push(header);

  const fieldRoom = SLACK_LIMITS.fieldText - 20;
  const fields: SectionBlock['fields'] = [
    { type: 'mrkdwn', text: `*Type*\n${fit(event.type, fieldRoom)}` },
    { type: 'mrkdwn', text: `*Status*\n${fit(event.status, fieldRoom)}` },
    { type: 'mrkdwn', text: `*ID*\n${fit(event.id, fieldRoom)}` },
    { type: 'mrkdwn', text: `*Group*\n${groupText(input.groupName, event.groupId, fieldRoom)}` },
    { type: 'mrkdwn', text: `*Received*\n${slackDate(event.receivedAt)}` },
  ];
  blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) });

  if (details && details.available) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(detailsLines(details).join('\n'), SLACK_LIMITS.sectionText) } });
  } else if (details && !details.available) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Details unavailable: the Aver API did not provide them.' }] });
  }

  if (history.length > 1) {
    const line = historyLine(history, SLACK_LIMITS.contextText - 20);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `*History:* ${line}` }] });
  }

  const notes = [`aver-bridge · event ${fit(event.eventId, 100)}`];
  if (event.unknownType) notes.push('type not documented by Aver');
  if (event.unknownStatus) notes.push('status not documented by Aver');
  const context: ContextBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: notes.join(' · ') }] };
  blocks.push(context);

  const url = averLink(event, input.links);
  if (url) {
    const actions: ActionsBlock = {
      type: 'actions',
      elements: [{ type: 'button', action_id: 'open_in_aver', text: { type: 'plain_text', text: 'Open in Aver' }, url }],
    };
    blocks.push(actions);
  }

  const summary = `${style.emoji} ${title}: ${fit(event.id, 500)} (${groupText(input.groupName, event.groupId, 500)})`;
  const text = truncate(mentionPrefix(input.mention) + summary, SLACK_LIMITS.messageText);
  const attachment: MessageAttachment = {
    color: style.color,
    fallback: truncate(summary, SLACK_LIMITS.messageText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
  return { text, attachments: [attachment] };
}

/** The short thread reply for a later status: "Status changed: InReview → Rejected", mentions first. */
export function formatThreadReply(input: { event: AverEvent; history: StatusChange[]; mention?: string[] }): { text: string } {
  const { event, history } = input;
  const style = statusStyle(event.status);
  const before = history.length > 1 ? history[history.length - 2].status : undefined;
  const change = before !== undefined && before !== event.status
    ? `Status changed: ${fit(before, 100)} → ${fit(event.status, 100)}`
    : `Status: ${fit(event.status, 100)}`;
  return { text: truncate(`${mentionPrefix(input.mention)}${style.emoji} ${change}`, SLACK_LIMITS.messageText) };
}
