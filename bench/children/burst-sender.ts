// Sends a burst of RecurringWatchlistSearch webhooks of one group, `concurrency` at a time, as fast as the bridge
// answers, in its own process (as a recurring watchlist search over a large group makes Aver do). Reports when the
// burst started and when the last answer came (wall clock, comparable with the fake API's arrival times).
import { Agent } from 'node:http';
import { childArgs, tell, wallNow, type ChildMessage } from '../processes.js';
import { postWebhook } from '../webhook-body.js';

interface Args {
  url: string;
  events: number;
  concurrency: number;
  prefix: string;
}

const args = childArgs<Args>();
const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
const target = new URL(args.url);

/** One search of the group: every 50th awaits review, the rest completed. */
function body(i: number): string {
  const status = i % 50 === 0 ? 'AwaitingReview' : 'Completed';
  return JSON.stringify({ statusMessage: { type: 'RecurringWatchlistSearch', id: `rws-${args.prefix}-${i}`, groupId: 'grp-bench', status } });
}

function post(i: number): Promise<number> {
  return postWebhook(agent, target, body(i));
}

async function run(): Promise<void> {
  const statuses: Record<string, number> = {};
  const t0 = wallNow();
  tell({ type: 'started', t0 });
  let next = 0;
  await Promise.all(Array.from({ length: args.concurrency }, async () => {
    while (next < args.events) {
      const status = await post(next++);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }));
  tell({ type: 'result', t0, doneAt: wallNow(), statuses });
}

process.on('message', (m: ChildMessage) => {
  if (m?.type === 'run') run().catch((err) => tell({ type: 'error', message: (err as Error).message }));
});
tell({ type: 'ready' });
