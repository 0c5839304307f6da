import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import { mutedUntil } from '../grouping/mute.js';
import { routeAt, type Route } from '../routing/tree.js';
import type { Store } from '../store/store.js';
import { createPump, type PumpDeps } from './pump.js';

export interface TimerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Pick<Metrics, 'groupFlushes' | 'remindersSent'>;
  /** The live routing tree: a group's or reminder's route is looked up by path, for its time intervals now. */
  tree: () => Route;
  /** This replica's lease owner. */
  owner: string;
  leaseMs: number;
}

/** How many due groups and reminders one step takes. */
const BATCH = 50;

/** How long flushes wait for routing to catch up with events already acknowledged. */
const ROUTING_GRACE_MS = 60_000;

/** When the route at `path` may send at `now` (null: now); a route a reload removed is never muted. */
function heldUntil(tree: Route, path: string, now: number): number | null {
  const route = routeAt(tree, path);
  return route ? mutedUntil({ mute: route.muteTimeIntervals, active: route.activeTimeIntervals }, now) : null;
}

/**
 * The timers step: flushes the groups whose group_wait or group_interval has passed (a digest job, a normal job,
 * or closing the group; grouping/window.ts decides), holds those whose route is muted until the interval ends,
 * and enqueues due reminders (again held while muted). Each due item is leased first, so with several replicas
 * exactly one flushes it. Returns how many items it handled; > 0 means new jobs may be due.
 */
export async function fireTimers(deps: TimerDeps): Promise<number> {
  const now = deps.clock.now();
  // Routing first: a group flushed while events acknowledged before it wait unrouted (a restart, a burst) would
  // leave them to the next window. A routing step that is stuck longer than this no longer holds flushes back.
  const [oldest] = await deps.store.unroutedEvents(1);
  if (oldest && now - oldest.receivedAt < ROUTING_GRACE_MS) return 0;
  const lease = { now, owner: deps.owner, leaseMs: deps.leaseMs, limit: BATCH };
  const tree = deps.tree();
  let handled = 0;
  for (const g of await deps.store.claimDueGroups(lease)) {
    const until = heldUntil(tree, g.routePath, now);
    if (until !== null) {
      await deps.store.deferGroup(g.id, deps.owner, until, now);
      deps.logger.info({ group: g.id, receiver: g.receiver, until: new Date(until).toISOString() }, 'group held: its route is muted');
      continue;
    }
    const result = await deps.store.flushGroup(g.id, deps.owner, now);
    if (result === null) continue;
    handled++;
    deps.metrics.groupFlushes.inc({ receiver: g.receiver, result });
    deps.logger.debug({ group: g.id, receiver: g.receiver, result }, 'group flushed');
  }
  for (const r of await deps.store.claimDueReminders(lease)) {
    const until = heldUntil(tree, r.routePath, now);
    if (until !== null) {
      await deps.store.deferReminder(r.receiver, r.entityKey, deps.owner, until);
      continue;
    }
    if (!(await deps.store.fireReminder(r.receiver, r.entityKey, deps.owner, now))) continue;
    handled++;
    deps.metrics.remindersSent.inc({ receiver: r.receiver });
    deps.logger.info({ receiver: r.receiver, entityKey: r.entityKey }, 'reminder due');
  }
  return handled;
}

/** The timers step on a pump of its own: every poll interval, and at once when a flush enqueued jobs it wakes the worker. */
export function createTimerPump(
  deps: Omit<TimerDeps, 'leaseMs'> & { lease: () => { leaseMs: number } },
  options: { onJobs: () => void; intervalMs: () => number; turn?: PumpDeps['turn'] },
) {
  return createPump('timers', async () => {
    const n = await fireTimers({ ...deps, leaseMs: deps.lease().leaseMs });
    if (n > 0) options.onJobs();
    // More may be due than one batch took: step again until a step finds nothing.
    return n;
  }, { clock: deps.clock, logger: deps.logger, intervalMs: options.intervalMs, turn: options.turn });
}
