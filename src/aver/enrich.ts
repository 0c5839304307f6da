import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AverApiConfig } from '../model/config.js';
import { BridgeError, type ErrorCode } from '../errors.js';
import { untilAborted } from '../until-aborted.js';
import type { EventDetails } from '../model/event.js';
import type { AverApiClient, AverCheck, AverCheckResults, AverWatchlistResults, AverWatchlistSearch } from './api-client.js';
import { entityKey, type AverEvent, type Labels } from '../model/event.js';
import { canonicalStatusReason, canonicalWarning } from '../present/words.js';

// The words for warnings and status reasons live in the one word table every message uses (present/words.ts).
export {
  KNOWN_STATUS_REASONS,
  KNOWN_WARNINGS,
  reasonWords as describeStatusReason,
  warningWords as describeWarning,
} from '../present/words.js';

export interface Enrichment {
  /** Only the labels enrichment adds; empty when details are unavailable. */
  labels: Labels;
  details: EventDetails;
}

export interface Enricher {
  /** Labels and details for an event. Never throws: on timeout or error, `{ labels: {}, details: { available: false } }`. */
  enrich(event: AverEvent, signal?: AbortSignal): Promise<Enrichment>;
}

export interface EnricherDeps {
  client: AverApiClient;
  clock: Clock;
  logger: Logger;
  /** Called with an error code each time an event goes on without details (feeds a metric). */
  onUnavailable?: (code: ErrorCode) => void;
  /** Most entities cached at once; the least recently used go first. */
  maxEntries?: number;
}

export const DEFAULT_MAX_CACHE_ENTRIES = 10_000;
const MAX_LABEL_LENGTH = 256;

/** What Aver's API says about one entity: an event's details before they are marked available. */
type Facts = Omit<EventDetails, 'available'>;

interface Entry {
  /** The webhook status the entry was fetched for: a new status fetches again, so a Rejected event never shows stale details. */
  status: string;
  /** Infinity while in flight; set when the fetch settles. */
  expiresAt: number;
  promise: Promise<Facts>;
}

const UNAVAILABLE = (): Enrichment => ({ labels: {}, details: { available: false } });

/**
 * Builds the enricher: details from Aver's REST API for LiveCheck/OfflineCheck
 * (check + results) and WatchlistSearch/RecurringWatchlistSearch (search +
 * results), cached per entity for cfg.cacheTtlMs with one fetch in flight per
 * entity. Personal data is dropped here, before anything can log or post it;
 * only the name survives, and only with cfg.showPersonalData.
 */
export function createEnricher(cfg: AverApiConfig, deps: EnricherDeps): Enricher {
  const { client, clock } = deps;
  const logger = deps.logger.child({ component: 'aver-enrich' });
  const cache = createFactsCache(clock, Math.max(1, deps.maxEntries ?? DEFAULT_MAX_CACHE_ENTRIES));
  const breaker = createBreaker(clock, logger);
  const report = (code: ErrorCode) => {
    try {
      deps.onUnavailable?.(code);
    } catch {
      // A metric must never break delivery.
    }
  };

  /** The entity's facts from the cache, or from one new fetch shared by every event that asks meanwhile. */
  function factsFor(event: AverEvent): Promise<Facts> {
    const key = entityKey(event);
    const cached = cache.lookup(key, event.status);
    if (cached) return cached.promise;
    const created = cache.add(key, event.status, fetchFacts(client, cfg, event));
    created.promise.then(
      () => {
        created.expiresAt = clock.now() + cfg.cacheTtlMs;
        breaker.noteOutcome(undefined);
      },
      (err) => {
        // Failures are not cached: the next event asks again.
        cache.forget(key, created);
        breaker.noteOutcome(err);
      },
    );
    return created.promise;
  }

  function unavailable(event: AverEvent, err: unknown): Enrichment {
    const code = codeOf(err);
    // Our own BridgeError messages name only the method, path and status; anything else is logged by name only.
    logger.warn({ entity: entityKey(event), code, reason: err instanceof BridgeError ? err.message : errorName(err) }, 'Aver details unavailable; the event goes on without them');
    report(code);
    return UNAVAILABLE();
  }

  return {
    async enrich(event, signal) {
      if (!isSupported(event.type)) return UNAVAILABLE();
      if (breaker.paused()) {
        report('aver_api_paused');
        return UNAVAILABLE();
      }
      try {
        const facts = await raceSignal(factsFor(event), signal, cfg.timeoutMs);
        return { labels: labelsFrom(facts), details: { available: true, ...facts } };
      } catch (err) {
        return unavailable(event, err);
      }
    },
  };
}

/** Facts per entity, least recently used first, at most `maxEntries`; an entry fetched for another status is stale. */
function createFactsCache(clock: Clock, maxEntries: number) {
  const cache = new Map<string, Entry>();
  return {
    lookup(key: string, status: string): Entry | undefined {
      const entry = cache.get(key);
      if (!entry) return undefined;
      cache.delete(key);
      if (entry.status !== status || clock.now() >= entry.expiresAt) return undefined;
      // Re-inserted so Map order is least recently used first.
      cache.set(key, entry);
      return entry;
    },
    add(key: string, status: string, promise: Promise<Facts>): Entry {
      const entry: Entry = { status, expiresAt: Infinity, promise };
      cache.set(key, entry);
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      return entry;
    },
    /** Drops `entry` unless a newer fetch has replaced it. */
    forget(key: string, entry: Entry): void {
      if (cache.get(key) === entry) cache.delete(key);
    },
  };
}

/**
 * After BREAKER_FAILURES outages in a row (timeouts, 5xx, network), the API is left alone for BREAKER_PAUSE_MS:
 * a burst during an outage then routes at once instead of each event waiting out the timeout.
 */
function createBreaker(clock: Clock, logger: Logger) {
  let failuresInARow = 0;
  let pausedUntil = 0;
  return {
    paused: () => clock.now() < pausedUntil,
    /** `undefined` for a fetch that succeeded. */
    noteOutcome(err: unknown): void {
      if (err === undefined) {
        failuresInARow = 0;
        return;
      }
      const code = codeOf(err);
      if (!isOutage(code)) return;
      failuresInARow += 1;
      if (failuresInARow >= BREAKER_FAILURES) {
        pausedUntil = clock.now() + BREAKER_PAUSE_MS;
        failuresInARow = 0;
        logger.warn({ code, pauseMs: BREAKER_PAUSE_MS }, 'Aver API keeps failing; events go on without details for a while');
      }
    },
  };
}

/** One fetch for an entity, shared by every event in a burst: it has its own deadline, not one caller's signal. */
async function fetchFacts(client: AverApiClient, cfg: AverApiConfig, event: AverEvent): Promise<Facts> {
  const signal = AbortSignal.timeout(cfg.timeoutMs);
  const { id } = event;
  if (event.type === 'LiveCheck' || event.type === 'OfflineCheck') {
    const [check, results] = await Promise.all([client.getCheck(id, signal), optionalResults(client.getCheckResults(id, signal))]);
    return factsFromCheck(check, results, cfg.showPersonalData);
  }
  const [search, results] = await Promise.all([client.getWatchlist(id, signal), optionalResults(client.getWatchlistResults(id, signal))]);
  return factsFromWatchlist(search, results, cfg.showPersonalData);
}

function codeOf(err: unknown): ErrorCode {
  return err instanceof BridgeError ? err.code : 'aver_api_error';
}

/** Consecutive outages before the API is paused, and for how long. */
export const BREAKER_FAILURES = 5;
export const BREAKER_PAUSE_MS = 30_000;

/** Failures that say the API is down or overloaded, as opposed to one entity's problem. */
function isOutage(code: string): boolean {
  return code === 'aver_api_timeout' || code === 'aver_api_error' || /^aver_api_http_(5\d\d|429)$/.test(code);
}

function isSupported(type: string): boolean {
  return type === 'LiveCheck' || type === 'OfflineCheck' || type === 'WatchlistSearch' || type === 'RecurringWatchlistSearch';
}

/** Results are only documented for finished checks; a 4xx there (other than 401/429) leaves us with the summary. */
async function optionalResults<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof BridgeError && /^aver_api_http_4\d\d$/.test(err.code) && err.code !== 'aver_api_http_429') return null;
    throw err;
  }
}

/** Waits for a shared fetch for at most `ms`, or until this caller's signal aborts. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, ms: number): Promise<T> {
  const deadline = AbortSignal.timeout(ms);
  return untilAborted(promise, signal ? AbortSignal.any([deadline, signal]) : deadline, () => abortError(deadline));
}

function abortError(deadline: AbortSignal): BridgeError {
  return deadline.aborted
    ? new BridgeError('aver_api_timeout', 'Aver details did not arrive in time', { status: 504 })
    : new BridgeError('aver_api_aborted', 'Aver details were abandoned by the caller', { status: 503 });
}

function factsFromCheck(check: AverCheck, results: AverCheckResults | null, showPersonalData: boolean): Facts {
  const src = { ...check, ...(results ?? {}) };
  const facts: Facts = {};
  const tpi = text(src.thirdPartyIdentifier);
  if (tpi) facts.thirdPartyIdentifier = tpi;
  const types = list(src.checkTypes).map((t) => t.trim()).filter(Boolean);
  if (types.length) facts.checkTypes = types;
  const reason = text(src.statusReason);
  if (reason) facts.statusReason = canonicalStatusReason(reason);
  if (results) facts.warnings = unique(list(results.warnings).map(canonicalWarning).filter(Boolean));
  if (showPersonalData) {
    const pi = results?.checkResults?.personalInformation;
    const name = joinName(pi?.firstName, pi?.lastName);
    if (name) facts.name = name;
  }
  return facts;
}

function factsFromWatchlist(search: AverWatchlistSearch, results: AverWatchlistResults | null, showPersonalData: boolean): Facts {
  const facts: Facts = {};
  if (results) {
    facts.watchlistHits = Array.isArray(results.watchlistResults) ? results.watchlistResults.length : 0;
    facts.adverseMediaHits = Array.isArray(results.adverseMediaResults) ? results.adverseMediaResults.length : 0;
  }
  if (showPersonalData) {
    const c = (results ?? search).searchCriteria;
    const name = joinName(c?.firstName, c?.lastName) ?? text(c?.businessName);
    if (name) facts.name = name;
  }
  return facts;
}

function labelsFrom(f: Facts): Labels {
  const labels: Labels = {};
  if (f.thirdPartyIdentifier) labels.thirdPartyIdentifier = f.thirdPartyIdentifier;
  if (f.checkTypes?.length) labels.checkTypes = f.checkTypes.join(',');
  if (f.statusReason) labels.statusReason = f.statusReason;
  if (f.warnings?.length) labels.warnings = f.warnings.join(',');
  if (f.watchlistHits !== undefined) labels.watchlistHits = String(f.watchlistHits);
  if (f.adverseMediaHits !== undefined) labels.adverseMediaHits = String(f.adverseMediaHits);
  return labels;
}

/** A cleaned, trimmed, bounded string, or undefined: Aver's fields may be null, numbers, or absurdly long. */
function text(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = bounded(String(v)).trim();
  return s || undefined;
}

/** Strings of an array, cleaned; commas are dropped because labels join lists with them. */
function list(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string').map((x) => bounded(x.replace(/,/g, ' ')));
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text from Aver's API as the bridge keeps it: C0 control characters but tab and newline removed (a NUL cannot
 * be stored in PostgreSQL, and none belongs in a chat message), lone surrogates replaced with U+FFFD, and cut to
 * MAX_LABEL_LENGTH without splitting a surrogate pair.
 */
function bounded(raw: string): string {
  const s = raw.replace(CONTROL, '');
  const cut = s.length > MAX_LABEL_LENGTH && /[\ud800-\udbff]/.test(s.charAt(MAX_LABEL_LENGTH - 1)) ? MAX_LABEL_LENGTH - 1 : MAX_LABEL_LENGTH;
  return s.slice(0, cut).replace(LONE_SURROGATE, '\ufffd');
}

function joinName(first: unknown, last: unknown): string | undefined {
  const name = [text(first), text(last)].filter(Boolean).join(' ');
  return name || undefined;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'unknown error';
}
