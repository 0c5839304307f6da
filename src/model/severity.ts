/**
 * How much a message needs people, by the outcome it reports (the rule is src/present/severity.ts):
 * attention (red), action (amber), good (green), info (everything else).
 */
export const SEVERITIES = ['attention', 'action', 'good', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The severities whose thread replies reach the channel unless a receiver says otherwise (`broadcast:`). */
export const DEFAULT_BROADCAST: readonly Severity[] = ['attention', 'action'];
