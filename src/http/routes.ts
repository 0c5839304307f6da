import type Router from '@koa/router';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Config } from '../model/config.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Store } from '../store/store.js';
import { createWriteHealth, healthz, readyz } from './health.js';
import { ingestWebhook, type IngestDeps } from './ingest.js';
import { serveMetrics } from './metrics.js';
import { createHttpApp, type HttpRoute } from './server.js';

/** The chat platforms' endpoints of the live configuration, present when configured. */
export interface ChatEndpoints {
  slackEvents?: Middleware;
  teamsMessages?: Middleware;
}

export interface BridgeRouteDeps {
  config: () => Config;
  state: () => ChatEndpoints;
  inbox: GroupCommit;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** False while shutting down: ingest and /readyz answer 503. */
  accepting: () => boolean;
  /** Called after an event is stored, to wake the router (or the worker, when it was routed as it was stored). */
  onAccepted: IngestDeps['onAccepted'];
  /** Routing in the append's transaction (ingest.ts), when routing needs nothing asynchronous. */
  routeAtIngest?: IngestDeps['routeAtIngest'];
}

/** The bridge's routes by who calls them: Aver, Slack and Teams (`public`), or probes and Prometheus (`internal`). */
export interface BridgeRoutes {
  public: HttpRoute[];
  internal: HttpRoute[];
}

/**
 * The bridge's routes but admin's: Aver's webhook (at aver.webhook.path of the
 * start-up config), health, metrics, and Slack's and Teams' endpoints, which
 * follow reloads and answer 404 while their platform is not configured.
 */
export function bridgeRoutes(deps: BridgeRouteDeps): BridgeRoutes {
  const { store, accepting } = deps;
  const writes = createWriteHealth(deps.clock);
  const internal: HttpRoute[] = [
    { method: 'GET', path: '/healthz', handler: healthz },
    { method: 'GET', path: '/readyz', handler: readyz({ store, accepting, writes }) },
    { method: 'GET', path: '/metrics', handler: serveMetrics(deps) },
  ];
  return { public: publicRoutes(deps, writes), internal };
}

/** What Aver, Slack and Teams call: the only routes the public listener has once server.internal is set. */
function publicRoutes(deps: BridgeRouteDeps, writes: ReturnType<typeof createWriteHealth>): HttpRoute[] {
  return [
    { method: 'POST', path: deps.config().aver.webhook.path, handler: ingestWebhook({ ...deps, writes }) },
    {
      method: 'POST',
      path: '/slack/events',
      handler: (ctx, next) => {
        const slackEvents = deps.state().slackEvents;
        if (!slackEvents) throw new BridgeError('slack_not_configured', 'Slack events are off: set slack.signingSecret', { status: 404 });
        return slackEvents(ctx, next);
      },
    },
    {
      method: 'POST',
      path: '/api/messages',
      handler: (ctx, next) => {
        const teamsMessages = deps.state().teamsMessages;
        if (!teamsMessages) throw new BridgeError('teams_not_configured', 'the Teams bot is off: add a teams section', { status: 404 });
        return teamsMessages(ctx, next);
      },
    },
  ];
}

/**
 * The HTTP apps to listen with. Without server.internal, one app serves every route and the admin endpoints.
 * With it, the public app serves only Aver's, Slack's and Teams' endpoints (any other path is a 404), and the
 * internal one health, readiness, metrics, the admin page and /-/reload.
 */
export function createHttpApps(deps: { logger: Logger; routes: BridgeRoutes; admin: Router; trustProxy: boolean; internal: boolean }): { public: Koa; internal?: Koa } {
  const { logger, routes, admin, trustProxy } = deps;
  if (!deps.internal) return { public: createHttpApp({ logger, routes: [...routes.public, ...routes.internal], extra: [admin], trustProxy }) };
  return {
    public: createHttpApp({ logger, routes: routes.public, trustProxy }),
    internal: createHttpApp({ logger, routes: routes.internal, extra: [admin], trustProxy }),
  };
}
