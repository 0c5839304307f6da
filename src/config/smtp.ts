import { readFileSync } from 'node:fs';
import type { EmailReceiverConfig, SmtpConfig } from '../model/config.js';
import { compileMessageTemplate, TEMPLATE_VARIABLE_NAMES } from '../present/message-template.js';
import type { ConfigReader, Segments } from './reader.js';

/** `smtp:` as the schema lets it through. */
export interface RawSmtp {
  url: string;
  requireTLS?: boolean;
  user?: string;
  password?: string;
  passwordFile?: string;
  from: string;
  tls?: { caFile?: string; rejectUnauthorized?: boolean };
  pool?: { maxConnections?: number; maxMessages?: number };
}

/** A receiver's `email:` as the schema lets it through. */
export interface RawEmail {
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
}

/** smtp.pool when unset: a few connections (deliveries are paced anyway), each replaced after 100 messages. */
export const DEFAULT_SMTP_POOL = { maxConnections: 3, maxMessages: 100 } as const;
const DEFAULT_PORTS = { 'smtp:': 587, 'smtps:': 465 } as const;

/** `smtp:` read and checked (URL, addresses, credentials in pairs, the CA file); undefined when the file has none. */
export function readSmtp(raw: RawSmtp | undefined, reader: ConfigReader): SmtpConfig | undefined {
  if (!raw) return undefined;
  const where = readSmtpUrl(raw.url, reader);
  const password = reader.secret(raw as unknown as Record<string, unknown>, 'password', ['smtp']);
  if ((raw.user === undefined) !== (password === undefined)) {
    reader.problems.push({
      ...reader.at(['smtp']),
      path: raw.user === undefined ? 'smtp.user' : 'smtp.password',
      message: raw.user === undefined ? 'smtp.password is set but smtp.user is not' : 'smtp.user is set but smtp.password (or passwordFile) is not',
      hint: 'set both to log in (AUTH), or neither for a relay that takes mail without it',
    });
  }
  checkAddress(raw.from, ['smtp', 'from'], reader);
  const caFile = raw.tls?.caFile;
  const ca = caFile === undefined ? undefined : readCaFile(caFile, reader);
  return {
    url: raw.url,
    ...where,
    requireTLS: raw.requireTLS ?? true,
    ...(raw.user !== undefined ? { user: raw.user } : {}),
    ...(password !== undefined ? { password } : {}),
    from: raw.from.trim(),
    tls: { ...(ca !== undefined ? { ca } : {}), ...(caFile !== undefined ? { caFile } : {}), rejectUnauthorized: raw.tls?.rejectUnauthorized ?? true },
    pool: {
      maxConnections: raw.pool?.maxConnections ?? DEFAULT_SMTP_POOL.maxConnections,
      maxMessages: raw.pool?.maxMessages ?? DEFAULT_SMTP_POOL.maxMessages,
    },
  };
}

/** Host, port and whether TLS starts at once, from `smtp://host[:port]` or `smtps://host[:port]`. */
function readSmtpUrl(url: string, reader: ConfigReader): Pick<SmtpConfig, 'host' | 'port' | 'secure'> {
  const problem = (message: string, hint: string) => reader.problems.push({ ...reader.at(['smtp', 'url']), message, hint });
  const form = 'write smtp://host:587 (STARTTLS) or smtps://host:465 (TLS from the start)';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    problem('smtp.url is not a URL', form);
    return { host: '', port: 0, secure: false };
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    problem(`smtp.url must start with smtp:// or smtps://, not ${u.protocol}//`, form);
    return { host: '', port: 0, secure: false };
  }
  if (u.username || u.password) problem('smtp.url holds credentials', 'move them to smtp.user and smtp.password (or passwordFile): the URL is shown on the admin page and in logs');
  else if ((u.pathname !== '' && u.pathname !== '/') || u.search || u.hash) problem('smtp.url has a path or query the bridge would ignore', form);
  if (!u.hostname) problem('smtp.url names no host', form);
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, secure: u.protocol === 'smtps:' };
}

function readCaFile(path: string, reader: ConfigReader): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    reader.problems.push({ ...reader.at(['smtp', 'tls', 'caFile']), message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, hint: 'mount the CA certificate (PEM) there, or remove tls.caFile to trust the system CAs' });
    return undefined;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    reader.problems.push({ ...reader.at(['smtp', 'tls', 'caFile']), message: `${path} holds no PEM certificate`, hint: 'point tls.caFile at the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)' });
    return undefined;
  }
  return pem;
}

/** A receiver's `email:`: at least one recipient, every address well-formed, the subject template compiled. */
export function readEmailTarget(raw: RawEmail, segs: Segments, context: { receiver: string; smtp: boolean }, reader: ConfigReader): EmailReceiverConfig['email'] {
  const { problems, at } = reader;
  if (!context.smtp) {
    problems.push({ ...at(segs), message: `receiver "${context.receiver}" sends e-mail but there is no top-level smtp section`, hint: 'add smtp.url and smtp.from (see docs/email.md)' });
  }
  const lists = { to: raw.to ?? [], cc: raw.cc ?? [], bcc: raw.bcc ?? [] };
  for (const key of ['to', 'cc', 'bcc'] as const) lists[key].forEach((a, i) => checkAddress(a, [...segs, key, i], reader));
  if (lists.to.length + lists.cc.length + lists.bcc.length === 0) {
    problems.push({ ...at(segs), message: `receiver "${context.receiver}" has no recipient`, hint: 'list at least one address under email.to (or cc, bcc)' });
  }
  if (raw.subject !== undefined) checkSubject(raw.subject, [...segs, 'subject'], reader);
  return {
    to: lists.to.map((a) => a.trim()),
    cc: lists.cc.map((a) => a.trim()),
    bcc: lists.bcc.map((a) => a.trim()),
    ...(raw.subject !== undefined ? { subject: raw.subject } : {}),
  };
}

/** The subject is one Liquid part with the message templates' variables: each syntax error or unknown name a problem. */
function checkSubject(subject: string, segs: Segments, reader: ConfigReader): void {
  for (const p of compileMessageTemplate({ headline: subject }).problems) {
    const within = p.line !== undefined ? ` (template line ${p.line}${p.column !== undefined ? `, column ${p.column}` : ''})` : '';
    reader.problems.push({
      ...reader.at(segs),
      message: `subject: ${p.message}${within}`,
      hint: `${p.unknownVariable === undefined ? 'fix the Liquid syntax; ' : ''}the variables are: ${TEMPLATE_VARIABLE_NAMES.join(', ')} (see "Message templates" in docs/messages.md)`,
    });
  }
}

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** An address as written in the config: `name@example.com`, or `Display Name <name@example.com>`; undefined when neither. */
export function parseAddress(text: string): { name?: string; address: string } | undefined {
  const trimmed = text.trim();
  // No control characters anywhere: a line break in an address would start a header of its own.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  const angle = /^([^<>]*)<([^<>]+)>$/.exec(trimmed);
  const address = (angle ? angle[2] : trimmed).trim();
  const name = angle ? angle[1].trim().replace(/^"(.*)"$/, '$1').trim() : '';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at > 64 || address.length > 254) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!LOCAL_PART.test(local) || !domain.split('.').every((label) => DOMAIN_LABEL.test(label))) return undefined;
  return { ...(name ? { name } : {}), address };
}

function checkAddress(text: string, segs: Segments, reader: ConfigReader): void {
  if (parseAddress(text)) return;
  reader.problems.push({ ...reader.at(segs), message: `"${text}" is not an e-mail address`, hint: 'write name@example.com, or Display Name <name@example.com>' });
}
