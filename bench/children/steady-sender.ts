// Sends marked webhooks at a steady rate, in its own process. `bridge` mode posts to the bridge and records
// when each 2xx arrived; `direct` mode posts straight to the fake receiver and records when each was sent
// (the one-hop ceiling for end-to-end latency).
import { Agent, request } from 'node:http';
import { childArgs, tell, wallNow, type ChildMessage } from '../processes.js';
import { BENCH_HEADER, BENCH_SECRET, webhookBody } from '../webhook-body.js';

interface Args {
  url: string;
  ratePerSecond: number;
  durationSec: number;
  prefix: string;
  mode: 'bridge' | 'direct';
}

const args = childArgs<Args>();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(args.url);

function send(marker: string, times: Array<[string, number]>, outcome: (status: number) => void): void {
  const body = webhookBody(marker);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (args.mode === 'bridge') headers[BENCH_HEADER] = BENCH_SECRET;
  if (args.mode === 'direct') times.push([marker, wallNow()]);
  // A stalled bridge must not stall the benchmark: a request not answered 30 s after it was due counts as failed
  // (the signal runs from now, also while the request waits for a free socket).
  const signal = AbortSignal.timeout(30_000);
  const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, signal }, (res) => {
    res.resume();
    res.on('end', () => {
      const status = res.statusCode ?? 0;
      if (args.mode === 'bridge' && status >= 200 && status < 300) times.push([marker, wallNow()]);
      outcome(status);
    });
  });
  req.on('error', () => outcome(0));
  req.end(body);
}

function run(): Promise<void> {
  const total = Math.round(args.ratePerSecond * args.durationSec);
  const times: Array<[string, number]> = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let answered = 0;
  return new Promise((resolve) => {
    const start = wallNow();
    const finish = () => {
      if (answered < total) return;
      tell({ type: 'result', sent, answered, statuses, times, elapsedMs: wallNow() - start });
      resolve();
    };
    const outcome = (status: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      answered++;
      finish();
    };
    // Catch up to the schedule every millisecond or so: a steady rate with bursts of a few requests at most.
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((wallNow() - start) * args.ratePerSecond) / 1000));
      while (sent < due) send(`e2e-${args.prefix}-${sent++}`, times, outcome);
      if (sent >= total) clearInterval(timer);
    }, 1);
  });
}

process.on('message', (m: ChildMessage) => {
  if (m?.type === 'run') run().catch((err) => tell({ type: 'error', message: (err as Error).message }));
});
tell({ type: 'ready' });
