// The load generator for ingest: autocannon, in its own process, posting unique valid webhooks.
import autocannon from 'autocannon';
import { childArgs, tell, type ChildMessage } from '../processes.js';
import { percentile } from '../table.js';
import { BENCH_HEADER, BENCH_SECRET, webhookBody } from '../webhook-body.js';

interface Args {
  url: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Makes ids unique across runs on one store. */
  prefix: string;
}

const args = childArgs<Args>();

/** The parts of autocannon's result this reads. */
interface LoadRun {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
}

function run(durationSec: number, phase: string, latencies: number[] | null) {
  let n = 0;
  const instance = autocannon({
    url: args.url,
    connections: args.connections,
    duration: durationSec,
    method: 'POST',
    headers: { 'content-type': 'application/json', [BENCH_HEADER]: BENCH_SECRET },
    requests: [{
      setupRequest: (req: Record<string, unknown>) => ({ ...req, body: webhookBody(`${args.prefix}-${phase}-${n++}`) }),
    }],
  });
  if (latencies) {
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  }
  return new Promise<LoadRun>((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
}

process.on('message', (m: ChildMessage) => void onMessage(m));

async function onMessage(m: ChildMessage) {
  if (m?.type !== 'run') return;
  try {
    if (args.warmupSec > 0) await run(args.warmupSec, 'warmup', null);
    const latencies: number[] = [];
    const from = Number(process.hrtime.bigint() / 1000n);
    const r = await run(args.durationSec, 'measure', latencies);
    const to = Number(process.hrtime.bigint() / 1000n);
    latencies.sort((a, b) => a - b);
    const statusCodes: Record<string, number> = {};
    for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count;
    tell({
      type: 'result',
      requestsPerSec: r['2xx'] / r.duration,
      ok: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      statusCodes,
      durationSec: r.duration,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      windowUs: [from, to],
    });
  } catch (err) {
    tell({ type: 'error', message: (err as Error).message });
  }
}
tell({ type: 'ready' });
