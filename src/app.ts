import type { Logger } from 'pino';
import { createAdminRouter } from './admin/routes.js';
import { createAverApiClient } from './aver/api-client.js';
import { createEnricher } from './aver/enrich.js';
import { systemClock, type Clock } from './clock.js';
import { createChatCommands } from './commands/commands.js';
import { bridgeRoutes, createHttpApps } from './http/routes.js';
import { createHousekeepingTimer } from './lifecycle/housekeeping-timer.js';
import { createLifecycle } from './lifecycle/lifecycle.js';
import { createIntake } from './lifecycle/shut-down.js';
import { routingLeaseMs } from './lifecycle/start-up.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import type { Config } from './model/config.js';
import { createDeliveryWorker } from './pipeline/deliver-jobs.js';
import { createTimerPump } from './pipeline/fire-timers.js';
import { createPump } from './pipeline/pump.js';
import { routeAtIngest, routeEvents } from './pipeline/route-events.js';
import { createIngestFirst } from './pipeline/ingest-first.js';
import { createLiveConfig } from './reload/live-config.js';
import { createGroupCommit } from './store/group-commit.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface BridgeOptions {
  logger?: Logger;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Where console receivers write (stdout by default). */
  write?: (line: string) => void;
  /** An already open store (tests share one between two bridges). */
  store?: Store;
  /** A name for this replica's leases. */
  owner?: string;
  /** Where a reload reads the config from (default: the file it came from). */
  reloadSource?: () => Config;
}

/**
 * The composition root: builds every part from a Config and wires them, each
 * after what it uses. No logic lives here: reload is in reload/, the route
 * table in http/routes.ts, start-up and shutdown in lifecycle/.
 */
export async function createBridge(initial: Config, options: BridgeOptions = {}) {
  const logger = options.logger ?? createLogger(initial.log.level, undefined, initial.log.format);
  const clock = options.clock ?? systemClock;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const metrics = createMetrics();
  const store = options.store ?? (await openStore(initial.storage.url, logger));
  // Webhooks in a burst go first: the pipeline's pumps rest while many wait on each commit (pipeline/ingest-first.ts).
  const ingestFirst = createIngestFirst();
  const inbox = createGroupCommit(store, { onCommit: ingestFirst.committed });
  // One process owns an SQLite store, so its leases carry a fixed name: leases a crashed run left
  // behind are given back at start instead of waiting out delivery.leaseTime.
  const ownsStore = store.kind === 'sqlite' && !options.store;

  // The config and the state built from it; the state itself is built by load() below, once the commands exist.
  const live = createLiveConfig(initial, { store, logger, clock, metrics, fetch: fetchFn, write: options.write, reloadSource: options.reloadSource });
  const worker = createDeliveryWorker({
    store, clock, logger, metrics, owner: options.owner ?? (ownsStore ? 'local' : undefined),
    receivers: () => live.state().receivers,
    delivery: () => live.config().delivery,
    turn: ingestFirst.turn,
  });
  // Enrichment is built once from the start-up config: its token and cache outlive reloads.
  const api = initial.aver.api;
  const enricher = api && createEnricher(api, {
    client: createAverApiClient(api, { fetch: fetchFn, clock, logger }),
    clock, logger,
    onUnavailable: (code) => metrics.enrichmentUnavailable.inc({ code }),
  });
  const leaseMs = routingLeaseMs(api);
  const router = createPump('routing', async () => {
    const n = await routeEvents({ store, state: live.state, clock, logger, metrics, enrich: enricher && ((e) => enricher.enrich(e)), leaseMs });
    if (n > 0) worker.wake();
    return n;
  }, { clock, logger, intervalMs: () => live.config().delivery.pollIntervalMs, turn: ingestFirst.turn });
  // Replicas sharing a PostgreSQL store wake each other when events or jobs arrive; the poll stays the fallback.
  store.watchWork?.((kind) => (kind === 'jobs' ? worker.wake() : router.wake()));
  const commands = createChatCommands({
    state: live.state, config: live.config, store, inbox, clock, metrics, logger,
    onAccepted: () => router.wake(), onEnqueued: () => worker.wake(),
  });
  await live.load({ commands, onSwapped: () => worker.wake() });

  const housekeeping = createHousekeepingTimer({ store, ownsStore, clock, logger, config: live.config, receivers: () => [...live.state().receivers.keys()] });
  const intake = createIntake();
  const routes = bridgeRoutes({
    config: live.config, state: live.state, inbox, store, clock, logger, metrics,
    accepting: intake.accepting, onAccepted: (routed) => (routed ? worker.wake() : router.wake()),
    // Without enrichment, routing needs nothing asynchronous: events are routed in their append's transaction.
    routeAtIngest: enricher ? undefined : (event) => routeAtIngest({ state: live.state, clock, metrics, logger }, event),
  });
  const admin = createAdminRouter({
    config: live.config, state: live.state, store, metrics, clock, logger,
    reload: live.reloadFromSource, wakeWorker: () => worker.wake(),
  });
  // server.internal: probes, metrics and admin on a listener of their own (read at start-up, like the rest of server.*).
  const http = createHttpApps({ logger, routes, admin, trustProxy: initial.server.trustProxy, internal: initial.server.internal !== undefined });
  // Group windows, held deliveries and reminders (pipeline/fire-timers.ts): they start and stop with routing.
  const timers = createTimerPump({ store, clock, logger, metrics, tree: () => live.state().tree, owner: worker.owner, lease: () => live.config().delivery }, {
    onJobs: () => worker.wake(), intervalMs: () => live.config().delivery.pollIntervalMs, turn: ingestFirst.turn,
  });
  const routing = {
    start: () => { router.start(); timers.start(); },
    stop: async () => { await Promise.all([router.stop(), timers.stop()]); },
  };
  const lifecycle = createLifecycle({ live, store, ownsStore, closeStore: !options.store, worker, router: routing, housekeeping, intake, http: http.public, internalHttp: http.internal, clock, logger });

  return {
    store,
    metrics,
    commands,
    logger,
    get config() {
      return live.config();
    },
    get state() {
      return live.state();
    },
    /** Starts the receivers, the HTTP server and the pipeline; resolves with the port listened on. */
    start: lifecycle.start,
    /** Swaps in a config already loaded (see reload/live-config.ts). */
    reload: live.reload,
    reloadFromSource: live.reloadFromSource,
    /** Graceful stop (see lifecycle/shut-down.ts). */
    stop: lifecycle.stop,
  };
}

export type Bridge = Awaited<ReturnType<typeof createBridge>>;
