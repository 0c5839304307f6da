// A local stand-in for the receivers' far end, in its own process: Slack's Web API (chat.postMessage answers
// {ok:true} at once) and plain webhook URLs (/hook/...). Records when each marked message arrived, and the body of
// the latest chat call (the grouping benchmark reads its digest's counts).
import { createServer } from 'node:http';
import { tell, wallNow, type ChildMessage } from '../processes.js';

/** Ids the senders put into webhooks (and so into the messages the bridge delivers). */
const MARKER = /e2e-[a-z0-9]+-\d+/;

let arrivals = new Map<string, number>();
let count = 0;
let first = 0;
let last = 0;
/** When the markAt-th message arrived (0 until then): a benchmark times what came after its warm-up. */
let markAt = 0;
let marked = 0;
let ts = 0;
let lastChat = '';
const paths = new Map<string, number>();

function record(body: string, path: string): void {
  const now = wallNow();
  count++;
  if (first === 0) first = now;
  last = now;
  if (count === markAt) marked = now;
  const key = path.startsWith('/hook/') ? '/hook/*' : path;
  paths.set(key, (paths.get(key) ?? 0) + 1);
  if (path.startsWith('/api/chat.')) lastChat = body;
  const m = MARKER.exec(body);
  if (m && !arrivals.has(m[0])) arrivals.set(m[0], now);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0];
    const body = Buffer.concat(chunks).toString('utf8');
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method !== 'POST') return json(404, { ok: false, error: 'unknown_method' });
    if (path.startsWith('/hook/')) {
      record(body, path);
      return json(200, { ok: true });
    }
    switch (path) {
      case '/api/chat.postMessage': {
        record(body, path);
        const channel = /(?:^|&)channel=([^&]*)/.exec(body)?.[1] ?? (() => { try { return JSON.parse(body).channel; } catch { return 'C0'; } })();
        return json(200, { ok: true, channel: decodeURIComponent(channel ?? 'C0'), ts: `1700000000.${String(++ts).padStart(6, '0')}` });
      }
      case '/api/chat.update':
        record(body, path);
        return json(200, { ok: true });
      case '/api/auth.test':
        return json(200, { ok: true, team_id: 'T0BENCH', team: 'bench', user_id: 'U0BENCH', bot_id: 'B0BENCH' });
      case '/api/conversations.list':
        return json(200, { ok: true, channels: [], response_metadata: { next_cursor: '' } });
      default:
        return json(200, { ok: true });
    }
  });
});
server.keepAliveTimeout = 65_000;

process.on('message', (m: ChildMessage) => {
  switch (m?.type) {
    case 'reset':
      arrivals = new Map();
      count = first = last = marked = 0;
      markAt = typeof m.markAt === 'number' ? m.markAt : 0;
      lastChat = '';
      paths.clear();
      tell({ type: 'reset-done' });
      break;
    case 'count':
      tell({ type: 'count', count });
      break;
    case 'report':
      tell({ type: 'report', count, first, last, marked, paths: Object.fromEntries(paths), arrivals: m.arrivals ? [...arrivals] : [], lastChat });
      break;
  }
});
server.listen(0, '127.0.0.1', () => tell({ type: 'ready', port: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => process.exit(0));
