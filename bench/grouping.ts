// node --import tsx bench/grouping.ts [--events 10000] [--group-wait 2s]
// Benchmark 6 (issue 15): a burst of RecurringWatchlistSearch events to one Slack channel, grouped by
// [groupId, type] beside the same burst ungrouped. Counts chat API calls and the time to the first message.
// Runs in one process (the bridge, the fake Slack API and the sender share an event loop): the counts are exact,
// the times are upper bounds. Not yet wired into run.ts.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createBridge } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '10000' }, 'group-wait': { type: 'string', default: '2s' } } });
const EVENTS = Number(values.events);
const WINDOW_MS = 15_000;

async function fakeSlack() {
  const calls: Array<{ method: string; at: number }> = [];
  let ts = 1;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      calls.push({ method, at: performance.now() });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(method === 'auth.test' ? { ok: true } : { ok: true, channel: 'C0123456789', ts: `${ts++}.0001` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/api/`, calls, close: () => new Promise((r) => server.close(r)) };
}

async function run(grouped: boolean) {
  const slack = await fakeSlack();
  const dir = mkdtempSync(join(tmpdir(), 'aver-bench-grouping-'));
  const yaml = `
server: { host: 127.0.0.1, port: 0 }
aver: { webhook: { secrets: ["s3cret-value"] } }
storage: { url: "sqlite:${join(dir, 'bridge.db')}" }
slack: { botToken: xoxb-bench, apiUrl: ${slack.url}, verifyToken: false }
receivers:
  - name: kyc-slack
    slack: { channel: C0123456789 }
route:
  receiver: kyc-slack
${grouped ? `  group_by: [groupId, type]\n  group_wait: ${values['group-wait']}` : ''}
`;
  const bridge = await createBridge(parseConfig(yaml, join(dir, 'bench.yaml'), {}), { logger: pino({ level: 'silent' }) });
  const { port } = await bridge.start();
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < EVENTS) {
      const i = next++;
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/aver`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 's3cret-value' },
        body: JSON.stringify({ statusMessage: { type: 'RecurringWatchlistSearch', id: `rws-${i}`, groupId: 'grp-eu', status: i % 50 === 0 ? 'AwaitingReview' : 'Completed' } }),
      });
      await res.text();
    }
  }));
  const accepted = performance.now() - start;
  while (performance.now() - start < WINDOW_MS && !slack.calls.some((c) => c.method.startsWith('chat.'))) await new Promise((r) => setTimeout(r, 20));
  const first = slack.calls.find((c) => c.method.startsWith('chat.'));
  await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_MS - (performance.now() - start))));
  const chat = slack.calls.filter((c) => c.method.startsWith('chat.')).length;
  await bridge.stop();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
  return { accepted, firstMs: first ? first.at - start : null, chat };
}

const grouped = await run(true);
const ungrouped = await run(false);
const row = (name: string, r: typeof grouped, drain: string) =>
  `| ${name} | ${r.chat.toLocaleString('en-US')} | ${r.firstMs === null ? '—' : `${(r.firstMs / 1000).toFixed(2)} s`} | ${(r.accepted / 1000).toFixed(2)} s | ${drain} |`;
console.log(`| ${EVENTS.toLocaleString('en-US')} RecurringWatchlistSearch events, one Slack channel | chat API calls in the first ${WINDOW_MS / 1000} s | time to the first message | all ${EVENTS.toLocaleString('en-US')} accepted (202) | messages to drain the burst |`);
console.log('|---|---|---|---|---|');
console.log(row(`grouped, group_by [groupId, type], group_wait ${values['group-wait']}`, grouped, '1 digest (edited in place by later events)'));
console.log(row('ungrouped (as before)', ungrouped, `${EVENTS.toLocaleString('en-US')} messages: ${(EVENTS / 3600).toFixed(1)} h at Slack's 1/s per channel`));
