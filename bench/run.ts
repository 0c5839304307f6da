// npm run bench [-- --quick | --tiny] [--only ingest,postgres,e2e,fanout,drain,burst,memory,grouping,failover] [--out DIR] [--runner bundle|tsx|dist] [--profile] [--src DIR]
// (bench/README.md explains each flag)
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleBridge, type Runner } from './bridge-process.js';
import { burst } from './burst.js';
import type { BenchContext } from './context.js';
import { endToEnd } from './end-to-end.js';
import { failover } from './failover.js';
import { fanOut } from './fan-out.js';
import { grouping } from './grouping.js';
import { ingestBridge, ingestCeiling } from './ingest.js';
import { memoryQueued } from './memory-queue.js';
import { ingestPostgres } from './postgres.js';
import { renderProfile, summariseProfile, type ProfileSummary } from './profile-summary.js';
import { SIZES } from './sizes.js';
import { renderTable, skippedRow, type Row } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHMARKS = ['ingest', 'postgres', 'e2e', 'fanout', 'drain', 'burst', 'memory', 'grouping', 'failover'] as const;
type Name = (typeof BENCHMARKS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    tiny: { type: 'boolean' },
    only: { type: 'string' },
    out: { type: 'string' },
    runner: { type: 'string' },
    profile: { type: 'boolean' },
    'postgres-url': { type: 'string' },
    src: { type: 'string' },
  },
});
if (values.src) process.env.AVER_BRIDGE_BENCH_SRC = resolve(values.src);

const sizes = SIZES[values.tiny ? 'tiny' : values.quick ? 'quick' : 'full'];
const only = new Set((values.only ?? BENCHMARKS.join(',')).split(',').map((s) => s.trim()) as Name[]);
for (const n of only) if (!BENCHMARKS.includes(n)) throw new Error(`--only: unknown benchmark "${n}" (known: ${BENCHMARKS.join(', ')})`);
const out = resolve(values.out ?? join(here, 'results'));
const runner = (values.runner ?? 'bundle') as Runner;
const dir = mkdtempSync(join(tmpdir(), 'aver-bridge-bench-'));
const started = Date.now();
const log = (m: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${m}\n`);
const ctx: BenchContext = {
  sizes, dir, runner, log, facts: {}, windows: {},
  profileDir: values.profile ? join(out, 'profiles') : undefined,
  postgresUrl: values['postgres-url'] ?? process.env.AVER_BRIDGE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
};

async function guarded(name: string, rowsIfFailed: () => Row[], fn: () => Promise<Row[]>): Promise<Row[]> {
  try {
    return await fn();
  } catch (err) {
    failures++;
    log(`${name} failed: ${(err as Error).stack ?? err}`);
    return rowsIfFailed().map((r) => ({ ...r, skipped: `ERROR: ${(err as Error).message.split('\n')[0]}`, pass: false }));
  }
}

let failures = 0;
const rows: Row[] = [];
try {
  if (values.profile) rmSync(ctx.profileDir!, { recursive: true, force: true });
  if (runner === 'bundle') await bundleBridge();
  log(`mode ${sizes.mode}, runner ${runner}, ${machine.cores} cores, load average ${machine.loadAverageAtStart.join(' ')}`);
  if (only.has('ingest') || only.has('postgres')) {
    rows.push(...await guarded('ingest ceiling', () => [skippedRow('ingest.bare.rps', '1. Ingest: bare node:http (the ceiling)', 'req/s', '—', '')], () => ingestCeiling(ctx)));
  }
  if (only.has('ingest')) {
    rows.push(...await guarded('ingest', () => [
      skippedRow('ingest.sqlite.rps', '1. Ingest: bridge on SQLite, req/s', 'req/s', '≥ 0.5 of ceiling', ''),
      skippedRow('ingest.sqlite.p99', '1. Ingest: bridge on SQLite, p99', 'ms', '≤ 10 ms', ''),
      skippedRow('memory.ingest.peak', '4. Memory: bridge peak RSS during ingest (SQLite)', 'MB', '< 200 MB', ''),
    ], () => ingestBridge(ctx, { label: 'SQLite', keyPrefix: 'sqlite', storageUrl: `sqlite:${dir}/ingest.db`, memoryRow: true, number: '1' })));
  }
  if (only.has('postgres')) {
    rows.push(...await guarded('postgres', () => [skippedRow('ingest.postgres.rps', '5. Ingest: bridge on PostgreSQL, req/s', 'req/s', '≥ 0.5 of ceiling', '')], () => ingestPostgres(ctx)));
  }
  if (only.has('e2e')) {
    rows.push(...await guarded('end-to-end', () => [skippedRow('e2e.p99', '2. End to end at 1,000/s: p99', 'ms', '≤ 50 ms', '')], () => endToEnd(ctx)));
  }
  // `fanout` runs the one-channel drain too; `drain` runs only the drain.
  if (only.has('fanout') || only.has('drain')) {
    rows.push(...await guarded('fan-out', () => [skippedRow(only.has('fanout') ? 'fanout.rate' : 'drain.sqlite.rate', '3. Fan-out', 'msg/s', '≥ 0.5 of ceiling', '')],
      () => fanOut(ctx, { fanOut: only.has('fanout') })));
  }
  if (only.has('burst')) {
    rows.push(...await guarded('burst', () => [skippedRow('burst.sqlite.rps', '7. Burst on SQLite', 'req/s', '≥ 0.5 of ceiling', '')], () => burst(ctx, machine.cores)));
  }
  if (only.has('memory')) {
    rows.push(...await guarded('memory', () => [skippedRow('memory.queued', '4. Memory: bridge RSS with jobs queued, receiver down', 'MB', '< 200 MB', '')], () => memoryQueued(ctx)));
  }
  if (only.has('grouping')) {
    rows.push(...await guarded('grouping', () => [
      skippedRow('grouping.calls', '6. Grouping: a burst to one Slack channel, chat API calls', 'calls', '≤ one per flush', ''),
      skippedRow('grouping.first', '6. Grouping: time to the first digest', 's', '—', ''),
    ], () => grouping(ctx)));
  }
  if (only.has('failover')) {
    rows.push(...await guarded('failover', () => [
      skippedRow('failover.sqlite.last', '8. Failover on SQLite: kill to last acknowledged delivered', 's', '≤ leaseTime + 10 s, nothing lost', ''),
      skippedRow('failover.postgres.last', '8. Failover on PostgreSQL: kill to last acknowledged delivered', 's', '≤ leaseTime + 10 s, nothing lost', ''),
    ], () => failover(ctx)));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const profiles: ProfileSummary[] = [];
if (ctx.profileDir) {
  for (const f of readdirSync(ctx.profileDir).filter((f) => f.endsWith('.cpuprofile')).sort()) profiles.push(summariseProfile(join(ctx.profileDir, f), 15, ctx.windows[f.replace(/\.cpuprofile$/, '')]));
}

const table = renderTable(rows);
const seconds = Math.round((Date.now() - started) / 100) / 10;
const header = `aver-bridge benchmarks, mode ${sizes.mode}, ${new Date(started).toISOString()}, ${seconds} s\n` +
  `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}, load average at start ${machine.loadAverageAtStart.join(' ')}\n`;
process.stdout.write(`\n${header}\n${table}\n`);
for (const p of profiles) process.stdout.write(`\n${renderProfile(p)}\n`);

mkdirSync(out, { recursive: true });
const result = { mode: sizes.mode, startedAt: new Date(started).toISOString(), seconds, runner, machine, sizes, facts: ctx.facts, rows, profiles };
writeFileSync(join(out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(out, 'latest.md'), `${header}\n${table}\n${profiles.map((p) => `\n${renderProfile(p)}\n`).join('')}`);
process.exitCode = failures > 0 ? 1 : 0;
