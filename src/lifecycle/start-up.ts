import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { listen } from '../http/server.js';
import type { AverApiConfig, Config } from '../model/config.js';
import type { Store } from '../store/store.js';

/**
 * How long a replica keeps the unrouted events it took: a batch's routing,
 * enrichment included, with room to spare. From the start-up config, like enrichment.
 */
export function routingLeaseMs(api: AverApiConfig | undefined): number {
  return 10_000 + 2 * (api?.timeoutMs ?? 0);
}

/** What start-up reads of the live configuration. */
export interface StartingLive {
  config(): Config;
  state(): { receivers: Map<string, unknown>; slackEvents?: Middleware; teamsMessages?: Middleware };
  startReceivers(): Promise<void>;
}

export interface StartUpDeps {
  live: StartingLive;
  store: Pick<Store, 'kind' | 'releaseLeases'>;
  /** Whether this process alone uses the store (SQLite it opened): leases it finds are its own, left by the last run. */
  ownsStore: boolean;
  worker: { readonly owner: string; start(): void };
  router: { start(): void };
  housekeeping: { start(): void };
  http: Koa;
  logger: Logger;
}

/**
 * Start-up, in order: the receivers (a platform check that fails stops here),
 * leases a crashed run left behind given back, the HTTP server, then routing,
 * delivery and housekeeping. Resolves with the server and the port it got.
 */
export async function startUp(deps: StartUpDeps): Promise<{ server: Server; port: number }> {
  const { live, store, logger } = deps;
  const config = live.config();
  if (config.aver.webhook.secrets.length === 0) {
    logger.warn('aver.webhook.allowUnauthenticated is true: anyone who can reach this server can post events. Set aver.webhook.secrets for production.');
  }
  await live.startReceivers();
  if (deps.ownsStore) {
    const released = await store.releaseLeases(deps.worker.owner);
    if (released > 0) logger.warn({ released }, 'deliveries interrupted by the last stop will be retried');
  }
  if (config.teams && !config.teams.appId) {
    logger.warn('teams.appId is empty: the Teams bot accepts unauthenticated requests (local development only). Set teams.appId and teams.appPassword for production.');
  } else if (config.teams && config.teams.allowedTenants.length === 0) {
    logger.warn('teams.allowedTenants is not set: the Teams bot takes installations and commands from any tenant, and a receiver named by team and channel resolves only while the bot knows one tenant. List your tenant ids in teams.allowedTenants.');
  }
  const listening = await listen(deps.http, config.server.host, config.server.port, config.server, logger);
  deps.router.start();
  deps.worker.start();
  deps.housekeeping.start();
  const state = live.state();
  logger.info({ port: listening.port, store: store.kind, receivers: [...state.receivers.keys()], webhookPath: config.aver.webhook.path }, 'aver-bridge listening');
  logPublicEndpoints(config, state, logger);
  return listening;
}

/** The URLs to paste into the Aver portal, the Slack app and the Azure Bot, when server.publicUrl is set. */
function logPublicEndpoints(config: Config, state: ReturnType<StartingLive['state']>, logger: Logger): void {
  if (!config.server.publicUrl) return;
  const base = config.server.publicUrl.replace(/\/+$/, '');
  logger.info({
    averWebhookUrl: `${base}${config.aver.webhook.path}`,
    slackRequestUrl: state.slackEvents ? `${base}/slack/events` : undefined,
    teamsMessagingEndpoint: state.teamsMessages ? `${base}/api/messages` : undefined,
  }, 'public endpoints');
}
