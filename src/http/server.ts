import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
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
export function createHttpApp(deps: { logger: Logger; routes: HttpRoute[]; extra?: Router[] }): Koa {
  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  // Paths match exactly: /webhooks/AVER or /webhooks/aver/ is a 404, not the ingest route.
  const router = new Router({ strict: true, sensitive: true });
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
  // Koa emits 'error' for failures inside its own response handling; they are logged, never thrown.
  app.on('error', (err) => deps.logger.warn({ err }, 'http error'));
  return app;
}

/** Listens on host:port (0 picks a free port) and resolves with the server and the port it got. */
export async function listen(app: Koa, host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}
