import type { Logger } from 'pino';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
import type { DeliveryJob, MessageRef } from '../../model/job.js';
import { digestMessage, reminderLine } from '../../present/digest.js';
import { headlineLine, type Message } from '../../present/message.js';
import { compileMessageTemplate, renderMessageTemplate } from '../../present/message-template.js';
import { receiverMessage } from '../../present/receiver-message.js';
import { pacingFor } from '../pacing-for.js';
import type { DeliveryContext, PacingLimit, Receiver } from '../receiver.js';
import { formatEmailDigest } from './digest.js';
import { formatEmail, messageIdFor, type EmailContent } from './format.js';
import { smtpErrorToResult } from './smtp-failure.js';

/**
 * SMTP relays limit a mailbox to tens of messages a minute (Microsoft 365: 30), and a burst of mail reads as spam:
 * one every two seconds, five at once. Overridable per receiver with `pacing`.
 */
export const EMAIL_DEFAULT_PACING: PacingLimit = { ratePerSecond: 0.5, burst: 5 };

/** The channel of an e-mail message reference (MessageRef.channel). */
const EMAIL_CHANNEL = 'email';

/** One e-mail as the sender sends it. */
export interface OutgoingMail {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The check's first message, for threading (In-Reply-To and References). */
  inReplyTo?: string;
  headers: Record<string, string>;
}

/** What the server said to a message it took. */
export interface SentMail {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** Sends one e-mail, or throws what the SMTP client threw; never retries (the pipeline does). */
export interface MailSender {
  send(mail: OutgoingMail, signal: AbortSignal): Promise<SentMail>;
  /** Closes the connections it keeps (after a reload swapped it out, and at shutdown). */
  close(): void;
}

/** An e-mail receiver's settings (its `kind` is implied). */
export type EmailReceiverConfig = Omit<ReceiverConfigOf<'email'>, 'kind'>;

export interface EmailReceiverDeps {
  sender: MailSender;
  config: Pick<Config, 'aver' | 'display'> & Partial<Pick<Config, 'templates'>> & { smtp: Pick<NonNullable<Config['smtp']>, 'from' | 'url'> };
  logger: Logger;
}

/**
 * The e-mail receiver: one message per status, multipart HTML and plain text, built from the message model and
 * the receiver's template. A check's later statuses answer its first e-mail (In-Reply-To and References), so a mail
 * client shows one thread per check; the first e-mail's Message-ID is the check's message reference in the store.
 */
export function createEmailReceiver(rc: EmailReceiverConfig, deps: EmailReceiverDeps): Receiver {
  const what = `e-mail receiver "${rc.name}" (${deps.config.smtp.url})`;
  const subjectOf = subjectRenderer(rc, deps.logger);
  /**
   * The e-mail a job sends, and the part of its Message-ID that is its own: a group's digest (follow-ups of the
   * group answer its first digest), a reminder (answering the check's first e-mail), or the event's message.
   */
  const compose = (job: DeliveryJob, ctx: DeliveryContext): { content: EmailContent; part: string } => {
    if (job.kind === 'digest' && job.digest) return { content: formatEmailDigest(digestMessage(job.digest, deps.config, rc, ctx.logger)), part: `digest-${job.id}` };
    const message = receiverMessage(job, ctx, deps.config, rc);
    if (job.kind === 'reminder') {
      const line = reminderLine(headlineLine(message), job.event.status, job.reminder ?? 1, job.event.receivedAt, job.createdAt);
      return { content: formatEmail(message, { subject: line }), part: `${job.eventId}-r${job.reminder ?? 1}` };
    }
    return { content: formatEmail(message, { subject: subjectOf(message, job.labels) }), part: job.eventId };
  };
  return {
    name: rc.name,
    kind: 'email',
    usesHistory: true,
    pacing: pacingFor(EMAIL_DEFAULT_PACING, rc.pacing),
    // One bucket for every e-mail receiver: the relay limits the sending mailbox, not each list of recipients.
    destinationKey: () => 'email:smtp',
    async deliver(job, ctx) {
      // An acknowledgement or assignment (issue 16) cannot edit an e-mail already sent: nothing more is mailed.
      if (job.actionId !== undefined) return { ok: true, ...(ctx.previous ? { messageRef: ctx.previous } : {}) };
      if (job.kind === 'digest' && !job.digest) return { ok: false, retryable: false, failure: 'other', code: 'other', reason: 'the group of this digest is gone from the store' };
      const { content, part } = compose(job, ctx);
      const first = threadRoot(ctx);
      const messageId = messageIdFor(rc.name, job.entityKey, part, deps.config.smtp.from);
      try {
        const sent = await deps.sender.send({
          from: deps.config.smtp.from,
          to: rc.email.to,
          cc: rc.email.cc,
          bcc: rc.email.bcc,
          ...content,
          messageId,
          ...(first ? { inReplyTo: first.messageId } : {}),
          headers: { 'X-Aver-Bridge-Event-Id': job.eventId, 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        }, ctx.signal);
        if (sent.rejected.length > 0) {
          // Sent to the others: a retry would send it to them again.
          ctx.logger.warn({ receiver: rc.name, rejected: sent.rejected }, 'the SMTP server refused some recipients; sent to the others');
        }
        return { ok: true, messageRef: first ?? { channel: EMAIL_CHANNEL, messageId } };
      } catch (err) {
        return smtpErrorToResult(err, what);
      }
    },
  };
}

/** The check's first e-mail from this receiver, when the stored reference is one (a receiver renamed from Slack's is not). */
function threadRoot(ctx: DeliveryContext): MessageRef | undefined {
  const previous = ctx.previous;
  return previous && previous.channel === EMAIL_CHANNEL && /^<[^<>\s]+@[^<>\s]+>$/.test(previous.messageId) ? previous : undefined;
}

/**
 * The subject: the receiver's `subject` template rendered from the message's variables (those of message templates),
 * else the headline with its emoji. A template that fails to render gives the headline; that is logged once.
 */
function subjectRenderer(rc: EmailReceiverConfig, logger: Logger): (message: Message, labels: Record<string, string>) => string {
  const source = rc.email.subject;
  if (source === undefined) return (message) => headlineLine(message);
  // Checked when the config loaded: it compiles.
  const { template } = compileMessageTemplate({ headline: source });
  let warned = false;
  return (message, labels) => {
    try {
      return renderMessageTemplate(template, message, labels).headline;
    } catch (err) {
      if (!warned) {
        warned = true;
        logger.warn({ receiver: rc.name, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) }, 'e-mail subject template failed to render; sent the headline (logged once per receiver until the config is reloaded)');
      }
      return headlineLine(message);
    }
  };
}

