import { bridgeYaml, startBridgeProcess } from './bridge-process.js';
import type { BenchContext } from './context.js';
import { runId } from './context.js';
import { memoryOf, sampleRss, sleep, startChild } from './processes.js';
import { atMost, below, ratioAtLeast, row, type Row } from './table.js';
import { WEBHOOK_PATH } from './webhook-body.js';

export interface LoadResult {
  requestsPerSec: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  windowUs: [number, number];
}

/** Runs the autocannon child against `url` (warm-up, then the measured run). */
async function load(ctx: BenchContext, url: string): Promise<LoadResult> {
  const { connections, warmupSec, durationSec } = ctx.sizes.ingest;
  const child = await startChild('load', { url, connections, warmupSec, durationSec, prefix: runId() });
  try {
    return await child.ask<LoadResult>({ type: 'run' }, 'result', (warmupSec + durationSec + 60) * 1000);
  } finally {
    await child.stop();
  }
}

function describeLoad(r: LoadResult): string {
  const bad = r.non2xx + r.errors + r.timeouts;
  return `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${bad ? `; ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts ${JSON.stringify(r.statusCodes)}` : ''}`;
}

/** Benchmark 1a: the ceiling, a bare node:http server; stores its numbers in ctx.facts. */
export async function ingestCeiling(ctx: BenchContext): Promise<Row[]> {
  ctx.log('ingest: bare node:http server (ceiling)');
  const server = await startChild('bare-server', {});
  const rss = sampleRss(server.pid);
  let r: LoadResult;
  try {
    r = await load(ctx, `http://127.0.0.1:${server.ready.port}${WEBHOOK_PATH}`);
  } finally {
    ctx.facts.bareRssPeakMb = rss.stop().peakMb;
    await server.stop();
  }
  ctx.facts.bareRps = r.requestsPerSec;
  ctx.facts.bareP50 = r.p50;
  ctx.facts.bareP99 = r.p99;
  return [row({
    key: 'ingest.bare.rps', name: '1. Ingest: bare node:http (the ceiling)', unit: 'req/s',
    result: r.requestsPerSec, ceiling: null, ceilingName: '', note: describeLoad(r),
  })];
}

/**
 * Benchmark 1b (and 5): the bridge as its own process on `storageUrl`, routing
 * to a console receiver whose output goes to /dev/null. Also measures the
 * bridge's idle and peak RSS (benchmark 4a) when `memoryRow` is set.
 */
export async function ingestBridge(ctx: BenchContext, o: { label: string; keyPrefix: string; storageUrl: string; memoryRow: boolean; number: string }): Promise<Row[]> {
  ctx.log(`ingest: bridge on ${o.label}`);
  const bridge = await startBridgeProcess({
    dir: ctx.dir, name: `ingest-${o.keyPrefix}`, runner: ctx.runner, profileDir: ctx.profileDir,
    yaml: (port) => bridgeYaml({ port, storageUrl: o.storageUrl, receivers: '  - { name: ops, console: {} }', route: '  receiver: ops' }),
  });
  await sleep(300);
  const idle = memoryOf(bridge.pid);
  if (o.memoryRow) ctx.facts.bridgeIdleRssMb = idle?.rssMb;
  const rss = sampleRss(bridge.pid);
  let r: LoadResult;
  let peakMb: number;
  try {
    r = await load(ctx, bridge.webhookUrl);
    ctx.windows[`ingest-${o.keyPrefix}`] = r.windowUs;
  } finally {
    peakMb = rss.stop().peakMb;
    const code = await bridge.stop();
    if (code !== 0) ctx.log(`ingest: bridge exited with ${code}: ${bridge.stderr().trim()}`);
  }
  const clean = r.non2xx + r.errors + r.timeouts === 0;
  const bareRps = Number(ctx.facts.bareRps ?? NaN);
  const bareP99 = Number(ctx.facts.bareP99 ?? NaN);
  const rows = [
    row({
      key: `ingest.${o.keyPrefix}.rps`, name: `${o.number}. Ingest: bridge on ${o.label}, req/s`, unit: 'req/s',
      result: r.requestsPerSec, ceiling: Number.isFinite(bareRps) ? bareRps : null, ceilingName: 'bare node:http',
      note: describeLoad(r), target: ratioAtLeast(0.5),
    }),
    row({
      key: `ingest.${o.keyPrefix}.p99`, name: `${o.number}. Ingest: bridge on ${o.label}, p99`, unit: 'ms',
      result: r.p99, ceiling: Number.isFinite(bareP99) ? bareP99 : null, ceilingName: 'bare node:http',
      target: atMost(10, 'ms'),
    }),
  ];
  if (!clean) for (const x of rows) x.pass = false;
  if (o.memoryRow) {
    const bareRss = Number(ctx.facts.bareRssPeakMb ?? NaN);
    rows.push(row({
      key: 'memory.ingest.peak', name: `4. Memory: bridge peak RSS during ingest (${o.label})`, unit: 'MB',
      result: peakMb, ceiling: Number.isFinite(bareRss) ? bareRss : null, ceilingName: 'bare node:http peak',
      note: `idle ${idle ? idle.rssMb.toFixed(0) : '?'} MB before the load`, target: below(200, 'MB'),
    }));
  }
  return rows;
}
