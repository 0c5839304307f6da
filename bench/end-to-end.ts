import { BridgeStartError, bridgeYaml, startBridgeProcess, type BridgeProcess } from './bridge-process.js';
import type { BenchContext } from './context.js';
import { monotonicUs, runId } from './context.js';
import { sleep, startChild, type Child } from './processes.js';
import { onPostgres } from './postgres.js';
import { atMost, percentile, row, skippedRow, type Row } from './table.js';

const PACING = 'pacing: { ratePerSecond: 100000, burst: 100000 }';

interface SendResult {
  sent: number;
  answered: number;
  statuses: Record<string, number>;
  times: Array<[string, number]>;
}
interface Report {
  count: number;
  paths: Record<string, number>;
  arrivals: Array<[string, number]>;
}

/**
 * Starts the bridge with a slack receiver on the fake Slack API; when the
 * running code has no Slack integration wired yet ("integration is not
 * configured"), falls back to a webhook receiver on the same fake and says so.
 */
async function startE2eBridge(ctx: BenchContext, fakeUrl: string, store: { suffix: string; url?: string }): Promise<{ bridge: BridgeProcess; via: string }> {
  const storageUrl = (name: string) => store.url ?? `sqlite:${ctx.dir}/${name}.db`;
  try {
    const bridge = await startBridgeProcess({
      dir: ctx.dir, name: `e2e-slack${store.suffix}`, runner: ctx.runner, profileDir: ctx.profileDir,
      yaml: (port) => bridgeYaml({
        port, storageUrl: storageUrl('e2e-slack'),
        receivers: `  - { name: slack-bench, slack: { channel: C0BENCH }, ${PACING} }`,
        route: '  receiver: slack-bench',
        extra: `slack: { botToken: xoxb-bench-token, apiUrl: "${fakeUrl}/api/", verifyToken: false }`,
      }),
    });
    return { bridge, via: 'slack receiver → fake Slack API chat.postMessage' };
  } catch (err) {
    if (!(err instanceof BridgeStartError) || !/integration is not configured/.test(err.stderr)) throw err;
    ctx.log('end-to-end: the slack receiver is not wired into src/app.ts yet; falling back to a webhook receiver');
  }
  const bridge = await startBridgeProcess({
    dir: ctx.dir, name: `e2e-webhook${store.suffix}`, runner: ctx.runner, profileDir: ctx.profileDir,
    yaml: (port) => bridgeYaml({
      port, storageUrl: storageUrl('e2e-webhook'),
      receivers: `  - { name: hook-bench, webhook: { url: "${fakeUrl}/hook/e2e" }, ${PACING} }`,
      route: '  receiver: hook-bench',
    }),
  });
  return { bridge, via: 'FALLBACK webhook receiver → fake (slack receiver not wired into src/app.ts yet)' };
}

async function send(ctx: BenchContext, url: string, mode: 'bridge' | 'direct', durationSec = ctx.sizes.endToEnd.durationSec): Promise<SendResult> {
  const { ratePerSecond } = ctx.sizes.endToEnd;
  const sender = await startChild('steady-sender', { url, ratePerSecond, durationSec, prefix: runId(), mode });
  try {
    return await sender.ask<SendResult>({ type: 'run' }, 'result', (durationSec + 90) * 1000);
  } finally {
    await sender.stop();
  }
}

/** Waits until the fake has seen `n` messages or `sec` pass; returns the report with arrival times. */
async function drain(fake: Child, n: number, sec: number): Promise<Report> {
  const until = Date.now() + sec * 1000;
  while (Date.now() < until) {
    const { count } = await fake.ask<{ count: number }>({ type: 'count' }, 'count');
    if (count >= n) break;
    await sleep(50);
  }
  return fake.ask<Report>({ type: 'report', arrivals: true }, 'report');
}

function latencies(times: Array<[string, number]>, arrivals: Array<[string, number]>) {
  const at = new Map(arrivals);
  const out: number[] = [];
  let missing = 0;
  for (const [marker, t] of times) {
    const a = at.get(marker);
    if (a === undefined) missing++;
    else out.push(a - t);
  }
  out.sort((a, b) => a - b);
  return { p50: percentile(out, 50), p99: percentile(out, 99), max: out[out.length - 1] ?? NaN, n: out.length, missing };
}

/** One bridge on one store: the warm-up, then the measured load, latency per webhook. */
async function throughBridge(ctx: BenchContext, fake: Child, fakeUrl: string, store: { label: string; suffix: string; url?: string }) {
  const { ratePerSecond, durationSec, drainSec } = ctx.sizes.endToEnd;
  const { bridge, via } = await startE2eBridge(ctx, fakeUrl, store);
  ctx.log(`end-to-end: ${ratePerSecond}/s for ${durationSec} s through the bridge on ${store.label} (${via})`);
  try {
    // As for ingest: the same load first, unmeasured, until the bridge's code is compiled (a cold process
    // delivers a third of its warm rate in its first second), then until the fake has everything.
    const { warmupSec } = ctx.sizes.endToEnd;
    if (warmupSec > 0) {
      const warm = await send(ctx, bridge.webhookUrl, 'bridge', warmupSec);
      await drain(fake, warm.times.length, drainSec);
      await fake.ask({ type: 'reset' }, 'reset-done');
    }
    const from = monotonicUs();
    const sent = await send(ctx, bridge.webhookUrl, 'bridge');
    const e2e = latencies(sent.times, (await drain(fake, sent.times.length, drainSec)).arrivals);
    ctx.windows[bridge.name] = [from, monotonicUs()];
    await fake.ask({ type: 'reset' }, 'reset-done');
    return { e2e, acked: sent.times.length, via };
  } finally {
    await bridge.stop();
  }
}

/** The three rows of one store. */
function e2eRows(ctx: BenchContext, keyPrefix: string, label: string, hop: ReturnType<typeof latencies>, m: Awaited<ReturnType<typeof throughBridge>>): Row[] {
  const { ratePerSecond, durationSec, drainSec } = ctx.sizes.endToEnd;
  const { e2e, acked, via } = m;
  const total = ratePerSecond * durationSec;
  const note = `${via}; ${e2e.n} of ${acked} delivered${e2e.missing ? `, ${e2e.missing} NOT within ${drainSec} s` : ''}` +
    `${acked < total ? `; only ${acked} of ${Math.round(total)} acknowledged` : ''}`;
  const rows = [
    row({ key: `${keyPrefix}.p50`, name: `2. End to end at 1,000/s${label}: p50`, unit: 'ms', result: e2e.p50, ceiling: hop.p50, ceilingName: 'one hop to the fake', note }),
    row({ key: `${keyPrefix}.p99`, name: `2. End to end at 1,000/s${label}: p99`, unit: 'ms', result: e2e.p99, ceiling: hop.p99, ceilingName: 'one hop to the fake', target: atMost(50, 'ms') }),
    row({ key: `${keyPrefix}.max`, name: `2. End to end at 1,000/s${label}: max`, unit: 'ms', result: e2e.max, ceiling: hop.max, ceilingName: 'one hop to the fake' }),
  ];
  if (e2e.missing > 0 || acked < total) rows[1].pass = false;
  return rows;
}

/**
 * Benchmark 2: webhooks at a steady rate into the bridge, latency from each 2xx to the fake receiving the
 * message, on SQLite and then on PostgreSQL. Ceiling: the same sender posting straight to the fake (one HTTP
 * hop, from send to arrival).
 */
export async function endToEnd(ctx: BenchContext): Promise<Row[]> {
  const { ratePerSecond, durationSec, drainSec } = ctx.sizes.endToEnd;
  const fake = await startChild('fake-api', {});
  const fakeUrl = `http://127.0.0.1:${fake.ready.port}`;
  try {
    ctx.log(`end-to-end: ${ratePerSecond}/s for ${durationSec} s, one hop straight to the fake (ceiling)`);
    const direct = await send(ctx, `${fakeUrl}/hook/direct`, 'direct');
    const hop = latencies(direct.times, (await drain(fake, direct.sent, drainSec)).arrivals);
    await fake.ask({ type: 'reset' }, 'reset-done');

    const sqlite = await throughBridge(ctx, fake, fakeUrl, { label: 'SQLite', suffix: '' });
    ctx.facts.e2eVia = sqlite.via;
    const rows = e2eRows(ctx, 'e2e', '', hop, sqlite);
    const skip = (reason: string) => ['p50', 'p99', 'max'].map((p) =>
      skippedRow(`e2e.postgres.${p}`, `2. End to end at 1,000/s on PostgreSQL: ${p}`, 'ms', p === 'p99' ? '≤ 50 ms' : '—', reason));
    rows.push(...await onPostgres(ctx, skip, async (url) => e2eRows(ctx, 'e2e.postgres', ' on PostgreSQL', hop,
      await throughBridge(ctx, fake, fakeUrl, { label: 'PostgreSQL', suffix: '-postgres', url }))));
    return rows;
  } finally {
    await fake.stop();
  }
}
