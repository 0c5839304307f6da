import type { BenchContext } from './context.js';
import { monotonicUs, runId } from './context.js';
import { sleep, startChild, type Child } from './processes.js';
import { ratioAtLeast, row, type Row } from './table.js';

/** Waits until the fake has seen `n` messages; returns the last arrival time. */
async function lastArrival(fake: Child, n: number, timeoutSec: number): Promise<{ last: number; count: number }> {
  const until = Date.now() + timeoutSec * 1000;
  for (;;) {
    const r = await fake.ask<{ count: number; last: number }>({ type: 'report' }, 'report');
    if (r.count >= n || Date.now() > until) return r;
    await sleep(50);
  }
}

/**
 * Benchmark 3: `jobs` queued jobs over `channels` webhook receivers,
 * delivered by the bridge's worker to a fake, against a plain fetch loop with
 * the same concurrency to the same fake. Both are timed from their start to
 * the fake receiving the last message.
 */
export async function fanOut(ctx: BenchContext): Promise<Row[]> {
  const { jobs, channels, timeoutSec } = ctx.sizes.fanOut;
  const fake = await startChild('fake-api', {});
  const fakeUrl = `http://127.0.0.1:${fake.ready.port}`;
  try {
    ctx.log(`fan-out: queueing ${jobs} jobs over ${channels} channels`);
    const bridge = await startChild('fanout-bridge', {
      dir: ctx.dir, storageUrl: `sqlite:${ctx.dir}/fan-out.db`, fakeUrl, jobs, channels, prefix: runId(),
    }, ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`, '--cpu-prof-name=fan-out.cpuprofile'] : []);
    const { concurrency } = await bridge.next<{ concurrency: number }>('queued', 600_000);
    let bridgeRate: number;
    let delivered: number;
    try {
      await fake.ask({ type: 'reset' }, 'reset-done');
      ctx.log('fan-out: delivering through the bridge');
      const from = monotonicUs();
      const { t0 } = await bridge.ask<{ t0: number }>({ type: 'start' }, 'started');
      const r = await lastArrival(fake, jobs, timeoutSec);
      ctx.windows['fan-out'] = [from, monotonicUs()];
      delivered = r.count;
      bridgeRate = r.count > 0 ? (r.count / (r.last - t0)) * 1000 : 0;
    } finally {
      await bridge.ask({ type: 'stop' }, 'stopped', 30_000).catch(() => undefined);
      await bridge.stop();
    }

    await fake.ask({ type: 'reset' }, 'reset-done');
    ctx.log(`fan-out: plain fetch loop, concurrency ${concurrency}`);
    const loop = await startChild('fetch-loop', { fakeUrl, jobs, channels, concurrency, prefix: runId() });
    let plainRate: number;
    try {
      const { t0 } = await loop.ask<{ t0: number }>({ type: 'run' }, 'started');
      await loop.next('done', timeoutSec * 1000);
      const r = await lastArrival(fake, jobs, 5);
      plainRate = r.count > 0 ? (r.count / (r.last - t0)) * 1000 : 0;
    } finally {
      await loop.stop();
    }
    const r = row({
      key: 'fanout.rate', name: `3. Fan-out: ${jobs.toLocaleString('en-US')} queued jobs over ${channels.toLocaleString('en-US')} channels`, unit: 'msg/s',
      result: bridgeRate, ceiling: plainRate, ceilingName: `plain fetch loop`,
      note: `concurrency ${concurrency}; ${delivered} of ${jobs} delivered${delivered < jobs ? ` within ${timeoutSec} s` : ''}`, target: ratioAtLeast(0.5),
    });
    if (delivered < jobs) r.pass = false;
    return [r];
  } finally {
    await fake.stop();
  }
}
