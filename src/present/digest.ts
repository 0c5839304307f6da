import { groupName } from '../model/event.js';
import type { GroupDigest } from '../model/job.js';
import { receiverMessage, type ReceiverMessageConfig, type TemplateLogger } from './receiver-message.js';
import { SEVERITIES, SEVERITY_LOOK, severityOf, type Severity } from './severity.js';
import { sentence, statusWords, typeWords } from './words.js';

/** How many events a digest lists by name; the rest are "and N more". */
export const DIGEST_ITEMS = 10;

/** Statuses a digest lists first: the ones that need attention, then those that wait on people. */
export const DIGEST_FIRST: readonly string[] = ['Rejected', 'Failed', 'Error', 'AwaitingReview', 'AwaitingUser', 'InReview'];

/** One listed event: its single message's severity, headline and link. Plain text. */
export interface DigestItem {
  severity: Severity;
  emoji: string;
  headline: string;
  subject: string;
  link?: string;
}

/**
 * The channel-neutral digest of a group (or of deliveries held while muted): built from the same message model as
 * single messages, so items read as their own messages would, templates included. Plain text; renderers escape.
 */
export interface DigestMessage {
  severity: Severity;
  emoji: string;
  /** "EU onboarding · recurring watchlist search: 2,000 events", or "While you were away: 12 events for ops". */
  headline: string;
  /** What names the group: its friendly name or id, and the type when grouped by it. */
  title: string;
  total: number;
  byStatus: Array<{ status: string; words: string; count: number }>;
  bySeverity: Array<{ severity: Severity; emoji: string; words: string; count: number }>;
  items: DigestItem[];
  /** Events beyond the list. */
  more: number;
}

/** Builds the digest message for a receiver: counts by status and severity, the attention items first, bounded. */
export function digestMessage(
  d: GroupDigest,
  config: ReceiverMessageConfig,
  receiver: { name: string; template?: string },
  logger: TemplateLogger,
): DigestMessage {
  const byStatus = Object.entries(d.byStatus).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([status, count]) => ({ status, words: sentence(statusWords(status)), count }));
  const sev = new Map<Severity, number>();
  for (const s of byStatus) {
    const severity = severityOf({ status: s.status, hits: false, warnings: false });
    sev.set(severity, (sev.get(severity) ?? 0) + s.count);
  }
  // "1 needs attention", "3 need attention".
  const bySeverity = SEVERITIES.filter((s) => sev.has(s)).map((s) => {
    const count = sev.get(s)!;
    return { severity: s, emoji: SEVERITY_LOOK[s].emoji, words: count === 1 ? SEVERITY_LOOK[s].words : SEVERITY_LOOK[s].words.replace(/^needs /, 'need '), count };
  });
  const items = d.items.map(({ event, labels }): DigestItem => {
    const m = receiverMessage({ event, labels, details: null }, { history: [], logger }, config, receiver);
    return { severity: m.severity, emoji: m.emoji, headline: m.headline, subject: m.subject, ...(m.link ? { link: m.link } : {}) };
  });
  const severity = bySeverity[0]?.severity ?? 'info';
  const title = d.kind === 'held' ? 'While you were away' : groupTitle(d, config);
  const events = `${d.total.toLocaleString('en-US')} ${d.total === 1 ? 'event' : 'events'}`;
  return {
    severity, emoji: SEVERITY_LOOK[severity].emoji,
    headline: d.kind === 'held' ? `While you were away: ${events} for ${receiver.name}` : `${title}: ${events}`,
    title, total: d.total, byStatus, bySeverity, items, more: Math.max(0, d.total - items.length),
  };
}

/** The group's name: `group` or `groupId` (named by aver.groups), and the type's words when grouped by type. */
function groupTitle(d: GroupDigest, config: ReceiverMessageConfig): string {
  const l = d.labels;
  const named = l.group || (l.groupId !== undefined ? groupName(config.aver?.groups ?? {}, l.groupId) : '');
  const parts = [named, l.type ? typeWords(l.type) : ''].filter(Boolean);
  const others = Object.entries(l).filter(([k, v]) => !['group', 'groupId', 'type'].includes(k) && v !== '').map(([k, v]) => `${k}=${v}`);
  return parts.concat(others).join(' · ') || 'All events';
}

function rank(status: string): number {
  const i = DIGEST_FIRST.indexOf(status);
  return i < 0 ? DIGEST_FIRST.length : i;
}

/** "🔴 3 need attention · 🟠 10 need action · 🟢 1,987 good" */
export function severityLine(m: DigestMessage): string {
  return m.bySeverity.map((s) => `${s.emoji} ${s.count.toLocaleString('en-US')} ${s.words}`).join(' · ');
}

/** "Rejected 3 · Awaiting review 10 · Completed 1,987" */
export function statusLine(m: DigestMessage): string {
  return m.byStatus.map((s) => `${s.words} ${s.count.toLocaleString('en-US')}`).join(' · ');
}

/** The digest as plain text lines: headline, counts, the items, "and N more". */
export function digestLines(m: DigestMessage): string[] {
  return [
    `${m.emoji} ${m.headline}`,
    severityLine(m),
    statusLine(m),
    ...m.items.map((i) => `${i.emoji} ${i.headline}${i.link ? ` ${i.link}` : ''}`),
    ...(m.more > 0 ? [`and ${m.more.toLocaleString('en-US')} more`] : []),
  ];
}

/** A reminder's one line: "Reminder 1 of 2: still awaiting review after 4h: Live check … ". */
export function reminderLine(headline: string, status: string, number: number, since: number, now: number): string {
  const hours = Math.max(1, Math.round((now - since) / 3_600_000));
  const waited = now - since < 3_600_000 ? `${Math.max(1, Math.round((now - since) / 60_000))}m` : `${hours}h`;
  return `Reminder ${number}: still ${statusWords(status)} after ${waited} — ${headline}`;
}
