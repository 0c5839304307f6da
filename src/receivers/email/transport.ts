import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../../model/config.js';
import type { MailSender } from './deliver.js';

/** How long a pooled connection may sit idle before it is closed: shorter than most servers wait, so none is cut mid-send. */
const IDLE_MS = 30_000;

/**
 * The one SMTP client of a configuration: a nodemailer pool (`smtp.pool`) on `smtp.url`, with STARTTLS required
 * unless `smtp.requireTLS: false`, certificates checked unless `smtp.tls.rejectUnauthorized: false`, and no retries
 * of its own (a message whose connection closes fails, and the pipeline retries it). No file or URL is read into
 * a message. Each wait is bounded by `delivery.timeout`; the delivery's signal ends the send in any case.
 */
export function createSmtpSender(smtp: SmtpConfig, options: { timeoutMs: number }): MailSender {
  const transport = createTransport({
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireTLS,
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    tls: { rejectUnauthorized: smtp.tls.rejectUnauthorized, ...(smtp.tls.ca !== undefined ? { ca: smtp.tls.ca } : {}) },
    maxConnections: smtp.pool.maxConnections,
    maxMessages: smtp.pool.maxMessages,
    maxRequeues: 0,
    idleTimeout: IDLE_MS,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: Math.max(options.timeoutMs, IDLE_MS),
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  return {
    async send(mail, signal) {
      const info = await transport.sendMail({
        from: mail.from,
        to: mail.to,
        cc: mail.cc,
        bcc: mail.bcc,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: mail.inReplyTo } : {}),
        headers: mail.headers,
        signal,
      });
      return { accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: info.response };
    },
    close: () => transport.close(),
  };
}
