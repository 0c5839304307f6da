import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AverApiConfig } from '../model/config.js';
import { BridgeError } from '../errors.js';
import { untilAborted } from '../until-aborted.js';

/** Aver documents a token lifetime of 30 minutes; the token itself carries no expiry we rely on. */
export const TOKEN_LIFETIME_MS = 30 * 60_000;
/** Refresh this long before expiry, so a slow refresh never leaves a request holding a dead token. */
export const TOKEN_REFRESH_BEFORE_MS = 5 * 60_000;

/** `GET /check/{id}`, as Aver documents it; every field may be missing or null in practice. */
export interface AverCheck {
  id?: string;
  organizationId?: string;
  groupId?: string;
  thirdPartyIdentifier?: string | null;
  status?: string;
  statusReason?: string | null;
  checkTypes?: string[] | null;
  [field: string]: unknown;
}

/** `GET /check/{id}/results`: the check plus results, some of them personal data. */
export interface AverCheckResults extends AverCheck {
  warnings?: string[] | null;
  checkResults?: {
    watchlistSearchId?: string | null;
    personalInformation?: { firstName?: string | null; middleName?: string | null; lastName?: string | null; [field: string]: unknown } | null;
    [field: string]: unknown;
  } | null;
}

/** `GET /watchlist/{id}`. */
export interface AverWatchlistSearch {
  id?: string;
  groupId?: string;
  organizationId?: string;
  checkId?: string | null;
  status?: string;
  searchDate?: string;
  searchType?: string;
  recheckInterval?: number;
  lastRecheckDate?: string;
  searchCriteria?: { firstName?: string | null; middleName?: string | null; lastName?: string | null; businessName?: string | null; [field: string]: unknown } | null;
  [field: string]: unknown;
}

/** `GET /watchlist/{id}/results`: the search plus its matches. */
export interface AverWatchlistResults extends AverWatchlistSearch {
  watchlistResults?: unknown[] | null;
  adverseMediaResults?: unknown[] | null;
}

/** The read-only slice of Aver's REST API the bridge uses. Every method rejects with a BridgeError. */
export interface AverApiClient {
  getCheck(id: string, signal?: AbortSignal): Promise<AverCheck>;
  getCheckResults(id: string, signal?: AbortSignal): Promise<AverCheckResults>;
  getWatchlist(id: string, signal?: AbortSignal): Promise<AverWatchlistSearch>;
  getWatchlistResults(id: string, signal?: AbortSignal): Promise<AverWatchlistResults>;
}

export interface AverApiClientDeps {
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
}

interface HeldToken {
  token: string;
  expiresAt: number;
  refreshAt: number;
}

/** One HTTP call to the API with a JSON answer, under cfg.timeoutMs and the caller's signal. */
type Send = (method: 'GET' | 'POST', path: string, authorization: string, body: unknown, outer?: AbortSignal) => Promise<unknown>;

/**
 * Builds the Aver API client: one token shared by every request, refreshed
 * shortly before expiry, replaced once on a 401. Error codes: aver_api_timeout,
 * aver_api_aborted (the caller's signal), aver_api_unauthorized,
 * aver_api_http_<status>, aver_api_error.
 */
export function createAverApiClient(cfg: AverApiConfig, deps: AverApiClientDeps): AverApiClient {
  const logger = deps.logger.child({ component: 'aver-api' });
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const send: Send = (method, path, authorization, body, outer) => sendRequest(deps.fetch, base, cfg.timeoutMs, { method, path, authorization, body }, outer);
  const tokens = createTokenKeeper(cfg, { clock: deps.clock, logger, send });

  async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const token = await tokens.current(signal);
    try {
      return (await send('GET', path, `Bearer ${token}`, undefined, signal)) as T;
    } catch (err) {
      if (!(err instanceof BridgeError) || err.code !== 'aver_api_unauthorized') throw err;
      logger.info({ path: redactPath(path) }, 'Aver API answered 401; requesting a new token and retrying once');
      const again = await tokens.replace(token, signal);
      return (await send('GET', path, `Bearer ${again}`, undefined, signal)) as T;
    }
  }

  /** Async, so an id refused by entityPath rejects like every other failure. */
  async function getEntity<T>(collection: 'check' | 'watchlist', id: string, rest: string, signal?: AbortSignal): Promise<T> {
    return getJson<T>(entityPath(base, collection, id, rest), signal);
  }

  return {
    getCheck: (id, signal) => getEntity<AverCheck>('check', id, '', signal),
    getCheckResults: (id, signal) => getEntity<AverCheckResults>('check', id, '/results', signal),
    getWatchlist: (id, signal) => getEntity<AverWatchlistSearch>('watchlist', id, '', signal),
    getWatchlistResults: (id, signal) => getEntity<AverWatchlistResults>('watchlist', id, '/results', signal),
  };
}

/**
 * `/{collection}/{id}{rest}` for an id from a webhook, which must stay one path segment: separators, `%`, `?` and
 * `#` are percent-encoded, and `.` or `..` (which URL parsing would resolve, sending the Bearer token to another
 * path of Aver's host) are refused, as is any id whose built URL is not `{base}/{collection}/{id}{rest}`.
 */
function entityPath(base: string, collection: 'check' | 'watchlist', id: string, rest: string): string {
  const path = `/${collection}/${safeSegment(id)}${rest}`;
  let stays = false;
  try {
    // Both sides parsed, so the base's spelling (host case, default port) does not matter.
    stays = new URL(base + path).href === new URL(`${base}/${collection}/`).href + path.slice(collection.length + 2);
  } catch {
    stays = false;
  }
  if (!stays) throw invalidId();
  return path;
}

function safeSegment(id: string): string {
  let segment: string;
  try {
    segment = encodeURIComponent(id);
  } catch {
    // A lone surrogate (the webhook schema refuses them first).
    throw invalidId();
  }
  if (segment === '' || segment === '.' || segment === '..') throw invalidId();
  return segment;
}

function invalidId(): BridgeError {
  return new BridgeError('aver_api_invalid_id', 'Aver API: the entity id is empty, "." or "..", or not text, so it cannot name one path segment; not asked', { status: 422 });
}

async function sendRequest(
  fetchFn: typeof fetch,
  base: string,
  timeoutMs: number,
  req: { method: 'GET' | 'POST'; path: string; authorization: string; body: unknown },
  outer?: AbortSignal,
): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
  const what = `${req.method} ${req.path}`;
  try {
    const headers: Record<string, string> = { accept: 'application/json', authorization: req.authorization };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchFn(base + req.path, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
      redirect: 'error',
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 401) throw new BridgeError('aver_api_unauthorized', `Aver API ${what} answered 401 Unauthorized`, { status: 502 });
      throw new BridgeError(`aver_api_http_${res.status}`, `Aver API ${what} answered HTTP ${res.status}`, { status: 502 });
    }
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BridgeError('aver_api_error', `Aver API ${what} answered with a body that is not JSON`, { status: 502 });
    }
  } catch (err) {
    if (err instanceof BridgeError) throw err;
    if (timeout.aborted) throw new BridgeError('aver_api_timeout', `Aver API ${what} did not answer within ${timeoutMs} ms`, { status: 504 });
    if (outer?.aborted) throw abortedError(outer, what);
    // The cause is a network error (ECONNREFUSED, DNS…); it names no header, so no secret.
    throw new BridgeError('aver_api_error', `Aver API ${what} failed: ${describeCause(err)}`, { status: 502, cause: err });
  }
}

/** The one token every request shares: issued with the key and secret, refreshed before expiry, one request at a time. */
function createTokenKeeper(cfg: AverApiConfig, deps: { clock: Clock; logger: Logger; send: Send }) {
  const { clock, logger, send } = deps;
  const basic = 'Basic ' + Buffer.from(`${cfg.key}:${cfg.secret}`, 'utf8').toString('base64');
  let held: HeldToken | null = null;
  // One token request at a time, shared by every caller that needs it.
  let pending: Promise<string> | null = null;

  function keep(token: string, startedAt: number): string {
    const expiresAt = startedAt + TOKEN_LIFETIME_MS;
    held = { token, expiresAt, refreshAt: expiresAt - TOKEN_REFRESH_BEFORE_MS };
    return token;
  }

  async function issue(): Promise<string> {
    const startedAt = clock.now();
    try {
      const token = tokenFrom(await send('GET', '/auth/token', basic, undefined), 'GET /auth/token');
      logger.debug('Aver API token issued');
      return keep(token, startedAt);
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'aver_api_unauthorized') {
        throw new BridgeError('aver_api_unauthorized', 'Aver API rejected the key and secret at GET /auth/token (check aver.api.key and aver.api.secret)', { status: 502 });
      }
      throw err;
    }
  }

  async function refresh(old: string): Promise<string> {
    const startedAt = clock.now();
    try {
      const token = tokenFrom(await send('POST', '/auth/refresh', `Bearer ${old}`, { token: old }), 'POST /auth/refresh');
      logger.debug('Aver API token refreshed');
      return keep(token, startedAt);
    } catch (err) {
      logger.warn({ code: codeOf(err) }, 'Aver API token refresh failed; requesting a new token');
      return issue();
    }
  }

  function share(start: () => Promise<string>): Promise<string> {
    if (!pending) {
      const p = start().finally(() => {
        if (pending === p) pending = null;
      });
      // A caller may stop waiting (its own signal); the token request still settles quietly.
      p.catch(() => undefined);
      pending = p;
    }
    return pending;
  }

  return {
    /** The held token, refreshed (or issued) first when it is due. */
    current(signal?: AbortSignal): Promise<string> {
      const now = clock.now();
      if (held && now < held.refreshAt) return Promise.resolve(held.token);
      const old = held && now < held.expiresAt ? held.token : null;
      return waitFor(share(() => (old ? refresh(old) : issue())), signal);
    },
    /** A token other than `rejected`, which the API just answered 401 to. */
    replace(rejected: string, signal?: AbortSignal): Promise<string> {
      if (held?.token === rejected) held = null;
      // Another caller may already have replaced the rejected token.
      if (held && clock.now() < held.refreshAt) return Promise.resolve(held.token);
      return waitFor(share(issue), signal);
    },
  };
}

function tokenFrom(body: unknown, what: string): string {
  const token = (body as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') throw new BridgeError('aver_api_error', `Aver API ${what} answered without a token`, { status: 502 });
  return token;
}

/** Waits for a shared promise, but lets this caller stop waiting when its own signal aborts. */
function waitFor<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  return signal ? untilAborted(promise, signal, () => abortedError(signal)) : promise;
}

/** A caller's signal that fired because of its own deadline (AbortSignal.timeout) counts as a timeout. */
function abortedError(signal: AbortSignal, what = 'request'): BridgeError {
  const reason = signal.reason as { name?: unknown } | undefined;
  if (reason?.name === 'TimeoutError') return new BridgeError('aver_api_timeout', `Aver API ${what} ran past the caller's deadline`, { status: 504 });
  return new BridgeError('aver_api_aborted', `Aver API ${what} was abandoned by its caller`, { status: 503 });
}

function codeOf(err: unknown): string {
  return err instanceof BridgeError ? err.code : 'aver_api_error';
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.name : 'unknown error';
}

/** Paths carry only entity ids, but keep log lines to the route shape. */
function redactPath(path: string): string {
  return path.replace(/^\/(check|watchlist)\/[^/]+/, '/$1/{id}');
}
