import type { Logger } from 'pino';
import { entityKey, labelsOf, type AverEvent, type Labels } from '../model/event.js';
import type { Clock } from '../clock.js';
import type { Receiver } from '../receivers/receiver.js';
import type { EventDetails } from '../model/event.js';
import type { Metrics } from '../metrics.js';
import { matchRoutes, type Route } from '../routing/tree.js';
import type { RouteResult, Store } from '../store/store.js';

/** What routing needs from the live configuration; swapped whole on reload. */
export interface RoutingState {
  tree: Route;
  receivers: Map<string, Receiver>;
  groups: Record<string, string>;
}

/** Optional enrichment from Aver's API: extra labels and details, never throwing. */
export type Enrich = (event: AverEvent) => Promise<{ labels: Labels; details: EventDetails }>;

/**
 * Step two of the pipeline: takes stored, unrouted events, enriches them when
 * configured, walks the routing tree and writes one delivery job per receiver,
 * atomically with marking the event routed.
 */
export async function routeEvents(
  deps: { store: Store; state: () => RoutingState; enrich?: Enrich; clock: Clock; logger: Logger; metrics: Metrics; leaseMs: number },
  limit = 200,
): Promise<number> {
  // Taken for leaseMs, so other replicas route other events meanwhile; if this process dies, they route these after.
  const now = deps.clock.now();
  const events = await deps.store.unroutedEvents(limit, { now, until: now + deps.leaseMs });
  if (events.length === 0) return 0;
  const results = await Promise.all(events.map((event) => routeOne(deps, event)));
  // One transaction for the whole batch: a commit per event cost more than the routing itself.
  await deps.store.routeEvents(results.map((r) => r.result), deps.clock.now());
  for (const { result, names, paths } of results) {
    deps.metrics.eventsRouted.inc({ receivers: String(result.jobs.length) });
    // Debug: the 'event accepted' and 'delivered' lines already tell an event's story at info.
    deps.logger.debug({ eventId: result.eventId, receivers: names, routes: paths }, 'event routed');
  }
  return events.length;
}

async function routeOne(
  deps: { state: () => RoutingState; enrich?: Enrich },
  event: AverEvent,
): Promise<{ result: RouteResult; names: string[]; paths: string[] }> {
  let labels = labelsOf(event, deps.state().groups);
  let details: EventDetails | null = null;
  if (deps.enrich) {
    const enriched = await deps.enrich(event);
    labels = { ...enriched.labels, ...labels };
    details = enriched.details;
  }
  const { tree, receivers } = deps.state();
  const routes = matchRoutes(tree, labels);
  const names = [...new Set(routes.map((r) => r.receiver))];
  const jobs = names.flatMap((name) => {
    const receiver = receivers.get(name);
    if (!receiver) return [];
    return [{ receiver: name, entityKey: entityKey(event), destinationKey: receiver.destinationKey({ receiver: name, event, labels }) }];
  });
  return { result: { eventId: event.eventId, labels, details, jobs }, names, paths: routes.map((r) => r.path) };
}
