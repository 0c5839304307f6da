import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { BridgeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Config } from '../model/config.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Store } from '../store/store.js';
import { createWriteHealth, healthz, readyz } from './health.js';
import { ingestWebhook } from './ingest.js';
import { serveMetrics } from './metrics.js';
import type { HttpRoute } from './server.js';

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
  /** Called after an event is stored, to wake the router. */
  onAccepted: () => void;
}

/**
 * The bridge's routes but admin's: Aver's webhook (at aver.webhook.path of the
 * start-up config), health, metrics, and Slack's and Teams' endpoints, which
 * follow reloads and answer 404 while their platform is not configured.
 */
export function bridgeRoutes(deps: BridgeRouteDeps): HttpRoute[] {
  const { store, accepting } = deps;
  const writes = createWriteHealth(deps.clock);
  return [
    { method: 'POST', path: deps.config().aver.webhook.path, handler: ingestWebhook({ ...deps, writes }) },
    { method: 'GET', path: '/healthz', handler: healthz },
    { method: 'GET', path: '/readyz', handler: readyz({ store, accepting, writes }) },
    { method: 'GET', path: '/metrics', handler: serveMetrics(deps) },
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
