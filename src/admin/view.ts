import type { Config } from '../model/config.js';
import type { Metrics } from '../metrics.js';
import type { RoutingState } from '../pipeline/route-events.js';
import type { Store, StoredEvent } from '../store/store.js';
import type { JobRecord } from '../model/job.js';
import { summariseConfig, type ConfigSummary } from './config-summary.js';
import type { RouteTestResult } from './route-test.js';

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
}

/** Everything the admin page renders, read in one go. */
export interface AdminView {
  now: number;
  events: EventView[];
  deadLetters: JobRecord[];
  queue: Array<{ receiver: string; pending: number; oldestCreatedAt: number | null; dead: number }>;
  config: ConfigSummary;
  storeKind: string;
  /** Configured group ids, offered in the route tester. */
  groupIds: string[];
  reload: { successful: boolean; at: number | null };
  csrf: string;
  notice?: string;
  error?: string;
  tester?: { input: Record<string, string>; result?: RouteTestResult; bad: string[] };
}

export const EVENT_LIMIT = 50;
export const DEAD_LETTER_LIMIT = 100;

export function deliveryView(j: JobRecord): DeliveryView {
  return { jobId: j.id, receiver: j.receiver, state: j.state, attempts: j.attempts, lastReason: j.lastReason, nextAttemptAt: j.nextAttemptAt, updatedAt: j.updatedAt };
}

/** The most recent events, each with the deliveries it was routed to. */
export async function recentEventViews(store: Store, limit: number): Promise<EventView[]> {
  const events = await store.recentEvents(limit);
  const jobs = await Promise.all(events.map((e) => store.jobsForEvent(e.event.eventId)));
  return events.map((stored, i) => ({ stored, deliveries: jobs[i].map(deliveryView) }));
}

async function gaugeValue(g: Metrics['configReloadSuccessful']): Promise<number | undefined> {
  return (await g.get()).values[0]?.value;
}

/** Reads the store and the live config for the admin page. */
export async function loadAdminView(deps: { store: Store; config: () => Config; state: () => RoutingState; metrics: Metrics; now: number }): Promise<Omit<AdminView, 'csrf'>> {
  const [events, deadLetters, queue, ok, at] = await Promise.all([
    recentEventViews(deps.store, EVENT_LIMIT),
    deps.store.listJobs({ state: 'dead', limit: DEAD_LETTER_LIMIT }),
    deps.store.queueStats(deps.now),
    gaugeValue(deps.metrics.configReloadSuccessful),
    gaugeValue(deps.metrics.configReloadTimestamp),
  ]);
  return {
    now: deps.now,
    events,
    deadLetters,
    queue,
    config: summariseConfig(deps.config(), deps.state().tree),
    storeKind: deps.store.kind,
    groupIds: Object.keys(deps.config().aver.groups),
    reload: { successful: ok !== 0, at: at ? at * 1000 : null },
  };
}
