// The ceiling for fan-out: a plain fetch loop with the bridge's delivery concurrency, posting the same kind of
// JSON to the same fake receiver URLs, in its own process. With `slack`, the drain's ceiling, the machine's bare one:
// the chat.postMessage JSON the bridge sent (each job's entity id in place of the one it was captured with) to the
// fake Slack API through node:http with kept-alive connections, the cheapest way Node has to post (fetch costs
// several times its CPU a request).
import { Agent, request } from 'node:http';
import { childArgs, tell, wallNow, type ChildMessage } from '../processes.js';

interface Args {
  fakeUrl: string;
  jobs: number;
  channels: number;
  concurrency: number;
  prefix: string;
  slack?: { body: string; marker: string; token: string };
}

const args = childArgs<Args>();

/** One webhook's JSON to /hook/CHANNEL by fetch; true when answered 2xx. */
async function postWebhook(i: number, id: string): Promise<boolean> {
  const body = JSON.stringify({
    event: { eventId: `${i}`, type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed', receivedAt: Date.now(), unknownType: false, unknownStatus: false, raw: { type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed' } },
    labels: { type: 'LiveCheck', status: 'Completed', groupId: 'bench-group', group: 'bench-group', id },
    attempt: 1,
  });
  const res = await fetch(`${args.fakeUrl}/hook/ch${String(i % args.channels).padStart(4, '0')}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'aver-bridge' }, body,
  });
  await res.arrayBuffer();
  return res.ok;
}

/** chat.postMessage with `id` in the captured JSON, by node:http; true when Slack's answer says ok. */
function chatPoster(slack: NonNullable<Args['slack']>): (id: string) => Promise<boolean> {
  const parts = slack.body.split(slack.marker);
  const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
  const url = new URL(`${args.fakeUrl}/api/chat.postMessage`);
  return (id) => new Promise((resolve, reject) => {
    const body = parts.join(id);
    const req = request({
      hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${slack.token}`, 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve(res.statusCode === 200 && (JSON.parse(text) as { ok?: boolean }).ok === true));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run() {
  let next = 0;
  let failed = 0;
  const chat = args.slack && chatPoster(args.slack);
  const t0 = wallNow();
  tell({ type: 'started', t0 });
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= args.jobs) return;
      const id = `fan-${args.prefix}-${i}`;
      if (!(await (chat ? chat(id) : postWebhook(i, id)))) failed++;
    }
  }
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  tell({ type: 'done', elapsedMs: wallNow() - t0, failed });
}

process.on('message', (m: ChildMessage) => {
  if (m?.type === 'run') run().catch((err) => tell({ type: 'error', message: (err as Error).message }));
});
tell({ type: 'ready' });
