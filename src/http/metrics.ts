import type { Middleware } from 'koa';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';

/** GET /metrics: refreshes the queue gauges from the store, then renders the registry. */
export function serveMetrics(deps: { metrics: Metrics; store: Store; clock: Clock }): Middleware {
  return async (ctx) => {
    const now = deps.clock.now();
    const { queueDepth, queueOldestAge, deadLetters, registry } = deps.metrics;
    queueDepth.reset();
    queueOldestAge.reset();
    deadLetters.reset();
    for (const q of await deps.store.queueStats(now)) {
      queueDepth.set({ receiver: q.receiver }, q.pending);
      queueOldestAge.set({ receiver: q.receiver }, q.oldestCreatedAt === null ? 0 : Math.max(0, now - q.oldestCreatedAt) / 1000);
      deadLetters.set({ receiver: q.receiver }, q.dead);
    }
    const timers = await deps.store.timerStats(now);
    deps.metrics.openGroups.set(timers.openGroups);
    deps.metrics.heldDeliveries.set(timers.held);
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  };
}
