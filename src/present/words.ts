/**
 * The one word table: Aver's types, statuses, warnings and status reasons in plain words, for every channel.
 * Lookups are Maps (a value such as "constructor" or "__proto__" is a word like any other, never a property);
 * a value Aver does not document is split into words the same way everywhere ("AwaitingManualStep" →
 * "awaiting manual step").
 */

const TYPES = new Map<string, string>([
  ['LiveCheck', 'Live check'],
  ['OfflineCheck', 'Offline check'],
  ['WatchlistSearch', 'Watchlist search'],
  ['RecurringWatchlistSearch', 'Recurring watchlist search'],
]);

/** Statuses as they read after the type: "Live check awaiting review". */
const STATUSES = new Map<string, string>([
  ['Created', 'created'],
  ['AwaitingUser', 'awaiting the user'],
  ['AwaitingAutomation', 'awaiting automation'],
  ['AwaitingReview', 'awaiting review'],
  ['InReview', 'in review'],
  ['Completed', 'completed'],
  ['Rejected', 'rejected'],
  ['Canceled', 'canceled'],
  ['Failed', 'failed'],
  ['Error', 'ended in error'],
]);

/** Every warning Aver documents, in canonical spelling. */
const WARNINGS = new Map<string, string>([
  ['Age', 'Age outside the range the group allows'],
  ['Country', 'Country not allowed by the group'],
  ['State', 'State or province not allowed by the group'],
  ['IPVpnTor', 'IP address is a VPN or Tor exit'],
  ['Address', 'Address could not be verified'],
  ['EmailAddress', 'Email address looks invalid or risky'],
  ['WatchlistHitsFound', 'Watchlist hits found'],
  ['AdverseMediaFound', 'Adverse media found'],
  ['SameEmailFound', 'Same email address used in another check'],
  ['SameIdDocumentFound', 'Same ID document used in another check'],
  ['SameNameFound', 'Same name used in another check'],
  ['PhoneInvalid', 'Phone number is invalid'],
  ['PhonePrepaidOrVoip', 'Phone number is prepaid or VoIP'],
]);

/** Every status reason Aver documents (UnderageApplicant is the older spelling of an age rejection). */
const STATUS_REASONS = new Map<string, string>([
  ['MissingDocuments', 'Documents missing'],
  ['UnreadableDocumentsOrMissingVerificationInformation', 'Documents unreadable or verification information missing'],
  ['ExpiredDocuments', 'Documents expired'],
  ['SuspiciousDocumentsOrImages', 'Suspicious documents or images'],
  ['FacialVerificationFailed', 'Facial verification failed'],
  ['UnderageApplicant', 'Applicant is under age'],
]);

/** The warnings that report a watchlist or adverse-media hit on a check. */
export const HIT_WARNINGS: ReadonlySet<string> = new Set(['WatchlistHitsFound', 'AdverseMediaFound']);

export const KNOWN_WARNINGS = [...WARNINGS.keys()];
export const KNOWN_STATUS_REASONS = [...STATUS_REASONS.keys()];

const WARNING_BY_LOWER = byLowerCase(KNOWN_WARNINGS);
const REASON_BY_LOWER = byLowerCase(KNOWN_STATUS_REASONS);

/**
 * An undocumented value in lower-case words, acronyms kept: "AwaitingManualStep" → "awaiting manual step",
 * "IPCheck" → "IP check", "some_value" → "some value".
 */
export function splitWords(value: string): string {
  const spaced = value
    .replace(/[_\s-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim();
  if (!spaced) return value.trim();
  return spaced
    .split(' ')
    .map((w) => (w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w) ? w : w.toLowerCase()))
    .join(' ');
}

/** The first letter upper-cased: words that start a line. */
export function sentence(words: string): string {
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : words;
}

/** An entity type in words: "Live check"; undocumented ones split ("FaceMatch" → "Face match"). */
export function typeWords(type: string): string {
  return TYPES.get(type) ?? sentence(splitWords(type));
}

/** A status as it reads after the type, lower case: "awaiting review"; undocumented ones split. */
export function statusWords(status: string): string {
  return STATUSES.get(status) ?? splitWords(status);
}

/** Canonical spelling of a warning ("watchlisthitsfound" → "WatchlistHitsFound"); unknown ones come back trimmed. */
export function canonicalWarning(w: string): string {
  const s = w.trim();
  return WARNING_BY_LOWER.get(s.toLowerCase()) ?? s;
}

/** Canonical spelling of a status reason; unknown ones come back trimmed. */
export function canonicalStatusReason(r: string): string {
  const s = r.trim();
  return REASON_BY_LOWER.get(s.toLowerCase()) ?? s;
}

/** A warning in plain words ("IPVpnTor" → "IP address is a VPN or Tor exit"), whatever its case; unknown ones split. */
export function warningWords(w: string): string {
  const c = canonicalWarning(w);
  return WARNINGS.get(c) ?? sentence(splitWords(c));
}

/** A status reason in plain words ("ExpiredDocuments" → "Documents expired"), whatever its case; unknown ones split. */
export function reasonWords(r: string): string {
  const c = canonicalStatusReason(r);
  return STATUS_REASONS.get(c) ?? sentence(splitWords(c));
}

function byLowerCase(names: string[]): Map<string, string> {
  return new Map(names.map((n) => [n.toLowerCase(), n]));
}
