import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { answerClientError } from './client-error.js';
import { createServer, METHODS, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { ServerConfig } from '../model/config.js';
import { renderErrors } from './render-error.js';

export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  handler: Middleware;
}

/**
 * The Koa app: a transport only. Routes are given by the composition root
 * (ingest, health, metrics, Slack's and Teams' endpoints, admin). No body
 * parser runs globally: each route reads its own body (Slack needs raw bytes).
 */
export function createHttpApp(deps: { logger: Logger; routes: HttpRoute[]; extra?: Router[]; trustProxy?: boolean }): Koa {
  const app = new Koa();
  // server.trustProxy: X-Forwarded-For / -Proto are anyone's to write unless a proxy in front overwrites them.
  // Behind one, the address is the one that proxy saw (the last X-Forwarded-For entry), not the client's claim.
  app.proxy = deps.trustProxy ?? false;
  app.maxIpsCount = 1;
  app.silent = true;
  // Paths match exactly: /webhooks/AVER or /webhooks/aver/ is a 404, not the ingest route. Every method Node
  // parses is "implemented", so TRACE or PROPFIND on a known path is a 405 with Allow, never a 501.
  const router = new Router({ strict: true, sensitive: true, methods: [...METHODS] });
  for (const r of deps.routes) {
    if (r.method === 'GET') router.get(r.path, r.handler);
    else router.post(r.path, r.handler);
  }
  app.use(renderErrors(deps.logger));
  app.use(router.routes());
  // Not `throw: true`: the router then omits the Allow header a 405 must carry; renderErrors turns the status into our error body.
  app.use(router.allowedMethods());
  for (const extra of deps.extra ?? []) {
    app.use(extra.routes());
    app.use(extra.allowedMethods());
  }
  // Koa emits 'error' for failures inside its own response handling; they are logged, never thrown. A
  // client that went away or was cut off (aborted, timed out) is the client's doing: a debug line, no stack.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (clientGone(err)) deps.logger.debug({ code: err.code }, 'connection ended before the answer');
    else deps.logger.warn({ err }, 'http error');
  });
  return app;
}

const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_HTTP_REQUEST_TIMEOUT']);

/** A socket error that says the client left or was cut off: a reset, or a request it stopped sending (HPE_…). */
function clientGone(err: NodeJS.ErrnoException): boolean {
  return CLIENT_GONE.has(err.code ?? '') || (err.code?.startsWith('HPE_') ?? false);
}

/** What one client may hold: see server.requestTimeout and server.maxConnections in docs/configuration.md. */
export type HttpLimits = Pick<ServerConfig, 'requestTimeoutMs' | 'maxConnections'>;

export const DEFAULT_HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 10_000, maxConnections: 1024 };

/** Idle keep-alive connections: above the 60 s idle timeout of common load balancers, so the balancer closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Listens on host:port (0 picks a free port) and resolves with the server and the port it got. Headers and
 * body must arrive within `requestTimeoutMs` of the request's first byte (else Node answers 408 and closes);
 * connections past `maxConnections` are closed at once, with a warning at most once a minute.
 */
export async function listen(app: Koa, host: string, port: number, limits: HttpLimits = DEFAULT_HTTP_LIMITS, logger?: Logger): Promise<{ server: Server; port: number }> {
  const handle = app.callback();
  const server = createServer({
    // headersTimeout ≤ requestTimeout, or Node swaps them; both count from the request's first byte.
    headersTimeout: limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node only enforces them when it looks (every 30 s by default, so a slow body held a socket up to 96 s).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
  }, (req, res) => void handle(req, res));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', answerClientError);
  server.maxConnections = limits.maxConnections;
  let warnedAt = -Infinity;
  server.on('drop', () => {
    if (!logger || Date.now() - warnedAt < 60_000) return;
    warnedAt = Date.now();
    logger.warn({ maxConnections: limits.maxConnections }, 'connections refused: server.maxConnections are open');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}
