import { bridgeYaml, startBridgeProcess, type BridgeProcess } from './bridge-process.js';
import type { BenchContext } from './context.js';
import { runId } from './context.js';
import { onPostgres } from './postgres.js';
import { sleep, startChild, wallNow, type Child } from './processes.js';
import { row, skippedRow, type Row } from './table.js';

/**
 * Five channels (by the entity id's last digit), as test/replicas does: on PostgreSQL each channel's pacing row is
 * taken by one delivery at a time, so one channel alone would measure that, not the failover.
 */
const CHANNELS = [0, 1, 2, 3, 4];

/** The one config every bridge of a store reads: webhook receivers on the fake, pacing lifted, the sizes' lease. */
function failoverYaml(ctx: BenchContext, storageUrl: string, fakeUrl: string) {
  const { leaseTimeSec, deliveryTimeoutSec } = ctx.sizes.failover;
  return (port: number) => bridgeYaml({
    port, storageUrl,
    receivers: CHANNELS.map((c) => `  - { name: hooks-${c}, webhook: { url: "${fakeUrl}/hook/failover-${c}" }, pacing: { ratePerSecond: 100000, burst: 100000 } }`).join('\n'),
    route: ['  receiver: hooks-0', '  routes:', ...CHANNELS.slice(1).map((c) => `    - { matchers: ['id =~ ".*[${2 * c}${2 * c + 1}]"'], receiver: hooks-${c} }`)].join('\n'),
    extra: `delivery: { leaseTime: ${leaseTimeSec}s, timeout: ${deliveryTimeoutSec}s }`,
  });
}

interface Sent {
  sent: number;
  acked: Array<[string, number]>;
  statuses: Record<string, number>;
  reposted: number;
  ackedBy: Record<string, number>;
  doneAt: number;
}

/** Sends the sizes' webhooks to `urls`; at the halfway point calls `kill`, which returns the moment of the kill. */
async function sendWithKill(ctx: BenchContext, urls: string[], failover: boolean, kill: () => Promise<number>): Promise<{ sent: Sent; killAt: number }> {
  const { webhooks, ratePerSecond } = ctx.sizes.failover;
  const sender = await startChild('failover-sender', { urls, ratePerSecond, total: webhooks, prefix: runId(), failover });
  try {
    const sendMs = (webhooks / ratePerSecond) * 1000;
    const result = sender.ask<Sent>({ type: 'run' }, 'result', sendMs + 120_000);
    // Handled either way, so a kill that throws does not leave this promise's rejection unobserved.
    result.catch(() => undefined);
    await sender.next('halfway', sendMs + 60_000);
    const killAt = await kill();
    return { sent: await result, killAt };
  } finally {
    await sender.stop();
  }
}

/**
 * The same load first, unmeasured, until the fake has all of it: a cold bridge answers a few dozen webhooks a
 * second for its first seconds (V8 compiling, pools connecting), and a kill then would measure the cold start.
 */
async function warmUp(ctx: BenchContext, fake: Child, urls: string[]): Promise<void> {
  const { warmupSec, ratePerSecond, timeoutSec } = ctx.sizes.failover;
  if (warmupSec <= 0) return;
  const sender = await startChild('failover-sender', { urls, ratePerSecond, total: Math.round(ratePerSecond * warmupSec), prefix: runId(), failover: true });
  try {
    const { acked } = await sender.ask<Sent>({ type: 'run' }, 'result', (warmupSec + 120) * 1000);
    const until = Date.now() + timeoutSec * 1000;
    while (Date.now() < until && (await fake.ask<{ count: number }>({ type: 'count' }, 'count')).count < acked.length) await sleep(100);
  } finally {
    await sender.stop();
  }
  await fake.ask({ type: 'reset' }, 'reset-done');
}

/** SIGKILL, then waits until the process is gone (its port free, its connections reset); returns the moment. */
async function killHard(bridge: BridgeProcess): Promise<number> {
  const at = wallNow();
  process.kill(bridge.pid, 'SIGKILL');
  await bridge.stop();
  return at;
}

interface Delivered {
  /** First arrival of each marked message. */
  arrivals: Map<string, number>;
  /** Requests the fake received in all (repeats included). */
  count: number;
  /** Whether the bridge's queue was seen empty (so every repeat that can happen has happened). */
  drained: boolean;
}

/** Pending jobs of every receiver, from the bridge's /metrics; NaN when it does not answer. */
async function queueDepth(bridge: BridgeProcess): Promise<number> {
  try {
    const res = await fetch(`${bridge.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return [...text.matchAll(/^aver_bridge_queue_depth\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  } catch {
    return NaN;
  }
}

/**
 * Waits until the fake has every acknowledged marker, then until `survivor`'s queue is empty (the dead bridge's
 * leases ran out and were delivered again: the repeats are counted after that), or until `deadline`.
 */
async function waitForDeliveries(fake: Child, survivor: BridgeProcess, acked: Array<[string, number]>, deadline: number): Promise<Delivered> {
  const report = async () => {
    const r = await fake.ask<{ count: number; arrivals: Array<[string, number]> }>({ type: 'report', arrivals: true }, 'report');
    return { count: r.count, arrivals: new Map(r.arrivals) };
  };
  let got = await report();
  while (Date.now() < deadline && !acked.every(([m]) => got.arrivals.has(m))) {
    await sleep(200);
    got = await report();
  }
  let drained = false;
  while (Date.now() < deadline && !(drained = (await queueDepth(survivor)) === 0)) await sleep(200);
  return { ...(await report()), drained };
}

/** The row of one store: seconds from the kill to the last acknowledged event's arrival, beside leaseTime + 10 s. */
function failoverRow(ctx: BenchContext, o: { key: string; label: string; sent: Sent; killAt: number; got: Delivered; how: string }): Row {
  const { leaseTimeSec, timeoutSec, webhooks } = ctx.sizes.failover;
  const { sent, killAt, got } = o;
  const since = (t: number) => (t - killAt) / 1000;
  const at = sent.acked.map(([m, ackAt]) => ({ ackAt, arrived: got.arrivals.get(m) }));
  const delivered = at.filter((a) => a.arrived !== undefined).map((a) => ({ ackAt: a.ackAt, arrived: a.arrived! }));
  const missing = at.length - delivered.length;
  const last = delivered.length ? Math.max(...delivered.map((a) => a.arrived)) : NaN;
  const before = delivered.filter((a) => a.ackAt <= killAt);
  const ackedBefore = at.filter((a) => a.ackAt <= killAt).length;
  const backlog = before.length ? Math.max(...before.map((a) => a.arrived)) : NaN;
  const repeats = got.count - got.arrivals.size;
  const failed = Object.entries(sent.statuses).filter(([s]) => !/^2/.test(s)).map(([s, n]) => `${n}× ${s === '0' ? 'no answer' : s}`);
  const note = [
    missing === 0 ? `${delivered.length} of ${at.length} acknowledged delivered` : `${delivered.length} of ${at.length} acknowledged delivered — ${missing} NOT within ${timeoutSec} s of the kill`,
    `${at.length} of ${webhooks} sent acknowledged${failed.length ? ` (${failed.join(', ')})` : ''}`,
    o.how,
    `${before.length < ackedBefore ? `${before.length} of the ${ackedBefore}` : `the ${ackedBefore}`} acknowledged before the kill delivered ` +
      `${backlog > killAt ? `by ${since(backlog).toFixed(1)} s after it` : 'before it'}; the sender's last answer ${since(sent.doneAt).toFixed(1)} s after it`,
    `duplicates seen: ${repeats} (at-least-once: allowed)${got.drained ? '' : ', queue not yet empty: more may follow'}`,
    `delivered though never acknowledged: ${got.arrivals.size - delivered.length}`,
  ].join('; ');
  const r = row({
    key: `failover.${o.key}.last`, name: `8. Failover on ${o.label}: kill to last acknowledged delivered`, unit: 's',
    result: delivered.length ? Math.max(0, since(last)) : null, ceiling: leaseTimeSec + 10, ceilingName: 'delivery.leaseTime + 10 s', note,
  });
  r.target = '≤ leaseTime + 10 s, nothing lost';
  r.pass = missing === 0 && r.result !== null && r.result <= leaseTimeSec + 10;
  return r;
}

/** PostgreSQL: two replicas on one schema, webhooks split across both, one SIGKILLed halfway; the other finishes. */
async function failoverPostgres(ctx: BenchContext, storageUrl: string): Promise<Row> {
  const fake = await startChild('fake-api', {});
  const bridges: BridgeProcess[] = [];
  try {
    const yaml = failoverYaml(ctx, storageUrl, `http://127.0.0.1:${fake.ready.port}`);
    // One after the other: the first creates the schema, so the second's start is not a migration race.
    for (const name of ['failover-postgres-a', 'failover-postgres-b']) bridges.push(await startBridgeProcess({ dir: ctx.dir, name, runner: ctx.runner, yaml }));
    const [victim, survivor] = bridges;
    const { webhooks, ratePerSecond, leaseTimeSec, timeoutSec, warmupSec } = ctx.sizes.failover;
    ctx.log(`failover: ${warmupSec} s warm-up, then ${webhooks} webhooks at ${ratePerSecond}/s over two replicas on PostgreSQL (leaseTime ${leaseTimeSec} s), one killed halfway`);
    await warmUp(ctx, fake, [victim.webhookUrl, survivor.webhookUrl]);
    const { sent, killAt } = await sendWithKill(ctx, [victim.webhookUrl, survivor.webhookUrl], true, () => killHard(victim));
    const got = await waitForDeliveries(fake, survivor, sent.acked, killAt + timeoutSec * 1000);
    const how = `acknowledged by the killed replica ${sent.ackedBy[victim.webhookUrl] ?? 0}, by the survivor ${sent.ackedBy[survivor.webhookUrl] ?? 0}` +
      ` (${sent.reposted} posted again to the survivor after a dropped connection)`;
    return failoverRow(ctx, { key: 'postgres', label: 'PostgreSQL', sent, killAt, got, how });
  } finally {
    await Promise.all(bridges.map((b) => b.stop()));
    await fake.stop();
  }
}

/** SQLite: one bridge owns the file, so failover is a restart: SIGKILL halfway, a new bridge on the same file and port. */
async function failoverSqlite(ctx: BenchContext): Promise<Row> {
  const fake = await startChild('fake-api', {});
  const bridges: BridgeProcess[] = [];
  try {
    const yaml = failoverYaml(ctx, `sqlite:${ctx.dir}/failover.db`, `http://127.0.0.1:${fake.ready.port}`);
    const first = await startBridgeProcess({ dir: ctx.dir, name: 'failover-sqlite', runner: ctx.runner, yaml });
    bridges.push(first);
    const port = Number(new URL(first.url).port);
    const { webhooks, ratePerSecond, timeoutSec, warmupSec } = ctx.sizes.failover;
    ctx.log(`failover: ${warmupSec} s warm-up, then ${webhooks} webhooks at ${ratePerSecond}/s into a bridge on SQLite, killed halfway and started again`);
    await warmUp(ctx, fake, [first.webhookUrl]);
    let upAfter = NaN;
    const { sent, killAt } = await sendWithKill(ctx, [first.webhookUrl], false, async () => {
      const at = await killHard(first);
      bridges.push(await startBridgeProcess({ dir: ctx.dir, name: 'failover-sqlite-restarted', runner: ctx.runner, yaml, port }));
      upAfter = (wallNow() - at) / 1000;
      return at;
    });
    const got = await waitForDeliveries(fake, bridges[1], sent.acked, killAt + timeoutSec * 1000);
    const how = `the new bridge answered ${upAfter.toFixed(1)} s after the kill; webhooks sent meanwhile failed (not acknowledged)`;
    return failoverRow(ctx, { key: 'sqlite', label: 'SQLite', sent, killAt, got, how });
  } finally {
    await Promise.all(bridges.map((b) => b.stop()));
    await fake.stop();
  }
}

/**
 * Benchmark 8: a bridge killed with SIGKILL under a steady load; the time from the kill until the fake has every
 * acknowledged event, beside delivery.leaseTime + 10 s. On SQLite the bridge is restarted on the same file; on
 * PostgreSQL a second replica on the same schema carries on.
 */
export async function failover(ctx: BenchContext): Promise<Row[]> {
  const rows = [await failoverSqlite(ctx)];
  const skip = (reason: string) => skippedRow('failover.postgres.last', '8. Failover on PostgreSQL: kill to last acknowledged delivered', 's', '≤ leaseTime + 10 s, nothing lost', reason);
  rows.push(await onPostgres(ctx, skip, (storageUrl) => failoverPostgres(ctx, storageUrl)));
  return rows;
}
