import type { DeliveryResult } from '../receiver.js';

type Failed = Extract<DeliveryResult, { ok: false }>;

/** What nodemailer puts on the errors it throws (NodemailerError), as far as the decision needs it. */
interface SmtpError {
  name?: string;
  message?: string;
  code?: string;
  /** The SMTP command the server answered with an error (`RCPT TO`, `MAIL FROM`, `DATA`, `AUTH PLAIN`, …). */
  command?: string;
  /** The server's whole reply: "550 5.1.1 <x@example.com>: Recipient address rejected". */
  response?: string;
  responseCode?: number;
  /** Set with responseCode: true for a reply that would come again (5xx but 503). */
  permanent?: boolean;
}

/** Errors that end or never start a connection: the same message can go through later. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EREQUIRETLS', 'EPROTOCOL', 'EPROXY', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const REPLY_MAX = 300;

/**
 * Maps what the SMTP client threw onto the receiver contract. A 4xx reply (and 503, a command out of sequence) and
 * every connection failure are retryable; a 5xx reply (unknown recipient, sender refused, message refused) is a dead
 * letter, 535/530 (the login) an auth error, each with the server's reply quoted in the reason. No secret is in
 * any reason: `what` names the receiver and the smtp.url, which holds no credentials.
 */
export function smtpErrorToResult(err: unknown, what: string): Failed {
  const e = (err ?? {}) as SmtpError;
  if (e.name === 'AbortError' || e.code === 'EABORT') {
    return { ok: false, retryable: true, failure: 'timeout', code: 'timeout', reason: `${what}: the SMTP server did not take the message before the delivery timeout` };
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return fromReply(e, e.responseCode, what);
  const code = e.code ?? '';
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { ok: false, retryable: false, failure: 'authError', code: 'authError', reason: `${what}: could not log in to the SMTP server (${e.message ?? code}): check smtp.user and smtp.password` };
  }
  if (CONNECTION_CODES.has(code)) {
    const failure = code === 'ETIMEDOUT' ? 'timeout' : 'serverError';
    const tls = code === 'ETLS' || code === 'EREQUIRETLS' ? ': check that the server offers STARTTLS (smtp.requireTLS) and its certificate (smtp.tls)' : '';
    return { ok: false, retryable: true, failure, code: failure, reason: `could not reach the SMTP server of ${what} (${code}: ${oneLine(e.message ?? '')})${tls}` };
  }
  return { ok: false, retryable: false, failure: 'other', code: 'other', reason: `${what}: unexpected error: ${oneLine(e.message ?? String(err))}` };
}

/** A reply of 4xx or 5xx to one of the commands. */
function fromReply(e: SmtpError, status: number, what: string): Failed {
  const reply = oneLine(e.response ?? `${status}`);
  const code = `smtp_${status}`;
  const after = e.command ? ` to ${e.command.split(' ').slice(0, 2).join(' ')}` : '';
  const quoted = `${what}: the SMTP server answered${after} "${reply}"`;
  const transient = e.permanent === undefined ? status < 500 || status === 503 : !e.permanent;
  if (transient) {
    const throttled = /too many|rate|throttl|try again later/i.test(reply);
    return { ok: false, retryable: true, failure: throttled ? 'rateLimited' : 'serverError', code, reason: quoted };
  }
  if (status === 535 || status === 530 || /^AUTH/i.test(e.command ?? '')) {
    return { ok: false, retryable: false, failure: 'authError', code, reason: `${quoted}: check smtp.user and smtp.password` };
  }
  const hint = /^RCPT/i.test(e.command ?? '') ? ': check the receiver\'s addresses'
    : /^MAIL/i.test(e.command ?? '') ? ': check smtp.from (the server must let smtp.user send as it)'
      : '';
  return { ok: false, retryable: false, failure: 'clientError', code, reason: `${quoted}${hint}` };
}

function oneLine(text: string): string {
  const line = text.replace(/[\s\u0000-\u001f]+/g, ' ').trim();
  return line.length > REPLY_MAX ? `${line.slice(0, REPLY_MAX - 1)}…` : line;
}
