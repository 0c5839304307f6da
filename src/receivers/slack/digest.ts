import type { WebClient } from '@slack/web-api';
import type { Config } from '../../model/config.js';
import type { DeliveryJob } from '../../model/job.js';
import { digestMessage, reminderLine, severityLine, statusLine, type DigestMessage } from '../../present/digest.js';
import { mentionsFor } from '../../present/message.js';
import { receiverMessage } from '../../present/receiver-message.js';
import type { DeliveryContext, DeliveryResult } from '../receiver.js';
import { Aborted, untilAborted } from '../../until-aborted.js';
import { fit, fitPlain, SLACK_LIMITS, truncate } from './format.js';
import type { SlackReceiverConfig } from './deliver.js';

/** A digest as Block Kit: the headline, the counts, the listed events with links, then "and N more". */
export function formatSlackDigest(m: DigestMessage): { text: string; blocks: Array<Record<string, unknown>> } {
  const items = m.items.map((i) => `${i.emoji} ${i.link ? `<${i.link}|${fit(i.headline, 200)}>` : fit(i.headline, 200)}`);
  if (m.more > 0) items.push(`_and ${m.more.toLocaleString('en-US')} more_`);
  const text = fit(`${m.emoji} ${m.headline}`, SLACK_LIMITS.messageText);
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: fitPlain(`${m.emoji} ${m.headline}`, 150), emoji: true } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`${severityLine(m)}\n${fit(statusLine(m), 1500)}`, SLACK_LIMITS.contextText) }] },
      ...(items.length > 0 ? [{ type: 'section', text: { type: 'mrkdwn', text: truncate(items.join('\n'), SLACK_LIMITS.sectionText) } }] : []),
    ],
  };
}

/**
 * A group's digest: posted the first time, then edited in place (chat.update) as the group's window takes more
 * events; a digest deleted in Slack, or in another channel, is posted anew.
 */
export async function deliverSlackDigest(
  client: WebClient, channel: string, job: DeliveryJob, ctx: DeliveryContext, rc: SlackReceiverConfig, config: Config,
): Promise<DeliveryResult> {
  if (!job.digest) return { ok: false, retryable: false, failure: 'other', code: 'other', reason: 'the group of this digest is gone from the store' };
  const m = formatSlackDigest(digestMessage(job.digest, config, rc, ctx.logger));
  const previous = ctx.previous;
  if (previous && previous.channel === channel) {
    try {
      await untilAborted(client.chat.update({ channel, ts: previous.messageId, text: m.text, blocks: m.blocks as never }), ctx.signal);
      return { ok: true, messageRef: previous };
    } catch (err) {
      if (err instanceof Aborted || (err as { data?: { error?: string } }).data?.error !== 'message_not_found') throw err;
    }
  }
  const r = await untilAborted(client.chat.postMessage({ channel, text: m.text, blocks: m.blocks as never, unfurl_links: false, unfurl_media: false }), ctx.signal);
  return { ok: true, messageRef: { channel: r.channel ?? channel, messageId: String(r.ts) } };
}

/**
 * A reminder: a reply in the check's thread, also shown in the channel (reply_broadcast), with the receiver's
 * mentions for the status; a new message when the check has none in this channel (it went out in a digest).
 */
export async function deliverSlackReminder(
  client: WebClient, channel: string, job: DeliveryJob, ctx: DeliveryContext, rc: SlackReceiverConfig, config: Config,
): Promise<DeliveryResult> {
  const mentions = mentionsFor(rc.slack.mention, job.event.status);
  const message = receiverMessage(job, ctx, config, rc, mentions);
  const line = reminderLine(`${message.emoji} ${message.headline}`, job.event.status, job.reminder ?? 1, job.event.receivedAt, job.createdAt);
  const text = truncate(`${mentions.length > 0 ? `${mentions.join(' ')} ` : ''}${fit(line, SLACK_LIMITS.messageText - 500)}`, SLACK_LIMITS.messageText);
  const previous = ctx.previous;
  if (previous && previous.channel === channel) {
    await untilAborted(client.chat.postMessage({ channel, thread_ts: previous.messageId, text, reply_broadcast: true }), ctx.signal);
    return { ok: true, messageRef: previous };
  }
  await untilAborted(client.chat.postMessage({ channel, text, unfurl_links: false, unfurl_media: false }), ctx.signal);
  return { ok: true };
}
