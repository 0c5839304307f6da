import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createAdminRouter } from './admin/routes.js';
import { systemClock, type Clock } from './clock.js';
import { loadConfig } from './config/load.js';
import { BridgeError } from './errors.js';
import { createAverApiClient } from './aver/api-client.js';
import { createEnricher } from './aver/enrich.js';
import { createChatCommands } from './commands/commands.js';
import type { Config } from './model/config.js';
import { RECEIVER_REMOVED } from './model/job.js';
import { HOUSEKEEPING_INTERVAL_MS, runHousekeeping } from './housekeeping/run-housekeeping.js';
import { healthz, readyz } from './http/health.js';
import { ingestWebhook } from './http/ingest.js';
import { serveMetrics } from './http/metrics.js';
import { createHttpApp, listen, type HttpRoute } from './http/server.js';
import { createLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createDeliveryWorker } from './pipeline/deliver-jobs.js';
import { createPump } from './pipeline/pump.js';
import { routeEvents, type RoutingState } from './pipeline/route-events.js';
import { createReceivers } from './receivers/create-receivers.js';
import { buildPlatforms, type PlatformParts } from './receivers/platforms.js';
import type { Receiver } from './receivers/receiver.js';
import { buildRouteTree, receiversFor } from './routing/tree.js';
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
 * The composition root: builds every part from a Config and wires them.
 * No logic lives here; each part is in its own folder.
 */
export async function createBridge(initial: Config, options: BridgeOptions = {}) {
  const logger = options.logger ?? createLogger(initial.log.level);
  const clock = options.clock ?? systemClock;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const metrics: Metrics = createMetrics();
  const store = options.store ?? (await openStore(initial.storage.url, logger));
  const inbox = createGroupCommit(store);

  let config = initial;
  let accepting = true;

  /** Everything that follows the config, rebuilt whole on reload. */
  type LiveState = RoutingState & PlatformParts;

  async function buildState(cfg: Config): Promise<LiveState> {
    const tree = buildRouteTree(cfg.route);
    let receivers = new Map<string, Receiver>();
    const parts = await buildPlatforms(cfg, { store, logger, clock, fetch: fetchFn, commands, receivers: () => receivers });
    receivers = createReceivers(cfg.receivers, {
      config: cfg, store, logger, clock, fetch: fetchFn, platforms: parts.platforms, write: options.write,
      routedTo: (labels) => receiversFor(tree, labels),
    });
    return { ...parts, tree, receivers, groups: cfg.aver.groups };
  }

  /** Runs the platform checks, then each receiver's start-up work (resolving channel names). */
  async function startState(s: LiveState): Promise<void> {
    for (const check of s.verify) await check();
    for (const r of s.receivers.values()) await (r as Receiver).start?.();
  }

  const commands = createChatCommands({ state: () => state, store, inbox, clock, onAccepted: () => router.wake() });
  let state = await buildState(config);

  // Enrichment is built once from the start-up config: its token and cache outlive reloads.
  const api = initial.aver.api;
  const enricher = api
    ? createEnricher(api, {
        client: createAverApiClient(api, { fetch: fetchFn, clock, logger }),
        clock, logger,
        onUnavailable: (code) => metrics.enrichmentUnavailable.inc({ code }),
      })
    : undefined;

  // One process owns an SQLite store, so its leases carry a fixed name: leases a crashed run left
  // behind are given back at start instead of waiting out delivery.leaseTime.
  const ownsStore = store.kind === 'sqlite' && !options.store;
  const worker = createDeliveryWorker({
    store, clock, logger, metrics, owner: options.owner ?? (ownsStore ? 'local' : undefined),
    receivers: () => state.receivers,
    delivery: () => config.delivery,
  });
  // How long a replica keeps the unrouted events it took: a batch's routing, enrichment included, with room to spare.
  const routingLeaseMs = 10_000 + 2 * (initial.aver.api?.timeoutMs ?? 0);
  const router = createPump('routing', async () => {
    const n = await routeEvents({ store, state: () => state, clock, logger, metrics, enrich: enricher && ((e) => enricher.enrich(e)), leaseMs: routingLeaseMs });
    if (n > 0) worker.wake();
    return n;
  }, { clock, logger, intervalMs: () => config.delivery.pollIntervalMs });

  const routes: HttpRoute[] = [
    {
      method: 'POST',
      path: config.aver.webhook.path,
      handler: ingestWebhook({ config: () => config, inbox, clock, logger, metrics, accepting: () => accepting, onAccepted: () => router.wake() }),
    },
    { method: 'GET', path: '/healthz', handler: healthz },
    { method: 'GET', path: '/readyz', handler: readyz({ store, accepting: () => accepting }) },
    { method: 'GET', path: '/metrics', handler: serveMetrics({ metrics, store, clock }) },
    {
      method: 'POST',
      path: '/slack/events',
      handler: (ctx, next) => {
        if (!state.slackEvents) throw new BridgeError('slack_not_configured', 'Slack events are off: set slack.signingSecret', { status: 404 });
        return state.slackEvents(ctx, next);
      },
    },
    {
      method: 'POST',
      path: '/api/messages',
      handler: (ctx, next) => {
        if (!state.teamsMessages) throw new BridgeError('teams_not_configured', 'the Teams bot is off: add a teams section', { status: 404 });
        return state.teamsMessages(ctx, next);
      },
    },
  ];
  const admin = createAdminRouter({
    config: () => config, state: () => state, store, metrics, clock, logger,
    reload: () => reloadFromSource(), wakeWorker: () => worker.wake(),
  });
  const http = createHttpApp({ logger, routes, extra: [admin] });
  let server: Server | undefined;
  let housekeepingTimer: NodeJS.Timeout | undefined;

  let housekeeping: Promise<void> = Promise.resolve();
  function housekeep() {
    // One pass at a time; a slow one is not overtaken by the next.
    housekeeping = housekeeping.then(() => runHousekeeping({
      store, config, receivers: [...state.receivers.keys()], ownsStore, now: clock.now(), logger,
    }));
  }

  function setConfigMetrics(cfg: Config, ok: boolean) {
    metrics.configReloadSuccessful.set(ok ? 1 : 0);
    if (ok) {
      metrics.configReloadTimestamp.set(clock.now() / 1000);
      metrics.configHash.reset();
      metrics.configHash.set({ hash: cfg.source.hash }, 1);
    }
  }
  setConfigMetrics(config, true);

  /**
   * Swaps in a new configuration (already loaded and validated). Jobs queued
   * for receivers it no longer has become dead letters ("receiver removed").
   */
  let reloading: Promise<void> = Promise.resolve();
  function reload(next: Config): Promise<void> {
    // SIGHUP and POST /-/reload may arrive together: one reload at a time, in order.
    const run = reloading.then(() => swapIn(next));
    reloading = run.catch(() => undefined);
    return run;
  }

  async function swapIn(next: Config): Promise<void> {
    try {
      const nextState = await buildState(next);
      await startState(nextState);
      const previous = state;
      config = next;
      state = nextState;
      // Only the receivers this reload removed: another replica on a shared store may have receivers this one never had.
      const gone = [...previous.receivers.keys()].filter((name) => !nextState.receivers.has(name));
      const removed = await store.deadLetterReceivers(gone, RECEIVER_REMOVED, clock.now());
      setConfigMetrics(next, true);
      logger.info({ hash: next.source.hash, deadLettered: removed || undefined }, 'configuration reloaded');
      worker.wake();
    } catch (err) {
      metrics.configReloadSuccessful.set(0);
      logger.error({ err: { message: (err as Error).message } }, 'reload failed; keeping the old configuration');
      throw err;
    }
  }

  /** Re-reads the config (SIGHUP, POST /-/reload); a bad file is logged and the old config kept. */
  async function reloadFromSource(): Promise<void> {
    let next: Config;
    try {
      next = (options.reloadSource ?? (() => loadConfig(config.source.file)))();
    } catch (err) {
      metrics.configReloadSuccessful.set(0);
      logger.error({ err: { message: (err as Error).message } }, 'reload failed; keeping the old configuration');
      throw err;
    }
    await reload(next);
  }

  return {
    store,
    metrics,
    commands,
    logger,
    get config() {
      return config;
    },
    get state() {
      return state;
    },
    /** Starts the receivers, the HTTP server and the pipeline; resolves with the port listened on. */
    async start(): Promise<{ port: number }> {
      if (config.aver.webhook.secrets.length === 0) {
        logger.warn('aver.webhook.allowUnauthenticated is true: anyone who can reach this server can post events. Set aver.webhook.secrets for production.');
      }
      await startState(state);
      if (ownsStore) {
        const released = await store.releaseLeases(worker.owner);
        if (released > 0) logger.warn({ released }, 'deliveries interrupted by the last stop will be retried');
      }
      if (config.teams && !config.teams.appId) {
        logger.warn('teams.appId is empty: the Teams bot accepts unauthenticated requests (local development only). Set teams.appId and teams.appPassword for production.');
      }
      const listening = await listen(http, config.server.host, config.server.port);
      server = listening.server;
      router.start();
      worker.start();
      housekeep();
      housekeepingTimer = setInterval(housekeep, HOUSEKEEPING_INTERVAL_MS).unref();
      logger.info({ port: listening.port, store: store.kind, receivers: [...state.receivers.keys()], webhookPath: config.aver.webhook.path }, 'aver-bridge listening');
      if (config.server.publicUrl) {
        // The URLs to paste into the Aver portal, the Slack app and the Azure Bot.
        const base = config.server.publicUrl.replace(/\/+$/, '');
        logger.info({
          averWebhookUrl: `${base}${config.aver.webhook.path}`,
          slackRequestUrl: state.slackEvents ? `${base}/slack/events` : undefined,
          teamsMessagingEndpoint: state.teamsMessages ? `${base}/api/messages` : undefined,
        }, 'public endpoints');
      }
      return { port: listening.port };
    },
    reload,
    reloadFromSource,
    /**
     * Graceful stop: refuse new webhooks (503), finish requests in flight,
     * let deliveries finish within server.shutdownTimeout, leave the rest queued.
     */
    async stop(): Promise<void> {
      const deadline = Date.now() + config.server.shutdownTimeoutMs;
      accepting = false;
      clearInterval(housekeepingTimer);
      // No new deliveries start; those running get server.shutdownTimeout. Meanwhile the server keeps
      // answering, with 503 on ingest and /readyz, so balancers and Aver see the bridge leave.
      await worker.stop(config.server.shutdownTimeoutMs);
      // Requests in flight finish (and are stored) before the store closes.
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, Math.max(1000, deadline - Date.now())).unref())]);
        server.closeAllConnections();
      }
      await router.stop();
      // A housekeeping pass still running gets a moment to finish before the store closes under it.
      await Promise.race([housekeeping, new Promise((r) => setTimeout(r, 2000).unref())]);
      if (!options.store) await store.close();
      logger.info('aver-bridge stopped');
    },
  };
}

export type Bridge = Awaited<ReturnType<typeof createBridge>>;
