import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { dedupKey } from '../aver/dedup-key.js';
import { newEventId } from '../aver/event-id.js';
import { normalise } from '../aver/normalise.js';
import { validateWebhook } from '../aver/validate-webhook.js';
import type { Clock } from '../clock.js';
import type { Config } from '../model/config.js';
import type { AverEvent } from '../model/event.js';
import { BridgeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { AppendResult, NewEvent } from '../store/store.js';
import { checkSecret } from './check-secret.js';
import type { WriteHealth } from './health.js';
import { readBody } from './read-body.js';
import { createRefusalLog } from './refusal-log.js';

export interface IngestDeps {
  config: () => Config;
  inbox: GroupCommit;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** False while shutting down: new webhooks get 503 so Aver (or a balancer) goes elsewhere. */
  accepting: () => boolean;
  /** Called after an event is stored, to wake the router (or, when it was routed as it was stored, the worker). */
  onAccepted: (routed: boolean) => void;
  /**
   * Routes an event in its append's own transaction, when routing needs nothing asynchronous (see
   * pipeline/route-events.ts); absent, the router routes it after it is stored.
   */
  routeAtIngest?: (event: AverEvent) => { preRouted: NonNullable<NewEvent['preRouted']>; stored: () => void };
  /** Told whether each append succeeded, for /readyz. */
  writes?: Pick<WriteHealth, 'succeeded' | 'failed'>;
}

/**
 * POST {aver.webhook.path}. Checks in a fixed order (auth 401, content type
 * 415, size 413, JSON 400, schema 422), stores durably, then answers 202.
 * Aver documents no retries, so nothing is acknowledged before it is stored.
 */
export function ingestWebhook(deps: IngestDeps): Middleware {
  const logRefusal = createRefusalLog(deps);
  return async (ctx) => {
    const { webhook } = deps.config().aver;
    try {
      if (!deps.accepting()) throw new BridgeError('shutting_down', 'the bridge is shutting down; retry against another replica', { status: 503 });
      // Node keeps only the first of some repeated headers (authorization among them): a repeated
      // security header is refused rather than judged by whichever copy survived.
      if (webhook.secrets.length > 0 && (headerCount(ctx.req.rawHeaders, webhook.header) > 1 || !checkSecret(ctx.get(webhook.header) || undefined, webhook.secrets))) {
        throw new BridgeError('unauthorized', `missing or wrong ${webhook.header} header`, { status: 401 });
      }
      // Not ctx.is(): it answers null for an empty body, which would make an empty JSON post a 415 instead of a 400.
      if (ctx.request.type.trim().toLowerCase() !== 'application/json') {
        throw new BridgeError('unsupported_media_type', 'content-type must be application/json', { status: 415 });
      }
      const raw = await readBody(ctx, webhook.maxBodyBytes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new BridgeError('invalid_json', 'the body is not valid JSON', { status: 400 });
      }
      const now = deps.clock.now();
      const event = normalise(validateWebhook(parsed), newEventId(now), now);
      const routed = deps.routeAtIngest?.(event);
      const result = await appendCounted(deps, { event, dedupKey: dedupKey(event), dedupUntil: now + webhook.dedupWindowMs, preRouted: routed?.preRouted });
      // Undocumented values are counted as "other", so a sender cannot create unbounded metric series.
      const metricLabels = { type: event.unknownType ? 'other' : event.type, status: event.unknownStatus ? 'other' : event.status };
      deps.metrics.eventsReceived.inc({ ...metricLabels, outcome: result.duplicate ? 'duplicate' : 'accepted', code: '' });
      if (result.duplicate) {
        deps.logger.info({ eventId: result.eventId, type: event.type, id: event.id, status: event.status }, 'duplicate webhook');
        ctx.status = 200;
        ctx.body = { accepted: true, duplicate: true, eventId: result.eventId };
        return;
      }
      if (event.unknownType) deps.metrics.eventsUnknown.inc({ field: 'type' });
      if (event.unknownStatus) deps.metrics.eventsUnknown.inc({ field: 'status' });
      deps.logger.info(
        { eventId: event.eventId, type: event.type, id: event.id, groupId: event.groupId, status: event.status, unknownType: event.unknownType || undefined, unknownStatus: event.unknownStatus || undefined },
        'event accepted',
      );
      ctx.status = 202;
      ctx.body = { accepted: true, eventId: event.eventId };
      routed?.stored();
      deps.onAccepted(routed !== undefined);
    } catch (err) {
      const code = err instanceof BridgeError ? err.code : 'internal_error';
      deps.metrics.eventsReceived.inc({ type: '', status: '', outcome: 'rejected', code });
      // The sender's mistake (a wrong secret above all), at warn; a client that left or stalled is renderErrors' debug line.
      if (err instanceof BridgeError && err.status < 500 && !CLIENT_LEFT.has(err.code)) {
        logRefusal({ status: err.status, code: err.code, remoteAddress: ctx.ip, method: ctx.method, path: ctx.path, reason: err.message });
      }
      throw err;
    }
  };
}

/** Appends through the group commit; a store failure (not an item refused with a 4xx) counts against /readyz. */
async function appendCounted(deps: IngestDeps, item: NewEvent): Promise<AppendResult> {
  try {
    const result = await deps.inbox.append(item);
    deps.writes?.succeeded();
    return result;
  } catch (err) {
    if (!(err instanceof BridgeError && err.status < 500)) deps.writes?.failed();
    throw err;
  }
}

/** Refusals that are no sender's set-up mistake: the client went away, or sent too slowly. */
const CLIENT_LEFT: ReadonlySet<string> = new Set(['client_aborted', 'request_timeout']);

function headerCount(rawHeaders: string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) n++;
  return n;
}
