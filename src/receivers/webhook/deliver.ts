import { drainAnswer } from '../../http/drain-answer.js';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
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
  deps: { fetch: typeof fetch; now: () => number; config?: Pick<Config, 'aver' | 'display'> & Partial<Pick<Config, 'templates'>> },
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
      const message = receiverMessage(job, ctx, deps.config ?? {}, rc);
      const body = JSON.stringify({ event: job.event, labels: job.labels, details: job.details ?? undefined, attempt: job.attempt, message });
      try {
        const res = await deps.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'aver-bridge', ...headers, 'x-aver-bridge-event-id': job.eventId },
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
