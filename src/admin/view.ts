import type { Config } from '../model/config.js';
import type { Metrics } from '../metrics.js';
import type { RoutingState } from '../pipeline/route-events.js';
import type { Store, StoredEvent } from '../store/store.js';
import type { HeldDelivery } from '../store/timers.js';
import type { JobRecord } from '../model/job.js';
import type { CheckActionRecord } from '../model/check-state.js';
import { entityKey } from '../model/event.js';
import { summariseConfig, type ConfigSummary } from './config-summary.js';
import type { ReceiverPreview, RouteTestResult } from './route-test.js';

/** One delivery of an event, as the page and the JSON API show it. */
export interface DeliveryView {
  jobId: number;
  receiver: string;
  state: JobRecord['state'];
  attempts: number;
  lastReason: string | null;
  nextAttemptAt: number;
  updatedAt: number;
}

export interface EventView {
  stored: StoredEvent;
  deliveries: DeliveryView[];
  /** The acknowledgements and assignments made while this was the check's latest status (the audit trail). */
  actions: CheckActionRecord[];
}

/** Everything the admin page renders, read in one go. */
export interface AdminView {
  now: number;
  events: EventView[];
  deadLetters: JobRecord[];
  /** Deliveries held by a muted time interval (store/timers.ts); absent when the store was not asked. */
  held?: HeldDelivery[];
  queue: Array<{ receiver: string; pending: number; oldestCreatedAt: number | null; dead: number }>;
  config: ConfigSummary;
  storeKind: string;
  /** Configured group ids, offered in the route tester. */
  groupIds: string[];
  reload: { successful: boolean; at: number | null };
  csrf: string;
  notice?: string;
  error?: string;
  /** The search box's text (a check id, event id or customer reference): `events` are its matches. */
  search?: string;
  /** `?refresh=N`: the page reloads itself every N seconds (a meta refresh; the page runs no script). */
  refreshSeconds?: number;
  /** The route tester's form, its result, and what each receiver reached would post (as `aver-bridge preview`). */
  tester?: { input: Record<string, string>; result?: RouteTestResult; bad: string[]; previews?: ReceiverPreview[] };
}

export const EVENT_LIMIT = 50;
export const DEAD_LETTER_LIMIT = 100;

export function deliveryView(j: JobRecord): DeliveryView {
  return { jobId: j.id, receiver: j.receiver, state: j.state, attempts: j.attempts, lastReason: j.lastReason, nextAttemptAt: j.nextAttemptAt, updatedAt: j.updatedAt };
}

/** The most recent events, each with the deliveries it was routed to. */
export async function recentEventViews(store: Store, limit: number): Promise<EventView[]> {
  return withDeliveries(store, await store.recentEvents(limit));
}

async function withDeliveries(store: Store, events: StoredEvent[]): Promise<EventView[]> {
  const checks = [...new Set(events.map((e) => entityKey(e.event)))];
  const [jobs, actions] = await Promise.all([Promise.all(events.map((e) => store.jobsForEvent(e.event.eventId))), store.checkActions(checks, ACTION_LIMIT)]);
  return events.map((stored, i) => ({ stored, deliveries: jobs[i].map(deliveryView), actions: actions.filter((a) => a.eventId === stored.event.eventId) }));
}

/** The most audit entries the events view reads for the checks it shows. */
const ACTION_LIMIT = 500;

/** How many of the latest events a search by customer reference reads: the reference is not indexed. */
export const REFERENCE_SEARCH_WINDOW = 1000;

/**
 * The events a search names, newest first, at most `limit`: by event id and by check or search id (both indexed);
 * when neither matches, the events among the latest REFERENCE_SEARCH_WINDOW whose customer reference
 * (thirdPartyIdentifier, from Aver's API) contains the text, ignoring case.
 */
export async function searchEventViews(store: Store, query: string, limit: number): Promise<EventView[]> {
  const [byEventId, history] = await Promise.all([store.getEvent(query), store.entityHistory(query)]);
  // Oldest first from the store: the newest `limit`, newest first (the store's order breaks a tie in time).
  const ids = history.slice(-limit).map((h) => h.eventId).reverse();
  let found = (await Promise.all(ids.map((id) => store.getEvent(id)))).filter((e): e is StoredEvent => e !== null);
  if (byEventId && !ids.includes(byEventId.event.eventId)) found.push(byEventId);
  if (found.length === 0) {
    const wanted = query.toLowerCase();
    found = (await store.recentEvents(REFERENCE_SEARCH_WINDOW)).filter((e) => referenceOf(e)?.toLowerCase().includes(wanted)).slice(0, limit);
  }
  found.sort((a, b) => b.event.receivedAt - a.event.receivedAt);
  return withDeliveries(store, found.slice(0, limit));
}

function referenceOf(e: StoredEvent): string | undefined {
  return e.details?.thirdPartyIdentifier ?? e.labels?.thirdPartyIdentifier;
}

async function gaugeValue(g: Metrics['configReloadSuccessful']): Promise<number | undefined> {
  return (await g.get()).values[0]?.value;
}

/** Reads the store and the live config for the admin page. */
export async function loadAdminView(deps: { store: Store; config: () => Config; state: () => RoutingState; metrics: Metrics; now: number; search?: string }): Promise<Omit<AdminView, 'csrf'>> {
  const [events, deadLetters, queue, ok, at] = await Promise.all([
    deps.search ? searchEventViews(deps.store, deps.search, EVENT_LIMIT) : recentEventViews(deps.store, EVENT_LIMIT),
    deps.store.listJobs({ state: 'dead', limit: DEAD_LETTER_LIMIT }),
    deps.store.queueStats(deps.now),
    gaugeValue(deps.metrics.configReloadSuccessful),
    gaugeValue(deps.metrics.configReloadTimestamp),
  ]);
  const held = await deps.store.listHeld(deps.now, DEAD_LETTER_LIMIT);
  return {
    now: deps.now,
    events,
    deadLetters,
    held,
    queue,
    config: summariseConfig(deps.config(), deps.state().tree),
    storeKind: deps.store.kind,
    groupIds: Object.keys(deps.config().aver.groups),
    reload: { successful: ok !== 0, at: at ? at * 1000 : null },
    ...(deps.search ? { search: deps.search } : {}),
  };
}
