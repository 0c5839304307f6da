import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeYaml, startBridgeProcess } from './bridge-process.js';
import type { BenchContext } from './context.js';
import { monotonicUs, runId } from './context.js';
import { onPostgres } from './postgres.js';
import { sleep, startChild, type Child } from './processes.js';
import { ratioAtLeast, row, skippedRow, type Row } from './table.js';
import { BENCH_HEADER, BENCH_SECRET, WEBHOOK_PATH } from './webhook-body.js';

/** Each wrk thread sends its share of the webhooks, each with an entity id of its own, then stops; done() reports. */
const SCRIPT = `
local count = 0
function setup(thread) count = count + 1; thread:set("tid", count) end
function init(args) limit = tonumber(args[1]); prefix = args[2]; sent = 0; answered = 0 end
function request()
  sent = sent + 1
  local body = '{"statusMessage":{"type":"LiveCheck","id":"' .. prefix .. '-' .. tid .. '-' .. sent .. '","groupId":"bench-group","status":"Completed"}}'
  return wrk.format("POST", nil, {["content-type"] = "application/json", ["${BENCH_HEADER}"] = "${BENCH_SECRET}"}, body)
end
function response(status, headers, body)
  answered = answered + 1
  if answered == limit then io.write("STOPPED\\n"); io.flush(); wrk.thread:stop() end
end
function done(summary, latency, requests)
  io.write(string.format('BURST {"requests":%d,"durationUs":%d,"p50":%d,"p99":%d,"max":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
`;

interface WrkResult {
  requests: number;
  durationUs: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  /** wrk's CPU time over its wall time and the machine's cores. */
  cpuShare: number;
  startedAt: number;
}

function wrkMissing(): string | null {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return r.error ? 'wrk is not installed (apt-get install -y wrk)' : null;
}

/** wrk's CPU time so far, in seconds (utime + stime of /proc/PID/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Runs wrk (2 threads) until `webhooks` are answered. A wrk thread that has its share stops, but wrk itself waits
 * out its duration: so each thread says so on stdout, and once all have, wrk is interrupted (it then prints its
 * summary) and the burst's time is taken from here.
 */
async function runWrk(ctx: BenchContext, url: string, cores: number): Promise<WrkResult> {
  const { webhooks, connections } = ctx.sizes.burst;
  const threads = 2;
  const script = join(ctx.dir, 'burst.lua');
  writeFileSync(script, SCRIPT);
  const perThread = Math.ceil(webhooks / threads);
  const startedAt = Date.now();
  const t0 = performance.now();
  let t1 = NaN;
  let cpu = NaN;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', [`-t${threads}`, `-c${connections}`, '-d600s', '--timeout', '30s', '-s', script, url, '--', String(perThread), runId()],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    let stopped = 0;
    child.stdout.on('data', (c: Buffer) => {
      const chunk = c.toString();
      text += chunk;
      stopped += chunk.split('STOPPED').length - 1;
      if (stopped >= threads && Number.isNaN(t1)) {
        t1 = performance.now();
        cpu = cpuSeconds(child.pid!);
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(text));
  });
  if (Number.isNaN(t1)) t1 = performance.now();
  const line = out.split('\n').find((l) => l.startsWith('BURST '));
  if (!line) throw new Error(`wrk printed no result: ${out.slice(0, 500)}`);
  const r = JSON.parse(line.slice(6)) as Omit<WrkResult, 'cpuShare' | 'startedAt'>;
  const wallSec = (t1 - t0) / 1000;
  return { ...r, durationUs: wallSec * 1e6, cpuShare: cpu / (wallSec * cores), startedAt };
}

const rate = (r: WrkResult) => r.requests / (r.durationUs / 1e6);
const describe = (r: WrkResult) => `${r.requests} answered, p50 ${(r.p50 / 1000).toFixed(2)} ms, p99 ${(r.p99 / 1000).toFixed(2)} ms, max ${(r.max / 1000).toFixed(1)} ms` +
  `${r.errors || r.non2xx ? `; ${r.errors} socket errors, ${r.non2xx} non-2xx` : ''}; wrk used ${(r.cpuShare * 100).toFixed(0)} % of the machine's CPU`;

async function countAtFake(fake: Child, n: number, timeoutSec: number): Promise<{ count: number; last: number }> {
  const until = Date.now() + timeoutSec * 1000;
  for (;;) {
    const r = await fake.ask<{ count: number; last: number }>({ type: 'report' }, 'report');
    if (r.count >= n || Date.now() > until) return r;
    await sleep(100);
  }
}

/** The burst into a bridge on `storageUrl` routing every event to a webhook receiver on the fake (pacing lifted). */
async function burstInto(ctx: BenchContext, o: { label: string; key: string; storageUrl: string; bare: WrkResult; cores: number; minRatio: number }): Promise<Row[]> {
  const fake = await startChild('fake-api', {});
  try {
    const bridge = await startBridgeProcess({
      dir: ctx.dir, name: `burst-${o.key}`, runner: ctx.runner, profileDir: ctx.profileDir,
      yaml: (port) => bridgeYaml({
        port, storageUrl: o.storageUrl,
        receivers: `  - { name: hook-burst, webhook: { url: "http://127.0.0.1:${fake.ready.port}/hook/burst" }, pacing: { ratePerSecond: 100000, burst: 100000 } }`,
        route: '  receiver: hook-burst',
      }),
    });
    try {
      ctx.log(`burst: ${ctx.sizes.burst.webhooks} webhooks into the bridge on ${o.label}`);
      const from = monotonicUs();
      const r = await runWrk(ctx, bridge.webhookUrl, o.cores);
      const answered = r.requests - r.non2xx - r.errors;
      const got = await countAtFake(fake, answered, ctx.sizes.burst.drainSec);
      ctx.windows[bridge.name] = [from, monotonicUs()];
      const lastSec = (got.last - r.startedAt) / 1000;
      const rpsRow = row({
        key: `burst.${o.key}.rps`, name: `7. Burst on ${o.label}: answers/s`, unit: 'req/s', result: rate(r), ceiling: rate(o.bare),
        ceilingName: 'bare node:http, same burst', note: describe(r), target: ratioAtLeast(o.minRatio),
      });
      if (r.errors > 0 || r.non2xx > 0) rpsRow.pass = false;
      const lastRow = row({
        key: `burst.${o.key}.last`, name: `7. Burst on ${o.label}: last delivered`, unit: 's', result: lastSec, ceiling: r.durationUs / 1e6,
        ceilingName: 'until the last answer',
        note: got.count >= answered
          ? `${answered} of ${answered} acknowledged delivered${got.count > answered ? ` (and ${got.count - answered} answered after wrk stopped counting)` : ''}`
          : `${got.count} of ${answered} acknowledged delivered — ${answered - got.count} NOT within ${ctx.sizes.burst.drainSec} s`,
      });
      lastRow.target = 'nothing lost';
      lastRow.pass = got.count >= answered;
      return [rpsRow, lastRow];
    } finally {
      await bridge.stop();
    }
  } finally {
    await fake.stop();
  }
}

/**
 * Benchmark 7: a burst of webhooks (sizes.burst.webhooks) sent as fast as wrk can, each with an entity id of its
 * own, to a bare node:http server (the ceiling) and to the bridge on SQLite and on PostgreSQL: the answer rate
 * beside the bare server's, wrk's own CPU share (so the load generator is seen not to be the limit), the
 * latency, and the time from the first request until the fake has the last acknowledged event.
 */
export async function burst(ctx: BenchContext, cores: number): Promise<Row[]> {
  const keys = ['burst.bare.rps', 'burst.sqlite.rps', 'burst.sqlite.last', 'burst.postgres.rps', 'burst.postgres.last'];
  const missing = wrkMissing();
  if (missing) return keys.map((k) => skippedRow(k, `7. Burst: ${k}`, '', '', missing));
  ctx.log(`burst: ${ctx.sizes.burst.webhooks} webhooks into a bare node:http server (ceiling)`);
  const server = await startChild('bare-server', {});
  let bare: WrkResult;
  try {
    bare = await runWrk(ctx, `http://127.0.0.1:${server.ready.port}${WEBHOOK_PATH}`, cores);
  } finally {
    await server.stop();
  }
  const rows: Row[] = [row({ key: 'burst.bare.rps', name: '7. Burst: bare node:http (the ceiling)', unit: 'req/s', result: rate(bare), ceiling: null, ceilingName: '', note: describe(bare) })];
  rows.push(...await burstInto(ctx, { label: 'SQLite', key: 'sqlite', storageUrl: `sqlite:${ctx.dir}/burst.db`, bare, cores, minRatio: 0.5 }));
  const skip = (reason: string) => [skippedRow('burst.postgres.rps', '7. Burst on PostgreSQL: answers/s', 'req/s', '≥ 0.3 of ceiling', reason),
    skippedRow('burst.postgres.last', '7. Burst on PostgreSQL: last delivered', 's', 'nothing lost', reason)];
  rows.push(...await onPostgres(ctx, skip, (storageUrl) => burstInto(ctx, { label: 'PostgreSQL', key: 'postgres', storageUrl, bare, cores, minRatio: 0.3 })));
  return rows;
}
