import type { ReceiverConfig } from '../../config/types.js';
import { redactUrl, resultFromError, resultFromStatus } from '../http-failure.js';
import type { Receiver } from '../receiver.js';

/** POSTs the normalised event (with its labels and any details) as JSON to a URL. */
export function createWebhookReceiver(rc: ReceiverConfig & { webhook: NonNullable<ReceiverConfig['webhook']> }, deps: { fetch: typeof fetch; now: () => number }): Receiver {
  const { url, headers } = rc.webhook;
  const what = `webhook ${redactUrl(url)}`;
  return {
    name: rc.name,
    kind: 'webhook',
    pacing: { ratePerSecond: rc.pacing?.ratePerSecond ?? 50, burst: rc.pacing?.burst ?? 50, perHour: rc.pacing?.perHour },
    destinationKey: () => `webhook:${rc.name}`,
    async deliver(job, ctx) {
      const body = JSON.stringify({ event: job.event, labels: job.labels, details: job.details ?? undefined, attempt: job.attempt });
      try {
        const res = await deps.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'aver-bridge', ...headers, 'x-aver-bridge-event-id': job.eventId },
          body,
          signal: ctx.signal,
        });
        await res.arrayBuffer().catch(() => undefined);
        return resultFromStatus(res.status, res.headers.get('retry-after'), deps.now(), what);
      } catch (err) {
        return resultFromError(err, what);
      }
    },
  };
}
