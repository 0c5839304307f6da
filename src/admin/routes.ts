import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../model/config.js';
import { BridgeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { RoutingState } from '../pipeline/route-events.js';
import type { Store } from '../store/store.js';
import { logIn, logOut } from './login.js';
import { renderAdminPage } from './page.js';
import { reloadEndpoint, runReload } from './reload.js';
import { adminEnabled, requireAdminToken, type AdminAuth } from './require-token.js';
import { jobIdParam, retryAllDeadLetters, retryDeadLetter } from './retry.js';
import { parseLabelLines, previewsFor, testRoute } from './route-test.js';
import { seeOther, sendHtml } from './send-html.js';
import { createRevokedSessions } from './session.js';
import { DEAD_LETTER_LIMIT, deliveryView, loadAdminView, recentEventViews, searchEventViews, type AdminView } from './view.js';

export interface AdminDeps {
  config: () => Config;
  state: () => RoutingState;
  store: Store;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
  /** Re-reads the config file and swaps it in; rejects (old config kept) when the file is bad. */
  reload: () => Promise<void>;
  /** Wakes the delivery worker after a dead letter is retried. */
  wakeWorker: () => void;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `?q=`: what the events are searched for (a check id, event id or customer reference), when given. */
function searchParam(ctx: Context): string | undefined {
  return first(ctx.query.q)?.trim().slice(0, 200) || undefined;
}

/** `?refresh=N`: reload the page every N seconds, 2 to 3600; anything else is off. */
function refreshParam(ctx: Context): number | undefined {
  const n = Number(first(ctx.query.refresh));
  return Number.isInteger(n) && n >= 2 && n <= 3600 ? n : undefined;
}

/** Messages the page shows after a redirect: fixed text, only a number taken from the query. */
function noticeFor(ctx: Context, config: Config): string | undefined {
  const n = Number(first(ctx.query.n));
  switch (first(ctx.query.notice)) {
    case 'reloaded':
      return `Configuration reloaded (hash ${config.source.hash}).`;
    case 'retried':
      return Number.isSafeInteger(n) ? `Dead letter #${n} queued again: it is delivered within seconds if the receiver accepts it now.` : undefined;
    case 'retried-all':
      return Number.isSafeInteger(n) ? `${n} dead letter${n === 1 ? '' : 's'} queued again.` : undefined;
  }
  return undefined;
}

const TESTER_FIELDS = ['type', 'status', 'groupId', 'id'] as const;

/** The route tester's input from the query, and its result (with each receiver's preview) when the form was sent. */
async function routeTester(ctx: Context, state: RoutingState, config: Config, now: number): Promise<AdminView['tester']> {
  if (first(ctx.query.rt) !== '1') return undefined;
  const input: Record<string, string> = {};
  for (const f of [...TESTER_FIELDS, 'labels']) input[f] = (first(ctx.query[f]) ?? '').slice(0, 2000);
  const { labels: extra, bad } = parseLabelLines(input.labels);
  const given: Record<string, string> = { ...extra };
  for (const f of TESTER_FIELDS) if (input[f].trim() !== '') given[f] = input[f].trim();
  const result = testRoute(state.tree, state.groups, given);
  return { input, bad, result, previews: await previewsFor(config, result, now) };
}

/**
 * The admin endpoints, all 404 unless admin.token is set:
 *   GET  /admin                              the page (login form when not logged in); ?q= searches, ?refresh=N reloads
 *   POST /admin/login, /admin/logout         session cookie
 *   POST /admin/dead-letters/:id/retry       one dead letter back to the queue
 *   POST /admin/dead-letters/retry-all
 *   POST /admin/reload, POST /-/reload       re-read the config file
 *   GET  /admin/api/events, /admin/api/dead-letters, /admin/api/routes/test   JSON
 * Every one but login needs the token as a Bearer header or the session cookie (and its CSRF token on POST).
 */
export function createAdminRouter(deps: AdminDeps): Router {
  const router = new Router();
  const enabled = adminEnabled(deps.config);
  const revoked = createRevokedSessions();
  const page = requireAdminToken({ ...deps, revoked }, { page: true });
  const api = requireAdminToken({ ...deps, revoked });
  // Admin answers hold events, routes and dead letters: never cached (by a browser or a proxy), never sniffed.
  router.use(async (ctx, next) => {
    ctx.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    await next();
  });
  const auth = (ctx: Context) => ctx.state.admin as AdminAuth;

  async function showPage(ctx: Context, status: number, extra: Partial<AdminView> = {}) {
    const view = await loadAdminView({ ...deps, now: deps.clock.now(), search: searchParam(ctx) });
    sendHtml(ctx, status, renderAdminPage({
      ...view, csrf: auth(ctx).csrf ?? '', refreshSeconds: refreshParam(ctx), notice: noticeFor(ctx, deps.config()), tester: await routeTester(ctx, deps.state(), deps.config(), deps.clock.now()), ...extra,
    }));
  }

  router.get('/admin', enabled, page, (ctx) => showPage(ctx, 200));
  router.post('/admin/login', enabled, logIn(deps));
  router.post('/admin/logout', enabled, api, logOut({ clock: deps.clock, revoked }));

  router.post('/admin/dead-letters/retry-all', enabled, api, async (ctx) => {
    const n = await retryAllDeadLetters(deps);
    if (auth(ctx).via === 'bearer') ctx.body = { retried: n };
    else seeOther(ctx, `/admin?notice=retried-all&n=${n}#notice`);
  });

  router.post('/admin/dead-letters/:id/retry', enabled, api, async (ctx) => {
    const id = jobIdParam(ctx);
    const outcome = id === null ? { ok: false as const, code: 'not_found' as const, message: 'no such dead letter' } : await retryDeadLetter(deps, id);
    if (auth(ctx).via === 'bearer') {
      if (!outcome.ok) throw new BridgeError(outcome.code, outcome.message, { status: outcome.code === 'not_found' ? 404 : 409 });
      ctx.body = { retried: true, jobId: outcome.jobId, eventId: outcome.eventId, receiver: outcome.receiver };
    } else if (outcome.ok) {
      seeOther(ctx, `/admin?notice=retried&n=${outcome.jobId}#notice`);
    } else {
      await showPage(ctx, outcome.code === 'not_found' ? 404 : 409, { error: outcome.message });
    }
  });

  router.post('/admin/reload', enabled, api, async (ctx) => {
    const outcome = await runReload(deps);
    if (outcome.ok) seeOther(ctx, '/admin?notice=reloaded#notice');
    else await showPage(ctx, 400, { error: `Reload failed; the previous configuration is still in use.\n${outcome.message}` });
  });
  router.post('/-/reload', enabled, api, reloadEndpoint(deps));

  router.get('/admin/api/events', enabled, api, async (ctx) => {
    const limit = Math.min(500, Math.max(1, Number(first(ctx.query.limit)) || 50));
    const search = searchParam(ctx);
    const events = search ? await searchEventViews(deps.store, search, limit) : await recentEventViews(deps.store, limit);
    ctx.body = { events: events.map((e) => ({ event: e.stored.event, routed: e.stored.routed, labels: e.stored.labels, deliveries: e.deliveries, actions: e.actions })) };
  });
  router.get('/admin/api/dead-letters', enabled, api, async (ctx) => {
    const jobs = await deps.store.listJobs({ state: 'dead', limit: DEAD_LETTER_LIMIT });
    ctx.body = { deadLetters: jobs.map((j) => ({ ...deliveryView(j), event: j.event, history: j.history })) };
  });
  router.get('/admin/api/routes/test', enabled, api, async (ctx) => {
    // fromEntries defines own properties: a label named __proto__ is a label, not the object's prototype.
    const given: Record<string, string> = Object.fromEntries(
      Object.entries(ctx.query).flatMap(([k, v]): Array<[string, string]> => (k !== 'rt' && first(v) !== undefined ? [[k, first(v)!]] : [])),
    );
    const state = deps.state();
    const result = testRoute(state.tree, state.groups, given);
    ctx.body = { ...result, previews: await previewsFor(deps.config(), result, deps.clock.now()) };
  });

  return router;
}
