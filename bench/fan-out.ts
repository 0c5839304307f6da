import type { BenchContext } from './context.js';
import { monotonicUs, runId } from './context.js';
import { onPostgres } from './postgres.js';
import { sleep, startChild, type Child, type ChildMessage } from './processes.js';

import { atLeast, ratioAtLeast, row, skippedRow, type Row } from './table.js';

type Fake = Child & { ready: ChildMessage };

/** The drain's target (issue 17): one Slack channel, pacing lifted, on SQLite. */
const DRAIN_TARGET = 2000;
const SLACK_TOKEN = 'xoxb-bench-token';

interface Arrivals {
  count: number;
  last: number;
  /** When the warm-up's last message arrived (the reset's markAt-th). */
  marked: number;
  lastChat: string;
}

/** Waits until the fake has seen `n` messages; returns the last arrival time. */
async function lastArrival(fake: Child, n: number, timeoutSec: number): Promise<Arrivals> {
  const until = Date.now() + timeoutSec * 1000;
  for (;;) {
    const r = await fake.ask<Arrivals>({ type: 'report' }, 'report');
    if (r.count >= n || Date.now() > until) return r;
    await sleep(50);
  }
}

/**
 * Messages a second: of those after the warm-up, from its last arrival to the last one; without a warm-up, of all of
 * them from `t0`.
 */
function rateOf(r: Arrivals, t0: number, warmup: number): number {
  if (warmup > 0) return r.count > warmup && r.marked > 0 ? ((r.count - warmup) / (r.last - r.marked)) * 1000 : 0;
  return r.count > 0 ? (r.count / (r.last - t0)) * 1000 : 0;
}

interface Delivered {
  rate: number;
  /** Messages a second from the worker's start, warm-up included. */
  wholeRate: number;
  /** Delivered, not counting the warm-up's. */
  delivered: number;
  concurrency: number;
  /** How many deliveries one channel may have in flight: a quarter of the concurrency. */
  perDestination: number;
  /** The bridge process's CPU time (user and system) from the worker's start to the last arrival, per message (warm-up's included). */
  cpuUsPerMessage: number;
  /** The last chat call the fake received, as sent, and the entity id in it (Slack receivers only). */
  lastChat?: { body: string; marker: string };
}

interface QueuedRun {
  name: string;
  storageUrl: string;
  jobs: number;
  channels: number;
  timeoutSec: number;
  kind?: 'webhook' | 'slack';
  /** Jobs queued ahead of the `jobs` timed, delivered first, unmeasured. */
  warmup?: number;
}

/**
 * Queues `jobs` over `channels` in a real bridge on `storageUrl`, then times its worker delivering them to the fake:
 * to webhook receivers, or with `kind: 'slack'` to slack receivers on the fake Slack API.
 */
async function deliverQueued(ctx: BenchContext, fake: Fake, o: QueuedRun): Promise<Delivered> {
  const warmup = o.warmup ?? 0;
  const total = o.jobs + warmup;
  ctx.log(`${o.name}: queueing ${o.jobs}${warmup ? ` (and ${warmup} to warm up)` : ''} jobs over ${o.channels} ${o.kind ?? 'webhook'} channel(s)`);
  await fake.ask({ type: 'reset' }, 'reset-done');
  const prefix = runId();
  const bridge = await startChild('fanout-bridge', {
    dir: ctx.dir, storageUrl: o.storageUrl, fakeUrl: `http://127.0.0.1:${fake.ready.port}`, jobs: total, channels: o.channels, prefix, kind: o.kind ?? 'webhook', name: o.name,
  }, ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`, `--cpu-prof-name=${o.name}.cpuprofile`] : []);
  let stopped = false;
  try {
    const { concurrency, perDestination } = await bridge.next<{ concurrency: number; perDestination: number }>('queued', 900_000);
    await fake.ask({ type: 'reset', markAt: warmup }, 'reset-done');
    ctx.log(`${o.name}: delivering through the bridge`);
    let from = monotonicUs();
    const { t0 } = await bridge.ask<{ t0: number }>({ type: 'start' }, 'started');
    // The profile covers the measured part (the warm-up's end seen within a poll).
    if (warmup > 0) from = (await lastArrival(fake, warmup, o.timeoutSec), monotonicUs());
    const r = await lastArrival(fake, total, o.timeoutSec);
    ctx.windows[o.name] = [from, monotonicUs()];
    const { cpuUs } = await bridge.ask<{ cpuUs: number }>({ type: 'stop' }, 'stopped', 30_000);
    stopped = true;
    const marker = new RegExp(`fan-${prefix}-\\d+`).exec(r.lastChat)?.[0];
    return {
      rate: rateOf(r, t0, warmup), wholeRate: rateOf(r, t0, 0), delivered: Math.max(0, r.count - warmup), concurrency, perDestination,
      cpuUsPerMessage: r.count > 0 ? cpuUs / r.count : 0,
      ...(marker ? { lastChat: { body: r.lastChat, marker } } : {}),
    };
  } finally {
    if (!stopped) await bridge.ask({ type: 'stop' }, 'stopped', 30_000).catch(() => undefined);
    await bridge.stop();
  }
}

/**
 * A plain fetch loop with the bridge's concurrency posting the same JSON to the same URLs: the ceiling. With
 * `slack`, chat.postMessage's JSON (what the bridge sent) to the fake Slack API.
 */
async function plainLoop(
  ctx: BenchContext, fake: Fake, o: { jobs: number; channels: number; concurrency: number; timeoutSec: number; slack?: SlackBody; warmup?: number },
): Promise<number> {
  const { channels, concurrency, timeoutSec } = o;
  const warmup = o.warmup ?? 0;
  const jobs = o.jobs + warmup;
  await fake.ask({ type: 'reset', markAt: warmup }, 'reset-done');
  ctx.log(`fan-out: plain ${o.slack ? 'node:http chat.postMessage' : 'fetch'} loop, concurrency ${concurrency}, ${channels} channel(s)`);
  const loop = await startChild('fetch-loop', { fakeUrl: `http://127.0.0.1:${fake.ready.port}`, jobs, channels, concurrency, prefix: runId(), slack: o.slack });
  try {
    const { t0 } = await loop.ask<{ t0: number }>({ type: 'run' }, 'started');
    await loop.next('done', timeoutSec * 1000);
    return rateOf(await lastArrival(fake, jobs, 5), t0, warmup);
  } finally {
    await loop.stop();
  }
}

interface SlackBody {
  body: string;
  marker: string;
  token: string;
}

/**
 * The chat.postMessage JSON for the plain loop: the bridge's last call as the fake received it (the SDK sends a form
 * with the blocks and attachments as JSON text), as one JSON object; a bare message when nothing arrived.
 */
function chatJson(d: Delivered): SlackBody {
  const captured = d.lastChat;
  if (!captured) return { body: JSON.stringify({ channel: 'C0BENCH0000', text: 'fan-x-0' }), marker: 'fan-x-0', token: SLACK_TOKEN };
  if (captured.body.startsWith('{')) return { ...captured, token: SLACK_TOKEN };
  const value = (k: string, v: string): unknown => (k === 'blocks' || k === 'attachments' ? JSON.parse(v) : v === 'true' ? true : v === 'false' ? false : v);
  const fields = [...new URLSearchParams(captured.body)].map(([k, v]) => [k, value(k, v)]);
  return { body: JSON.stringify(Object.fromEntries(fields)), marker: captured.marker, token: SLACK_TOKEN };
}

const note = (d: Delivered, jobs: number, timeoutSec: number, extra = '') =>
  `concurrency ${d.concurrency}; ${d.delivered} of ${jobs} delivered${d.delivered < jobs ? ` within ${timeoutSec} s` : ''}${extra}; ` +
  `${Math.round(d.cpuUsPerMessage)} µs of the bridge's CPU a message (whole run)`;

/**
 * Benchmark 6, the one-channel Slack drain: `jobs` queued for one slack receiver on the fake Slack API, pacing
 * lifted, behind `warmup` more (delivered first, unmeasured, as the end-to-end benchmark warms up), on SQLite and
 * on PostgreSQL. SQLite's is beside the machine's bare ceiling, a plain loop posting the same chat.postMessage JSON
 * to the fake with a channel's concurrency (a quarter of delivery.concurrency), warmed up the same way, with an
 * absolute target (issue 17); PostgreSQL's is beside SQLite's.
 */
async function drainRows(ctx: BenchContext, fake: Fake, timeoutSec: number): Promise<Row[]> {
  const { jobs, warmup } = ctx.sizes.drain;
  const drainTimeout = Math.max(60, timeoutSec);
  const run = (name: string, storageUrl: string) => deliverQueued(ctx, fake, { name, storageUrl, jobs, warmup, channels: 1, timeoutSec: drainTimeout, kind: 'slack' });
  const sqlite = await run('drain-sqlite', `sqlite:${ctx.dir}/drain.db`);
  const title = `one Slack channel, ${jobs.toLocaleString('en-US')} queued jobs`;
  const plain = await plainLoop(ctx, fake, { jobs, warmup, channels: 1, concurrency: sqlite.perDestination, timeoutSec: drainTimeout, slack: chatJson(sqlite) });
  const warm = (d: Delivered) => `; timed after ${warmup.toLocaleString('en-US')} more, ${Math.round(d.wholeRate).toLocaleString('en-US')} msg/s with them`;
  const sqliteRow = row({
    key: 'drain.sqlite.rate', name: `3. Drain on SQLite: ${title}`, unit: 'msg/s', result: sqlite.rate, ceiling: plain, ceilingName: 'bare node:http chat.postMessage loop',
    note: note(sqlite, jobs, drainTimeout, `${warm(sqlite)}; ${sqlite.perDestination} in flight (a channel's quarter of the concurrency), the loop too`),
    target: atLeast(DRAIN_TARGET, 'msg/s'),
  });
  if (sqlite.delivered < jobs) sqliteRow.pass = false;
  const pgRow = await onPostgres(ctx, (reason) => skippedRow('drain.postgres.rate', `3. Drain on PostgreSQL: ${title}`, 'msg/s', '≥ 0.8 of ceiling', reason), async (storageUrl) => {
    const d = await run('drain-postgres', storageUrl);
    const r = row({
      key: 'drain.postgres.rate', name: `3. Drain on PostgreSQL: ${title}`, unit: 'msg/s', result: d.rate, ceiling: sqlite.rate, ceilingName: 'SQLite, same run',
      note: note(d, jobs, drainTimeout, `${warm(d)}; ${(d.rate / plain).toFixed(2)} of the plain loop`), target: ratioAtLeast(0.8),
    });
    if (d.delivered < jobs) r.pass = false;
    return r;
  });
  return [sqliteRow, pgRow];
}

/**
 * Benchmark 3: `jobs` queued jobs over `channels` webhook receivers, delivered by the bridge's worker to a fake,
 * on SQLite and on PostgreSQL, against a plain fetch loop with the same concurrency to the same fake; and the
 * one-channel Slack drain (benchmark 6, drainRows), alone when `fanOut` is false. Each is timed from the worker's
 * start to the fake receiving the last message. PostgreSQL's rows are beside SQLite's.
 */
export async function fanOut(ctx: BenchContext, o: { fanOut: boolean } = { fanOut: true }): Promise<Row[]> {
  const { jobs, channels, timeoutSec } = ctx.sizes.fanOut;
  const fake = await startChild('fake-api', {});
  try {
    if (!o.fanOut) return await drainRows(ctx, fake, timeoutSec);
    const sqlite = await deliverQueued(ctx, fake, { name: 'fan-out', storageUrl: `sqlite:${ctx.dir}/fan-out.db`, jobs, channels, timeoutSec });
    const plainRate = await plainLoop(ctx, fake, { jobs, channels, concurrency: sqlite.concurrency, timeoutSec });
    const title = `${jobs.toLocaleString('en-US')} queued jobs over ${channels.toLocaleString('en-US')} channels`;
    const rows: Row[] = [row({
      key: 'fanout.rate', name: `3. Fan-out on SQLite: ${title}`, unit: 'msg/s', result: sqlite.rate, ceiling: plainRate, ceilingName: 'plain fetch loop',
      note: note(sqlite, jobs, timeoutSec), target: ratioAtLeast(0.5),
    })];
    if (sqlite.delivered < jobs) rows[0].pass = false;

    const pgFanOut = await onPostgres(ctx, (reason) => skippedRow('fanout.postgres.rate', `3. Fan-out on PostgreSQL: ${title}`, 'msg/s', '≥ 0.8 of ceiling', reason), async (storageUrl) => {
      const d = await deliverQueued(ctx, fake, { name: 'fan-out-postgres', storageUrl, jobs, channels, timeoutSec });
      const r = row({
        key: 'fanout.postgres.rate', name: `3. Fan-out on PostgreSQL: ${title}`, unit: 'msg/s', result: d.rate, ceiling: sqlite.rate, ceilingName: 'SQLite, same run',
        note: note(d, jobs, timeoutSec, `; ${(d.rate / plainRate).toFixed(2)} of the plain loop`), target: ratioAtLeast(0.8),
      });
      if (d.delivered < jobs) r.pass = false;
      return r;
    });
    rows.push(pgFanOut);

    rows.push(...await drainRows(ctx, fake, timeoutSec));
    return rows;
  } finally {
    await fake.stop();
  }
}
