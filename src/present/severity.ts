import type { Severity } from '../model/severity.js';

export { SEVERITIES, DEFAULT_BROADCAST, type Severity } from '../model/severity.js';

/** What a severity is decided from: the status and what Aver found. */
export interface Outcome {
  status: string;
  /** Any watchlist or adverse-media hit (counts above zero, or a hit warning on a check). */
  hits: boolean;
  /** Any warning at all. */
  warnings: boolean;
}

const ATTENTION_STATUSES: ReadonlySet<string> = new Set(['Rejected', 'Failed', 'Error']);
const ACTION_STATUSES: ReadonlySet<string> = new Set(['AwaitingReview', 'AwaitingUser', 'InReview']);

/**
 * Severity by outcome, not by status: attention for Rejected, Failed, Error or any hit; action for a status that
 * waits on people (AwaitingReview, AwaitingUser, InReview) or a Completed with warnings; good for a clean
 * Completed; info for everything else, undocumented statuses included.
 */
export function severityOf(o: Outcome): Severity {
  if (ATTENTION_STATUSES.has(o.status) || o.hits) return 'attention';
  if (ACTION_STATUSES.has(o.status) || (o.status === 'Completed' && o.warnings)) return 'action';
  if (o.status === 'Completed') return 'good';
  return 'info';
}

/** One scale for every channel: the emoji in every headline and the colour of Slack's bar. */
export const SEVERITY_LOOK: Readonly<Record<Severity, { emoji: string; color: string; words: string }>> = {
  attention: { emoji: '🔴', color: '#D92D20', words: 'needs attention' },
  action: { emoji: '🟠', color: '#F5A524', words: 'needs action' },
  good: { emoji: '🟢', color: '#12B76A', words: 'good' },
  info: { emoji: '🔵', color: '#2E90FA', words: 'for information' },
};

/** Whether a thread reply of this severity goes to the whole channel (`broadcast:` of a receiver). */
export function broadcasts(broadcast: readonly Severity[], severity: Severity): boolean {
  return broadcast.includes(severity);
}
