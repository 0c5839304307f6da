// Sends marked webhooks at a steady rate to one or more bridges, in its own process, for the failover benchmark.
// Webhook i goes to the i-th live URL in turn, as a load balancer spreads them. With `failover`, a URL that refuses
// or drops a connection is taken out of the turn and that webhook is posted again to the next live one, as a
// balancer retries; without it (one URL, a bridge that restarts), the webhook simply failed. Only a 2xx counts as
// acknowledged. Says `halfway` once half are sent (the runner kills a bridge then).
import { Agent } from 'node:http';
import { childArgs, tell, wallNow, type ChildMessage } from '../processes.js';
import { postWebhook, webhookBody } from '../webhook-body.js';

interface Args {
  urls: string[];
  ratePerSecond: number;
  total: number;
  prefix: string;
  failover: boolean;
}

const args = childArgs<Args>();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const live = [...args.urls];

/** Posts one webhook; resolves with its status, 0 for a refused, reset or timed-out connection. */
function post(url: string, marker: string): Promise<number> {
  return postWebhook(agent, new URL(url), webhookBody(marker));
}

interface Tally {
  acked: Array<[string, number]>;
  statuses: Record<string, number>;
  reposted: number;
  ackedBy: Record<string, number>;
}

/** Sends one webhook to the live URL whose turn it is, and on a connection failure to the next, if `failover`. */
async function sendOne(i: number, tally: Tally): Promise<void> {
  const marker = `e2e-${args.prefix}-${i}`;
  let url = live[i % live.length];
  let status = await post(url, marker);
  while (status === 0 && args.failover) {
    // The last live URL stays in the turn whatever happens: there is nowhere else to send.
    const at = live.indexOf(url);
    if (at >= 0 && live.length > 1) live.splice(at, 1);
    const next = live[i % live.length];
    if (next === url) break;
    url = next;
    tally.reposted++;
    status = await post(url, marker);
  }
  tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
  if (status >= 200 && status < 300) {
    tally.acked.push([marker, wallNow()]);
    tally.ackedBy[url] = (tally.ackedBy[url] ?? 0) + 1;
  }
}

function run(): Promise<void> {
  const tally: Tally = { acked: [], statuses: {}, reposted: 0, ackedBy: {} };
  const pending: Array<Promise<void>> = [];
  const half = Math.floor(args.total / 2);
  return new Promise((resolve) => {
    const start = wallNow();
    let sent = 0;
    // Catch up to the schedule every millisecond or so: a steady rate with bursts of a few requests at most.
    const timer = setInterval(() => {
      const due = Math.min(args.total, Math.floor(((wallNow() - start) * args.ratePerSecond) / 1000));
      while (sent < due) {
        pending.push(sendOne(sent++, tally));
        if (sent === half) tell({ type: 'halfway', at: wallNow() });
      }
      if (sent < args.total) return;
      clearInterval(timer);
      void Promise.all(pending).then(() => {
        tell({ type: 'result', sent, ...tally, doneAt: wallNow() });
        resolve();
      });
    }, 1);
  });
}

process.on('message', (m: ChildMessage) => {
  if (m?.type === 'run') run().catch((err) => tell({ type: 'error', message: (err as Error).message }));
});
tell({ type: 'ready' });
