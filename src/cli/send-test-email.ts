import { pino } from 'pino';
import { newEventId } from '../aver/event-id.js';
import { configPath, loadConfig } from '../config/load.js';
import type { Labels } from '../model/event.js';
import { createEmailReceiver } from '../receivers/email/deliver.js';
import { createSmtpSender } from '../receivers/email/transport.js';
import { previewJob } from '../receivers/preview.js';
import { UsageError, type Io } from './command.js';

/**
 * `send-test --receiver NAME`: sends one sample message straight to an e-mail receiver, through `smtp:` as the
 * server would (its template, subject and threading headers included), without a running bridge or the store.
 * Prints the Message-ID, or the reason the delivery would be retried or dead-lettered; exits 0 when the server took it.
 */
export async function sendTestEmail(options: { config?: string; receiver: string }, given: Map<string, string>, io: Io): Promise<number> {
  const file = configPath(options.config);
  const config = loadConfig(file);
  const rc = config.receivers.find((r) => r.name === options.receiver);
  if (!rc) throw new UsageError(`${file} has no receiver named ${JSON.stringify(options.receiver)} (its receivers: ${config.receivers.map((r) => r.name).join(', ')})`);
  if (rc.kind !== 'email' || !config.smtp) {
    throw new UsageError(`send-test --receiver sends straight to e-mail receivers only; ${rc.name} is a ${rc.kind} receiver: post a sample event through a running bridge with --url`);
  }
  const now = Date.now();
  const labels: Labels = Object.fromEntries(given);
  if (!Object.hasOwn(labels, 'id')) labels.id = `test-${now}`;
  const sample = previewJob(rc.name, labels, now);
  // An event id of its own: a Message-ID used twice may be dropped as a duplicate by the mailbox.
  const eventId = newEventId(now);
  const job = { ...sample, eventId, event: { ...sample.event, eventId } };
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const sender = createSmtpSender(config.smtp, { timeoutMs: config.delivery.timeoutMs });
  const receiver = createEmailReceiver(rc, { sender, config: { ...config, smtp: config.smtp }, logger });
  const recipients = [...rc.email.to, ...rc.email.cc, ...rc.email.bcc].join(', ');
  try {
    const result = await receiver.deliver(job, {
      signal: AbortSignal.timeout(config.delivery.timeoutMs),
      previous: null,
      history: [{ status: job.event.status, at: now }],
      logger,
    });
    if (result.ok) {
      io.out(`sent ${job.event.type} ${job.event.id} (${job.event.status}) to ${recipients} through ${config.smtp.url}: ${result.messageRef?.messageId ?? ''}`);
      return 0;
    }
    io.err(`not sent (${result.code}; the bridge would ${result.retryable ? 'retry it' : 'move it to the dead letters'}): ${result.reason}`);
    return 1;
  } finally {
    sender.close();
  }
}
