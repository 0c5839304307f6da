import type { Activity, Attachment } from 'botbuilder';
import type { Config } from '../../model/config.js';
import type { DeliveryJob, MessageRef } from '../../model/job.js';
import { digestMessage, reminderLine, severityLine, statusLine, type DigestMessage } from '../../present/digest.js';
import { mentionsFor, type Message } from '../../present/message.js';
import { receiverMessage } from '../../present/receiver-message.js';
import { Aborted, untilAborted } from '../../until-aborted.js';
import type { DeliveryContext, DeliveryResult } from '../receiver.js';
import type { Target as TeamsTarget, TeamsConversation, TeamsReceiverConfig } from './deliver.js';
import { CONTAINER_STYLE, escapeTeamsText, formatTeamsReply, parseMention, type AdaptiveCardJson } from './format.js';
import { baseConversationId } from './resolve-channel.js';

const HEADLINE = 300;
const LINE = 600;
const ITEM = 200;

/** What a digest job whose group the store no longer has answers (it cannot be told from any one event). */
export const DIGEST_GONE: Extract<DeliveryResult, { ok: false }> = { ok: false, retryable: false, failure: 'other', code: 'other', reason: 'the group of this digest is gone from the store' };

/**
 * A digest as an Adaptive Card 1.5, in a container of its severity's style like a single message's card: the
 * headline (the group's name and how many events), the counts by severity and by status, the listed events (those
 * needing attention first), each its emoji and headline linking to Aver, then "and N more". Escaped as single cards
 * are; plain JSON, so the Workflows receiver renders it too.
 */
export function formatTeamsDigestCard(m: DigestMessage): AdaptiveCardJson {
  const small = (text: string) => ({ type: 'TextBlock', text, isSubtle: true, size: 'Small', wrap: true, spacing: 'Small' });
  const items: Record<string, unknown>[] = [
    { type: 'TextBlock', text: escapeTeamsText(`${m.emoji} ${m.headline}`, HEADLINE), weight: 'Bolder', size: 'Medium', wrap: true },
    small(escapeTeamsText(severityLine(m), LINE)),
    small(escapeTeamsText(statusLine(m), LINE)),
  ];
  m.items.forEach((i, n) => {
    const headline = escapeTeamsText(i.headline, ITEM);
    // A Markdown link: the URL is ours (aver.links, its parts URL-encoded); parentheses would end it early.
    const text = `${i.emoji} ${i.link ? `[${headline}](${i.link.replace(/\(/g, '%28').replace(/\)/g, '%29')})` : headline}`;
    items.push({ type: 'TextBlock', text, wrap: true, spacing: n === 0 ? 'Medium' : 'Small' });
  });
  if (m.more > 0) items.push(small(`and ${m.more.toLocaleString('en-US')} more`));
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: digestSummary(m),
    body: [{ type: 'Container', style: CONTAINER_STYLE[m.severity], bleed: true, items }],
    msteams: { width: 'Full' },
  };
}

/** The digest's headline as plain text (notifications, the activity summary, the card's fallback text). */
function digestSummary(m: DigestMessage): string {
  return `${m.emoji} ${m.headline}`.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/</g, '‹').replace(/>/g, '›').slice(0, LINE);
}

function digestActivity(m: DigestMessage): Partial<Activity> {
  const attachment: Attachment = { contentType: 'application/vnd.microsoft.card.adaptive', content: formatTeamsDigestCard(m) };
  return { type: 'message', attachments: [attachment], summary: digestSummary(m) };
}

/** Whether a stored message reference is in the channel (or chat) the receiver posts to now. */
function inConversation(prev: MessageRef, t: TeamsTarget): boolean {
  return baseConversationId(prev.channel) === baseConversationId(t.channelId);
}

/**
 * A group's digest: posted as a new thread the first time, then updated in place (an activity update) as the group's
 * window takes more events; a digest deleted in Teams (404), or one in another channel, is posted anew.
 */
export async function deliverTeamsDigest(
  conversation: TeamsConversation, t: TeamsTarget, job: DeliveryJob, ctx: DeliveryContext, rc: TeamsReceiverConfig, config: Config,
): Promise<DeliveryResult> {
  if (!job.digest) return DIGEST_GONE;
  const activity = digestActivity(digestMessage(job.digest, config, rc, ctx.logger));
  const prev = ctx.previous;
  if (prev && inConversation(prev, t)) {
    try {
      await untilAborted(conversation.update(t, prev, activity), ctx.signal);
      return { ok: true, messageRef: prev };
    } catch (err) {
      if (err instanceof Aborted || (err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
  const messageRef = await untilAborted(conversation.postThread(t, activity), ctx.signal);
  return messageRef ? { ok: true, messageRef } : { ok: true };
}

/** The reminder's message: the check's, its text the reminder line ("Reminder 1: still awaiting review after 4h — …"). */
export function reminderMessage(message: Message, job: Pick<DeliveryJob, 'event' | 'reminder' | 'createdAt'>): Message {
  const line = reminderLine(message.headline, job.event.status, job.reminder ?? 1, job.event.receivedAt, job.createdAt);
  return { ...message, headline: line, text: line };
}

/**
 * A reminder: one short reply in the check's thread (as replies for later statuses are) with the receiver's mentions
 * for the status; a new message when the check has no card in this channel (it went out in a digest). The reply is
 * never the check's message reference: later statuses still update the check's card.
 */
export async function deliverTeamsReminder(
  conversation: TeamsConversation, t: TeamsTarget, job: DeliveryJob, ctx: DeliveryContext, rc: TeamsReceiverConfig, config: Config,
): Promise<DeliveryResult> {
  const mentions = mentionsFor(rc.teams.mention, job.event.status);
  const message = reminderMessage(receiverMessage(job, ctx, config, rc, mentions), job);
  const reply = formatTeamsReply(message, mentions.map(parseMention)) as Partial<Activity>;
  const prev = ctx.previous;
  if (prev && inConversation(prev, t)) {
    await untilAborted(conversation.reply(t, prev, reply), ctx.signal);
    return { ok: true, messageRef: prev };
  }
  await untilAborted(conversation.postThread(t, reply), ctx.signal);
  return { ok: true };
}
