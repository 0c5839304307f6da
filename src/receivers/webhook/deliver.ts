import { drainAnswer } from '../../http/drain-answer.js';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
import type { DeliveryJob } from '../../model/job.js';
import type { Store } from '../../store/store.js';
import { digestMessage } from '../../present/digest.js';
import { receiverMessage } from '../../present/receiver-message.js';
import { redactUrl, resultFromError, resultFromStatus } from '../http-failure.js';
import type { Receiver } from '../receiver.js';
import { pacingFor } from '../pacing-for.js';

/** Webhooks are ours to pace: a generous default, overridable per receiver with `pacing`. */
export const WEBHOOK_DEFAULT_PACING = { ratePerSecond: 50, burst: 50 } as const;

/**
 * POSTs the normalised event (with its labels and any details) as JSON to a
 * URL, with `message`: the message model every chat channel renders (severity,
 * headline, text, facts, …). The receiving end can deduplicate on
 * `x-aver-bridge-event-id`: after a crash mid-delivery the same event may come twice.
 */
export function createWebhookReceiver(
  rc: Omit<ReceiverConfigOf<'webhook'>, 'kind'>,
  deps: {
    fetch: typeof fetch; now: () => number; config?: Pick<Config, 'aver' | 'display'> & Partial<Pick<Config, 'templates'>>;
    /** Where the actions it follows (`actions: true`) are read from. */
    store?: Pick<Store, 'getCheckAction'>;
  },
): Receiver {
  const { url, headers } = rc.webhook;
  const what = `webhook "${rc.name}" (${redactUrl(url)})`;
  return {
    name: rc.name,
    kind: 'webhook',
    usesHistory: false,
    pacing: pacingFor(WEBHOOK_DEFAULT_PACING, rc.pacing),
    destinationKey: () => `webhook:${rc.name}`,
    async deliver(job, ctx) {
      let body: string;
      let eventId = job.eventId;
      if (job.actionId !== undefined) {
        const action = await actionBody(job, deps.store);
        if (!action) return { ok: true };
        // An id of its own: a receiving end that deduplicates on it must not take the action for the status.
        eventId = `${job.eventId}.action-${job.actionId}`;
        body = JSON.stringify(action);
      } else if (job.kind === 'digest') {
        // A digest (a group, or what was held while muted): its counts and items, not any one event's message. Each
        // flush of a group is a job of its own, and so an id of its own (the same on every attempt).
        if (!job.digest) return { ok: false, retryable: false, failure: 'other', code: 'other', reason: 'the group of this digest is gone from the store' };
        eventId = `${job.eventId}.digest-${job.id}`;
        body = JSON.stringify({ kind: 'digest', labels: job.digest.labels, attempt: job.attempt, digest: digestMessage(job.digest, deps.config ?? {}, rc, ctx.logger) });
      } else {
        const message = receiverMessage(job, ctx, deps.config ?? {}, rc);
        // A reminder is the check's event and message, with its number; an id of its own, as the status went before.
        const extra = job.kind === 'reminder' ? { kind: 'reminder', reminder: job.reminder ?? 1 } : {};
        if (job.kind === 'reminder') eventId = `${job.eventId}.reminder-${job.reminder ?? 1}`;
        body = JSON.stringify({ event: job.event, labels: job.labels, details: job.details ?? undefined, attempt: job.attempt, message, ...extra });
      }
      try {
        const res = await deps.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'aver-bridge', ...headers, 'x-aver-bridge-event-id': eventId },
          body,
          // A redirect is answered as the 3xx it is (a non-retryable misconfiguration), never followed with our headers.
          redirect: 'manual',
          signal: ctx.signal,
        });
        await drainAnswer(res);
        return resultFromStatus(res.status, res.headers.get('retry-after'), deps.now(), what);
      } catch (err) {
        return resultFromError(err, what);
      }
    },
  };
}

/**
 * What a webhook with `actions: true` is sent for one acknowledgement or assignment: `type: "check.action"`, the
 * action (who, what, when, from which receiver and channel, about which status), the check's state after it, and
 * the check's latest event with its labels. Undefined when the action is not in the store (nothing to send).
 */
async function actionBody(job: DeliveryJob, store: Pick<Store, 'getCheckAction'> | undefined): Promise<Record<string, unknown> | undefined> {
  const record = job.actionId === undefined ? null : await store?.getCheckAction(job.actionId);
  if (!record) return undefined;
  const { state, ...action } = record;
  return { type: 'check.action', action, state, check: { type: job.event.type, id: job.event.id, entityKey: job.entityKey }, event: job.event, labels: job.labels };
}
