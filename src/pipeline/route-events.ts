import type { Logger } from 'pino';
import { entityKey, labelsOf, type AverEvent, type Labels } from '../model/event.js';
import type { Clock } from '../clock.js';
import type { Receiver } from '../receivers/receiver.js';
import type { EventDetails } from '../model/event.js';
import type { Metrics } from '../metrics.js';
import { matchRoutes, type Route } from '../routing/tree.js';
import { planTimers } from './plan-timers.js';
import { runIsolated, type Outcome } from '../store/batch-per-turn.js';
import { faultOf, storableCopy } from '../store/storable.js';
import type { RouteResult, Store } from '../store/store.js';

/** What routing needs from the live configuration; swapped whole on reload. */
export interface RoutingState {
  tree: Route;
  receivers: Map<string, Receiver>;
  groups: Record<string, string>;
}

/** Optional enrichment from Aver's API: extra labels and details, never throwing. */
export type Enrich = (event: AverEvent) => Promise<{ labels: Labels; details: EventDetails }>;

type RouteDeps = { store: Store; state: () => RoutingState; enrich?: Enrich; clock: Clock; logger: Logger; metrics: Metrics; leaseMs: number };

interface Routed {
  result: RouteResult;
  names: string[];
  paths: string[];
}

/** How long a parked event's reason may be: it is shown in one line of `dead-letters list`. */
const MAX_REASON_LENGTH = 300;

/**
 * Step two of the pipeline: takes stored, unrouted events, enriches them when
 * configured, walks the routing tree and writes one delivery job per receiver,
 * atomically with marking the event routed. An event whose result the store
 * refuses is tried alone, then parked (see parkEvent): it never holds back the
 * events beside it. Throws (the pump waits, then tries again) when events are
 * left unrouted because the store is failing.
 */
export async function routeEvents(deps: RouteDeps, limit = 200): Promise<number> {
  // Taken for leaseMs, so other replicas route other events meanwhile; if this process dies, they route these after.
  const now = deps.clock.now();
  const events = await deps.store.unroutedEvents(limit, { now, until: now + deps.leaseMs });
  if (events.length === 0) return 0;
  const routed = await Promise.all(events.map((event) => routeOne(deps, event)));
  // One transaction for the whole batch (a commit per event cost more than the routing itself); event by event
  // only when it fails.
  const outcomes = await runIsolated(routed.map((r) => r.result), async (results) => {
    await deps.store.routeEvents(results, deps.clock.now());
    return results;
  }, { faultOf, ping: () => deps.store.ping() });
  let storeError: Error | undefined;
  for (const [i, outcome] of outcomes.entries()) {
    const { result, names, paths } = routed[i];
    if (outcome.ok) {
      deps.metrics.eventsRouted.inc({ receivers: String(result.jobs.length) });
      // Debug: the 'event accepted' and 'delivered' lines already tell an event's story at info.
      deps.logger.debug({ eventId: result.eventId, receivers: names, routes: paths }, 'event routed');
    } else if (!(outcome.fault === 'item' && (await park(deps, routed[i], outcome)))) {
      storeError ??= outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    }
  }
  if (storeError !== undefined) throw storeError;
  return events.length;
}

/** Parks an event the store would not take the route result of; false when the store would not take that either. */
async function park(deps: RouteDeps, { result, names }: Routed, outcome: Outcome<unknown> & { ok: false }): Promise<boolean> {
  const why = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  const reason = `not routed: the store refused its route result (${why.slice(0, MAX_REASON_LENGTH)}); a retry delivers it without Aver's details`;
  try {
    await deps.store.parkEvent({ eventId: result.eventId, labels: result.labels, jobs: result.jobs, reason }, deps.clock.now());
  } catch (err) {
    deps.logger.error({ eventId: result.eventId, err }, 'routing: could not park an event the store refused; it is tried again');
    return false;
  }
  deps.logger.warn({ eventId: result.eventId, receivers: names, reason }, 'event parked: dead-lettered for each of its receivers');
  return true;
}

async function routeOne(deps: { state: () => RoutingState; enrich?: Enrich; clock: Clock }, event: AverEvent): Promise<Routed> {
  let labels = labelsOf(event, deps.state().groups);
  let details: EventDetails | null = null;
  if (deps.enrich) {
    const enriched = await deps.enrich(event);
    // Text from Aver's API is stored as text every store can hold (no NUL, no lone surrogate).
    labels = { ...storableCopy(enriched.labels), ...labels };
    details = storableCopy(enriched.details);
  }
  const { jobs, names, paths } = planRoute(deps.state(), event, labels, deps.clock.now());
  return { result: { eventId: event.eventId, labels, details, jobs }, names, paths };
}

/** Walks the routing tree for an event with these labels: one job per receiver of the routes that take it. */
function planRoute({ tree, receivers }: RoutingState, event: AverEvent, labels: Labels, now: number) {
  const routes = matchRoutes(tree, labels);
  const names = [...new Set(routes.map((r) => r.receiver))];
  const jobs = names.flatMap((name) => {
    const receiver = receivers.get(name);
    if (!receiver) return [];
    const job = { receiver: name, entityKey: entityKey(event), destinationKey: receiver.destinationKey({ receiver: name, event, labels }) };
    // Grouping, time intervals and reminders of the first route that took it for this receiver (plan-timers.ts).
    const timers = planTimers(routes.find((r) => r.receiver === name)!, labels, event, now);
    return [timers ? { ...job, timers } : job];
  });
  return { labels, jobs, names, paths: routes.map((r) => r.path) };
}

/**
 * Routing as the webhook is stored, when it needs nothing asynchronous (no enrichment from Aver's API): the jobs go
 * into the append's own transaction, so an event costs one write transaction instead of three (append, a routing
 * batch that reads it back, marks it routed and adds its jobs). The store marks it routed as it inserts it.
 */
export function routeAtIngest(deps: { state: () => RoutingState; clock: Clock; metrics: Metrics; logger: Logger }, event: AverEvent) {
  const { labels, jobs, names, paths } = planRoute(deps.state(), event, labelsOf(event, deps.state().groups), deps.clock.now());
  return {
    preRouted: { labels, jobs },
    /** Called once the append committed: counted and logged as the router would. */
    stored() {
      deps.metrics.eventsRouted.inc({ receivers: String(jobs.length) });
      deps.logger.debug({ eventId: event.eventId, receivers: names, routes: paths }, 'event routed');
    },
  };
}
