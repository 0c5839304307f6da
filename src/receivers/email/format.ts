import { createHash } from 'node:crypto';
import { headlineLine, pushLine, type Message } from '../../present/message.js';
import { SEVERITY_LOOK } from '../../present/severity.js';
import { sentence } from '../../present/words.js';
import { inertLinks } from '../inert-links.js';

/** One e-mail for one message: the subject, and the body as plain text and as HTML (the two parts of multipart/alternative). */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The longest subject written (whole code points; RFC 5322 lines are folded by the mailer). */
export const SUBJECT_MAX = 250;

/**
 * Renders the message model as an e-mail: the subject is the headline with its emoji (or `subject`, a rendered
 * subject template); the text part starts with the push line (the headline and why, as Slack's text), then the
 * facts, the history, one context line and "Open in Aver". The HTML part shows the same under the severity's colour.
 * Pure. Every outside string (ids, references, reasons, names, group names) is escaped in the HTML, so no value can
 * add markup, and its link-like words are made inert (inertLinks) in both parts, as in chat: only the "Open in Aver"
 * link, built from the config's template, is a link.
 */
export function formatEmail(message: Message, options: { subject?: string } = {}): EmailContent {
  const subject = oneLine(options.subject ?? headlineLine(message), SUBJECT_MAX);
  const push = inert(pushLine(message));
  const facts = message.facts.map((f) => ({ title: inert(f.title), value: inert(f.value) }));
  const history = message.history.length > 1 ? historyText(message) : undefined;
  const context = contextLine(message);
  const text = [
    push,
    '',
    ...facts.map((f) => `${f.title}: ${f.value}`),
    ...(facts.length > 0 ? [''] : []),
    ...(history ? [`History: ${history}`] : []),
    context,
    ...(message.link ? ['', `Open in Aver: ${message.link}`] : []),
  ].join('\n');
  return { subject, text: `${text}\n`, html: htmlOf(message, { subject, push, facts, history, context }) };
}

interface Parts {
  subject: string;
  push: string;
  facts: Array<{ title: string; value: string }>;
  history?: string;
  context: string;
}

const FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";
/** A small grey paragraph's style. */
export const SMALL = 'margin:0 0 6px;font-size:12px;color:#667085';

/** The HTML part of one message: the headline, the severity in words, the facts, the history, the context, the button. */
function htmlOf(message: Message, p: Parts): string {
  const look = SEVERITY_LOOK[message.severity];
  const rows = p.facts
    .map((f) => `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0;font-weight:600">${escapeHtml(f.title)}</th><td style="padding:2px 0">${escapeHtml(f.value)}</td></tr>`)
    .join('');
  return htmlPage({ subject: p.subject, preview: p.push, color: look.color, headline: inert(headlineLine(message)) }, [
    `<p style="${SMALL}">${escapeHtml(sentence(look.words))}</p>`,
    rows ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 10px">${rows}</table>` : '',
    p.history ? `<p style="${SMALL}"><b>History:</b> ${escapeHtml(p.history)}</p>` : '',
    `<p style="${SMALL}">${escapeHtml(p.context)}</p>`,
    message.link
      ? `<p style="margin:12px 0 0"><a href="${escapeHtml(message.link)}" style="display:inline-block;padding:8px 14px;border-radius:4px;background:#1d2939;color:#ffffff;text-decoration:none">Open in Aver</a></p>`
      : '',
  ]);
}

/**
 * An HTML part: inline styles only (mail clients drop style sheets), the severity's colour as a bar beside the
 * headline and `body` (markup the caller built, every value in it escaped). `preview` is the line inbox lists
 * show under the subject. The texts given here are escaped here.
 */
export function htmlPage(head: { subject: string; preview: string; color: string; headline: string }, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(inert(head.subject))}</title></head>`,
    `<body style="margin:0;padding:16px;${FONT};font-size:14px;color:#1d2939">`,
    `<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(head.preview)}</div>`,
    `<table role="presentation" cellpadding="0" cellspacing="0" style="max-width:640px;border-left:4px solid ${head.color}"><tr><td style="padding:4px 16px">`,
    `<h1 style="margin:0 0 4px;font-size:18px">${escapeHtml(head.headline)}</h1>`,
    ...body.filter(Boolean),
    '</td></tr></table>',
    '</body></html>',
  ].join('\n');
}

/** "17 May 2024, 09:30 UTC · LiveCheck chk-1 · event 01HX…": the time, the raw type, Aver's id unless the headline shows it whole, the event. */
function contextLine(message: Message): string {
  const parts = [message.time.text];
  parts.push(message.subject !== message.id ? `${message.type.code} ${message.id}` : message.type.code);
  parts.push(`event ${message.eventId}`);
  if (message.undocumented.type) parts.push('type not documented by Aver');
  if (message.undocumented.status) parts.push(`status ${message.status.code} not documented by Aver`);
  if (message.details === 'unavailable') parts.push('details unavailable from the Aver API');
  return inert(parts.join(' · '));
}

/** "Created 09:00 → In review 09:10 → Completed 09:30". */
function historyText(message: Message): string {
  const parts = message.history.map((h) => `${sentence(h.status.words)} ${h.time.clock}`);
  return inert((message.historyOmitted > 0 ? '… → ' : '') + parts.join(' → '));
}

/** Outside text on one line, its link-like words inert. */
export function inert(text: string): string {
  return inertLinks(text.replace(/[\r\n\u2028\u2029]+/g, ' '));
}

/** Text safe between tags and inside a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** One header line: control characters as spaces, trimmed, at most `max` code points (then "…"). */
export function oneLine(text: string, max: number): string {
  const line = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length <= max ? line : chars.slice(0, max - 1).join('') + '…';
}

/**
 * The Message-ID of one e-mail: `<aver.THREAD.EVENT@DOMAIN>`. THREAD is stable for one check and one receiver (a
 * hash: no id from outside reaches a header), EVENT is the event's (the same on every attempt of it, so a server
 * or client can drop a repeat), DOMAIN that of the From address.
 */
export function messageIdFor(receiver: string, entityKey: string, eventId: string, from: string): string {
  const thread = createHash('sha256').update(`${receiver}\n${entityKey}`).digest('hex').slice(0, 24);
  const event = /^[A-Za-z0-9_-]{1,64}$/.test(eventId) ? eventId : createHash('sha256').update(eventId).digest('hex').slice(0, 24);
  return `<aver.${thread}.${event}@${mailDomain(from)}>`;
}

/** The domain of an address (`Name <a@example.com>` or `a@example.com`), lower case; a placeholder when it is not plain ASCII. */
export function mailDomain(from: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  const domain = address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase();
  return /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(domain) ? domain : 'aver-bridge.invalid';
}
