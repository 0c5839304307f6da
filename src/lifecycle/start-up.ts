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
  /** `close`: what the state keeps open (the SMTP pool), closed once the bridge has stopped. */
  state(): { receivers: Map<string, unknown>; slackEvents?: Middleware; teamsMessages?: Middleware; close?: () => void };
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
  /** The private listener's app (server.internal): health, metrics and admin; absent without server.internal. */
  internalHttp?: Koa;
  logger: Logger;
}

/** A server listening, and the port it got. */
export interface Listening {
  server: Server;
  port: number;
}

/**
 * Start-up, in order: the receivers (a platform check that fails stops here),
 * leases a crashed run left behind given back, the HTTP server (and server.internal's), then routing,
 * delivery and housekeeping. Resolves with the server and the port it got, and the internal ones.
 */
export async function startUp(deps: StartUpDeps): Promise<Listening & { internal?: Listening }> {
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
  const internal = await listenInternal(deps, config, listening.server);
  deps.router.start();
  deps.worker.start();
  deps.housekeeping.start();
  const state = live.state();
  logger.info({
    port: listening.port, internalPort: internal?.port, store: store.kind, receivers: [...state.receivers.keys()], webhookPath: config.aver.webhook.path,
    ...urlsToConfigure(config, state, listening.port, internal?.port),
  }, 'aver-bridge listening');
  return internal ? { ...listening, internal } : listening;
}

/** server.internal's listener, when there is one; if it cannot listen, the public one is closed again. */
async function listenInternal(deps: StartUpDeps, config: Config, publicServer: Server): Promise<Listening | undefined> {
  const at = config.server.internal;
  if (!deps.internalHttp || !at) return undefined;
  try {
    return await listen(deps.internalHttp, at.host, at.port, config.server, deps.logger);
  } catch (err) {
    publicServer.close();
    throw err;
  }
}

/**
 * The URLs to paste into the Aver portal, the Slack app and the Azure Bot (those configured), and the admin page's:
 * under server.publicUrl when set, else the address listened on (all interfaces read as localhost); the admin
 * page's on server.internal's listener when set.
 */
function urlsToConfigure(config: Config, state: Pick<ReturnType<StartingLive['state']>, 'slackEvents' | 'teamsMessages'>, port: number, internalPort?: number) {
  const base = config.server.publicUrl?.replace(/\/+$/, '') ?? `http://${shownHost(config.server.host)}:${port}`;
  // The admin page is on the private listener when there is one: never under the public URL.
  const adminBase = config.server.internal && internalPort !== undefined ? `http://${shownHost(config.server.internal.host)}:${internalPort}` : base;
  return {
    averWebhookUrl: `${base}${config.aver.webhook.path}`,
    slackRequestUrl: state.slackEvents ? `${base}/slack/events` : undefined,
    teamsMessagingEndpoint: state.teamsMessages ? `${base}/api/messages` : undefined,
    adminUrl: config.admin.token ? `${adminBase}/admin` : undefined,
  };
}

/** A listening host as a URL writes it: the unspecified address as localhost, an IPv6 address in brackets. */
function shownHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
