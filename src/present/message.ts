import { DEFAULT_DISPLAY, type Config } from '../model/config.js';
import { groupName, type AverEvent, type EventDetails, type Labels } from '../model/event.js';
import type { DeliveryJob, StatusChange } from '../model/job.js';
import { createTimeFormat, type MessageTime, type TimeFormat } from './format-time.js';
import type { MessageActions, MessageCheckState } from './check-actions.js';
import { averLink } from './links.js';
import { SEVERITY_LOOK, severityOf, type Severity } from './severity.js';
import { canonicalWarning, HIT_WARNINGS, reasonWords, sentence, statusWords, typeWords, warningWords } from './words.js';

/** An Aver value with its plain words: `{ code: "AwaitingReview", words: "awaiting review" }`. */
export interface Worded {
  code: string;
  words: string;
}

/** One line under the headline: "Reason: Documents expired". Plain text; every renderer escapes it. */
export interface MessageFact {
  title: string;
  value: string;
}

/**
 * The channel-neutral message for one delivery: built once, rendered by every channel (Slack, Teams, webhook,
 * console). Every string is plain, unescaped text; renderers escape and fit it. A template layer may replace
 * `headline`, `text` and `facts` (withOverrides); the rest is what they are made from.
 */
export interface Message {
  severity: Severity;
  /** The severity's emoji: every channel shows it before the headline. */
  emoji: string;
  /** What happened and to whom, without the emoji: "Live check rejected: cust-00482 · EU onboarding". */
  headline: string;
  /** The push and preview line, without the emoji: the headline, then why ("— Documents expired"). */
  text: string;
  /** Reason, Warnings, Found (hits) and Name, only those with a value. */
  facts: MessageFact[];
  eventId: string;
  type: Worded;
  status: Worded;
  /** Type or status values Aver does not document. */
  undocumented: { type: boolean; status: boolean };
  /** Aver's id of the check or search. */
  id: string;
  /**
   * Who the message is about, as the headline names it: the customer's own reference when known, else the id
   * (a UUID by its first 8 characters: the context line carries it whole).
   */
  subject: string;
  /** The customer's reference (thirdPartyIdentifier), when Aver's API gave it. */
  reference?: string;
  /** The group's friendly name (`aver.groups`) when there is one; `shown` is that name, else the id. */
  group: { id: string; name?: string; shown: string };
  reason?: Worded;
  warnings: Worded[];
  /** Hit counts of a watchlist search, when Aver's API gave them. */
  hits: { watchlist?: number; adverseMedia?: number };
  /** The subject's name, only with aver.api.showPersonalData. */
  name?: string;
  checkTypes: string[];
  /** Whether Aver's API details came with the event ("none" without aver.api). */
  details: 'available' | 'unavailable' | 'none';
  /** When the bridge received the event. */
  time: MessageTime & { zone: string };
  /** The entity's latest statuses, oldest first (only for receivers that keep one message per check). */
  history: Array<{ status: Worded; time: MessageTime }>;
  /** Earlier statuses left out of `history` (it keeps the latest HISTORY_MAX). */
  historyOmitted: number;
  /** The "Open in Aver" URL, when `aver.links` has a template for the type. */
  link?: string;
  /** Operator-written mentions for this status, as configured (each channel reads its own form). */
  mentions: string[];
  /** Who acknowledged the check and who is assigned, on the messages of receivers with `actions:` (withCheckActions). */
  checkState?: MessageCheckState;
  /** The buttons beside "Open in Aver" (Acknowledge, Assign to me, Unassign) and the check they act on. */
  actions?: MessageActions;
}

/** What one delivery's message is built from. */
export interface MessageInput {
  event: AverEvent;
  labels: Labels;
  details?: EventDetails | null;
  /** The entity's statuses so far, oldest first, this event's included. */
  history: StatusChange[];
  /** `aver.groups`, `aver.links` and `display` (each optional: no names, no links, UTC). */
  config: { aver?: Partial<Pick<Config['aver'], 'groups' | 'links'>>; display?: Config['display'] };
  /** The receiver's mentions for this status. */
  mentions?: readonly string[];
}

/** Longest subject and group written into a headline: a headline stays one line. */
const HEADLINE_PART = 80;
export const HISTORY_MAX = 12;

/** Builds the message for one delivery: pure, from the event, labels, details, history and config. */
export function buildMessage(input: MessageInput): Message {
  const { event, details } = input;
  const found = findings(details);
  const severity = severityOf({ status: event.status, hits: found.anyHit, warnings: found.warnings.length > 0 });
  const format = createTimeFormat(input.config.display ?? DEFAULT_DISPLAY);
  const group = groupOf(event.groupId, input.labels, input.config.aver?.groups ?? {});
  const reference = details?.thirdPartyIdentifier || undefined;
  const subject = reference ?? shortId(event.id);
  const type = { code: event.type, words: typeWords(event.type) };
  const status = { code: event.status, words: statusWords(event.status) };
  const headline = `${sentence(`${type.words} ${statusPhrase(status.words, event.status, found)}`)}: ${clip(subject)} · ${clip(group.shown)}`;
  const facts = factsOf(found, details?.name);
  const why = found.reason?.words ?? hitsText(found.hits) ?? firstWarning(found.warnings);
  return {
    severity,
    emoji: SEVERITY_LOOK[severity].emoji,
    headline,
    text: why ? `${headline} — ${why}` : headline,
    facts,
    eventId: event.eventId,
    type,
    status,
    undocumented: { type: event.unknownType, status: event.unknownStatus },
    id: event.id,
    subject,
    ...(reference ? { reference } : {}),
    group,
    ...(found.reason ? { reason: found.reason } : {}),
    warnings: found.warnings,
    hits: found.hits,
    ...(details?.name ? { name: details.name } : {}),
    checkTypes: details?.checkTypes ?? [],
    details: !details ? 'none' : details.available ? 'available' : 'unavailable',
    time: { ...format.at(event.receivedAt), zone: format.timeZone },
    history: historyOf(input.history, format),
    historyOmitted: Math.max(0, input.history.length - HISTORY_MAX),
    ...linkOf(event, input.config.aver?.links),
    mentions: [...(input.mentions ?? [])],
  };
}

/** The message of one delivery: what every receiver renders, built once per attempt. */
export function messageFor(
  job: Pick<DeliveryJob, 'event' | 'labels' | 'details'>,
  history: StatusChange[],
  config: MessageInput['config'],
  mentions?: readonly string[],
): Message {
  return buildMessage({ event: job.event, labels: job.labels, details: job.details, history, config, mentions });
}

/** A receiver's mentions for a status (`mention:`, keyed by status): own keys only, so "constructor" has none. */
export function mentionsFor(byStatus: Readonly<Record<string, readonly string[]>> | undefined, status: string): readonly string[] {
  return byStatus && Object.hasOwn(byStatus, status) ? byStatus[status] : [];
}

/** The message with a template's parts in place of the built ones (each optional). */
export function withOverrides(message: Message, parts: { headline?: string; text?: string; facts?: MessageFact[] }): Message {
  return {
    ...message,
    ...(parts.headline !== undefined ? { headline: parts.headline } : {}),
    ...(parts.text !== undefined ? { text: parts.text } : {}),
    ...(parts.facts !== undefined ? { facts: parts.facts } : {}),
  };
}

/** The headline as every channel shows it first: "🔴 Live check rejected: cust-00482 · EU onboarding". */
export function headlineLine(message: Pick<Message, 'emoji' | 'headline'>): string {
  return `${message.emoji} ${message.headline}`;
}

/** The push and preview line as every channel sends it: the emoji, the headline and why. */
export function pushLine(message: Pick<Message, 'emoji' | 'text'>): string {
  return `${message.emoji} ${message.text}`;
}

interface Findings {
  reason?: Worded;
  warnings: Worded[];
  hits: { watchlist?: number; adverseMedia?: number };
  /** A watchlist or adverse-media hit: a count above zero, or a hit warning on a check. */
  anyHit: boolean;
  /** Hit counts known and both zero. */
  noHits: boolean;
}

function findings(details: EventDetails | null | undefined): Findings {
  if (!details?.available) return { warnings: [], hits: {}, anyHit: false, noHits: false };
  const warnings = (details.warnings ?? []).map((w) => ({ code: canonicalWarning(w), words: warningWords(w) })).filter((w) => w.code !== '');
  const hits = {
    ...(count(details.watchlistHits) !== undefined ? { watchlist: count(details.watchlistHits) } : {}),
    ...(count(details.adverseMediaHits) !== undefined ? { adverseMedia: count(details.adverseMediaHits) } : {}),
  };
  const counted = (hits.watchlist ?? 0) + (hits.adverseMedia ?? 0);
  const known = hits.watchlist !== undefined || hits.adverseMedia !== undefined;
  return {
    ...(details.statusReason ? { reason: { code: details.statusReason, words: reasonWords(details.statusReason) } } : {}),
    warnings,
    hits,
    anyHit: counted > 0 || warnings.some((w) => HIT_WARNINGS.has(w.code)),
    noHits: known && counted === 0,
  };
}

function count(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

/** "completed with hits", "completed with warnings", "completed, no hits", or the status's own words. */
function statusPhrase(words: string, status: string, found: Findings): string {
  if (status !== 'Completed') return words;
  if (found.anyHit) return `${words} with hits`;
  if (found.warnings.length > 0) return `${words} with warnings`;
  return found.noHits ? `${words}, no hits` : words;
}

function factsOf(found: Findings, name: string | undefined): MessageFact[] {
  const facts: MessageFact[] = [];
  if (found.reason) facts.push({ title: 'Reason', value: found.reason.words });
  if (found.warnings.length > 0) facts.push({ title: 'Warnings', value: found.warnings.map((w) => w.words).join(', ') });
  const hits = hitsText(found.hits);
  if (hits) facts.push({ title: 'Found', value: hits });
  if (name) facts.push({ title: 'Name', value: name });
  return facts;
}

/** "2 watchlist hits, 1 adverse-media hit"; undefined without a hit. */
function hitsText(hits: Findings['hits']): string | undefined {
  const parts: string[] = [];
  if (hits.watchlist) parts.push(`${hits.watchlist} watchlist hit${hits.watchlist === 1 ? '' : 's'}`);
  if (hits.adverseMedia) parts.push(`${hits.adverseMedia} adverse-media hit${hits.adverseMedia === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function firstWarning(warnings: Worded[]): string | undefined {
  if (warnings.length === 0) return undefined;
  return warnings.length === 1 ? warnings[0].words : `${warnings[0].words} (+${warnings.length - 1} more)`;
}

/** The group's friendly name from the `group` label or `aver.groups` (own keys only), else its id. */
function groupOf(groupId: string, labels: Labels, groups: Record<string, string>): Message['group'] {
  const fromLabel = Object.hasOwn(labels, 'group') ? labels.group : undefined;
  const fromConfig = groupName(groups, groupId);
  const name = [fromLabel, fromConfig].find((n): n is string => typeof n === 'string' && n.trim() !== '' && n !== groupId);
  return name ? { id: groupId, name, shown: name } : { id: groupId, shown: groupId };
}

function historyOf(history: StatusChange[], format: TimeFormat): Message['history'] {
  return history.slice(-HISTORY_MAX).map((h) => ({ status: { code: h.status, words: statusWords(h.status) }, time: format.at(h.at) }));
}

function linkOf(event: AverEvent, links: { check?: string; watchlist?: string } | undefined): { link?: string } {
  const link = averLink(event, links);
  return link ? { link } : {};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID by its first 8 characters ("51771bd7…"), as people quote them; any other id whole. */
function shortId(id: string): string {
  return UUID.test(id) ? `${id.slice(0, 8)}…` : id;
}

/** A headline part cut to HEADLINE_PART characters (whole code points), ending with "…". */
function clip(s: string): string {
  // At most HEADLINE_PART code units is at most that many code points: nothing to count.
  if (s.length <= HEADLINE_PART) return s;
  const chars = Array.from(s);
  return chars.length <= HEADLINE_PART ? s : chars.slice(0, HEADLINE_PART - 1).join('') + '…';
}
