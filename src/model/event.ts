/** The entity types Aver documents. Others are accepted and flagged. */
export const KNOWN_TYPES = ['LiveCheck', 'OfflineCheck', 'WatchlistSearch', 'RecurringWatchlistSearch'] as const;

/** Every status Aver documents for checks and watchlist searches, in their canonical spelling. */
export const KNOWN_STATUSES = [
  'Created', 'AwaitingUser', 'AwaitingAutomation', 'AwaitingReview', 'InReview',
  'Rejected', 'Completed', 'Canceled', 'Failed', 'Error',
] as const;

/** A webhook after validation and normalisation, as it is stored and routed. */
export interface AverEvent {
  /** Assigned by the bridge on receipt; sortable by time. */
  eventId: string;
  type: string;
  id: string;
  groupId: string;
  status: string;
  /** Milliseconds since the epoch at which the bridge acknowledged it. */
  receivedAt: number;
  /** True when `type` / `status` is not one Aver documents (still routed). */
  unknownType: boolean;
  unknownStatus: boolean;
  /** The `statusMessage` as received, extra fields included. */
  raw: Record<string, unknown>;
}

/** Details from Aver's REST API (aver.api enrichment); optional everywhere. */
export interface EventDetails {
  available: boolean;
  statusReason?: string;
  warnings?: string[];
  watchlistHits?: number;
  adverseMediaHits?: number;
  thirdPartyIdentifier?: string;
  checkTypes?: string[];
  /** Only when aver.api.showPersonalData is true: the subject's name. */
  name?: string;
}

/** Labels that routes match on. Enrichment (aver.api) adds more. */
export type Labels = Record<string, string>;

/** The key that identifies one Aver entity across its status changes. */
export function entityKey(event: Pick<AverEvent, 'type' | 'id'>): string {
  return `${event.type}:${event.id}`;
}

/** The labels of an event: type, status, groupId, group (friendly name or the id), id. */
export function labelsOf(event: Pick<AverEvent, 'type' | 'status' | 'groupId' | 'id'>, groups: Record<string, string>): Labels {
  return {
    type: event.type,
    status: event.status,
    groupId: event.groupId,
    group: groupName(groups, event.groupId),
    id: event.id,
  };
}

/** The friendly name `aver.groups` gives a group id, else the id: an own property only, so `__proto__` is just an id. */
export function groupName(groups: Readonly<Record<string, string>>, groupId: string): string {
  return Object.hasOwn(groups, groupId) ? groups[groupId] : groupId;
}
