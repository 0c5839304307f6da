import type { Logger } from 'pino';
import { entityKey, labelsOf, type AverEvent, type Labels } from '../aver/event.js';
import type { Clock } from '../clock.js';
import type { EventDetails, Receiver } from '../receivers/receiver.js';
import type { Metrics } from '../metrics.js';
import { matchRoutes, type Route } from '../routing/tree.js';
import type { Store } from '../store/store.js';

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
  deps: { store: Store; state: () => RoutingState; enrich?: Enrich; clock: Clock; logger: Logger; metrics: Metrics },
  limit = 200,
): Promise<number> {
  const events = await deps.store.unroutedEvents(limit);
  await Promise.all(events.map((event) => routeOne(deps, event)));
  return events.length;
}

async function routeOne(
  deps: { store: Store; state: () => RoutingState; enrich?: Enrich; clock: Clock; logger: Logger; metrics: Metrics },
  event: AverEvent,
): Promise<void> {
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
  await deps.store.routeEvent(event.eventId, labels, details, jobs, deps.clock.now());
  deps.metrics.eventsRouted.inc({ receivers: String(jobs.length) });
  deps.logger.info({ eventId: event.eventId, receivers: names, routes: routes.map((r) => r.path) }, 'event routed');
}
