import type { BenchContext } from './context.js';
import { monotonicUs, runId } from './context.js';
import { onPostgres } from './postgres.js';
import { sleep, startChild, type Child, type ChildMessage } from './processes.js';

type Fake = Child & { ready: ChildMessage };
import { ratioAtLeast, row, skippedRow, type Row } from './table.js';

/** Waits until the fake has seen `n` messages; returns the last arrival time. */
async function lastArrival(fake: Child, n: number, timeoutSec: number): Promise<{ last: number; count: number }> {
  const until = Date.now() + timeoutSec * 1000;
  for (;;) {
    const r = await fake.ask<{ count: number; last: number }>({ type: 'report' }, 'report');
    if (r.count >= n || Date.now() > until) return r;
    await sleep(50);
  }
}

interface Delivered {
  rate: number;
  delivered: number;
  concurrency: number;
}

/** Queues `jobs` over `channels` in a real bridge on `storageUrl`, then times its worker delivering them to the fake. */
async function deliverQueued(ctx: BenchContext, fake: Fake, o: { name: string; storageUrl: string; jobs: number; channels: number; timeoutSec: number }): Promise<Delivered> {
  ctx.log(`${o.name}: queueing ${o.jobs} jobs over ${o.channels} channel(s)`);
  await fake.ask({ type: 'reset' }, 'reset-done');
  const bridge = await startChild('fanout-bridge', {
    dir: ctx.dir, storageUrl: o.storageUrl, fakeUrl: `http://127.0.0.1:${fake.ready.port}`, jobs: o.jobs, channels: o.channels, prefix: runId(),
  }, ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`, `--cpu-prof-name=${o.name}.cpuprofile`] : []);
  try {
    const { concurrency } = await bridge.next<{ concurrency: number }>('queued', 900_000);
    await fake.ask({ type: 'reset' }, 'reset-done');
    ctx.log(`${o.name}: delivering through the bridge`);
    const from = monotonicUs();
    const { t0 } = await bridge.ask<{ t0: number }>({ type: 'start' }, 'started');
    const r = await lastArrival(fake, o.jobs, o.timeoutSec);
    ctx.windows[o.name] = [from, monotonicUs()];
    return { rate: r.count > 0 ? (r.count / (r.last - t0)) * 1000 : 0, delivered: r.count, concurrency };
  } finally {
    await bridge.ask({ type: 'stop' }, 'stopped', 30_000).catch(() => undefined);
    await bridge.stop();
  }
}

/** A plain fetch loop with the bridge's concurrency posting the same JSON to the same URLs: the ceiling. */
async function plainLoop(ctx: BenchContext, fake: Fake, jobs: number, channels: number, concurrency: number, timeoutSec: number): Promise<number> {
  await fake.ask({ type: 'reset' }, 'reset-done');
  ctx.log(`fan-out: plain fetch loop, concurrency ${concurrency}, ${channels} channel(s)`);
  const loop = await startChild('fetch-loop', { fakeUrl: `http://127.0.0.1:${fake.ready.port}`, jobs, channels, concurrency, prefix: runId() });
  try {
    const { t0 } = await loop.ask<{ t0: number }>({ type: 'run' }, 'started');
    await loop.next('done', timeoutSec * 1000);
    const r = await lastArrival(fake, jobs, 5);
    return r.count > 0 ? (r.count / (r.last - t0)) * 1000 : 0;
  } finally {
    await loop.stop();
  }
}

const note = (d: Delivered, jobs: number, timeoutSec: number, extra = '') =>
  `concurrency ${d.concurrency}; ${d.delivered} of ${jobs} delivered${d.delivered < jobs ? ` within ${timeoutSec} s` : ''}${extra}`;

/**
 * Benchmark 3: `jobs` queued jobs over `channels` webhook receivers, delivered by the bridge's worker to a fake,
 * on SQLite and on PostgreSQL, against a plain fetch loop with the same concurrency to the same fake; and the
 * one-destination drain (benchmark 6): `drain.jobs` queued for one channel, pacing lifted, on both stores. Each is
 * timed from the worker's start to the fake receiving the last message. PostgreSQL's rows are beside SQLite's.
 */
export async function fanOut(ctx: BenchContext): Promise<Row[]> {
  const { jobs, channels, timeoutSec } = ctx.sizes.fanOut;
  const drainJobs = ctx.sizes.drain.jobs;
  const fake = await startChild('fake-api', {});
  try {
    const sqlite = await deliverQueued(ctx, fake, { name: 'fan-out', storageUrl: `sqlite:${ctx.dir}/fan-out.db`, jobs, channels, timeoutSec });
    const plainRate = await plainLoop(ctx, fake, jobs, channels, sqlite.concurrency, timeoutSec);
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

    const drainTimeout = Math.max(60, timeoutSec);
    const drainSqlite = await deliverQueued(ctx, fake, { name: 'drain-sqlite', storageUrl: `sqlite:${ctx.dir}/drain.db`, jobs: drainJobs, channels: 1, timeoutSec: drainTimeout });
    const drainTitle = `one destination, ${drainJobs.toLocaleString('en-US')} queued jobs`;
    const drainPlain = await plainLoop(ctx, fake, drainJobs, 1, drainSqlite.concurrency, drainTimeout);
    rows.push(row({
      key: 'drain.sqlite.rate', name: `6. Drain on SQLite: ${drainTitle}`, unit: 'msg/s', result: drainSqlite.rate, ceiling: drainPlain, ceilingName: 'plain fetch loop',
      note: note(drainSqlite, drainJobs, drainTimeout, '; a channel runs a quarter of the concurrency at once'),
    }));
    rows.push(await onPostgres(ctx, (reason) => skippedRow('drain.postgres.rate', `6. Drain on PostgreSQL: ${drainTitle}`, 'msg/s', '≥ 0.8 of ceiling', reason), async (storageUrl) => {
      const d = await deliverQueued(ctx, fake, { name: 'drain-postgres', storageUrl, jobs: drainJobs, channels: 1, timeoutSec: drainTimeout });
      const r = row({
        key: 'drain.postgres.rate', name: `6. Drain on PostgreSQL: ${drainTitle}`, unit: 'msg/s', result: d.rate, ceiling: drainSqlite.rate, ceilingName: 'SQLite, same run',
        note: note(d, drainJobs, drainTimeout), target: ratioAtLeast(0.8),
      });
      if (d.delivered < drainJobs) r.pass = false;
      return r;
    }));
    return rows;
  } finally {
    await fake.stop();
  }
}
