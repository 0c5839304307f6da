import { bridgeYaml, startBridgeProcess } from './bridge-process.js';
import type { BenchContext } from './context.js';
import { monotonicUs, runId } from './context.js';
import { fillQueue, pendingJobs } from './fill-queue.js';
import { freePort, sampleRss, sleep } from './processes.js';
import { below, row, type Row } from './table.js';
import { openStore } from '../src/store/open-store.js';

/**
 * Benchmark 4b: the bridge's RSS with `queuedJobs` undelivered jobs while
 * their receiver is down (a webhook URL nobody listens on), sampled for a
 * while, with a /metrics scrape every few seconds as Prometheus would.
 */
export async function memoryQueued(ctx: BenchContext): Promise<Row[]> {
  const { queuedJobs, sampleSec } = ctx.sizes.memory;
  const path = `${ctx.dir}/queued.db`;
  const store = await openStore(`sqlite:${path}`);
  await store.close();
  ctx.log(`memory: bulk-inserting ${queuedJobs.toLocaleString('en-US')} queued jobs`);
  const filled = fillQueue(path, { count: queuedJobs, receiver: 'down', destinationKey: 'webhook:down', prefix: runId() });
  ctx.log(`memory: filled in ${(filled.ms / 1000).toFixed(1)} s; starting the bridge with the receiver down for ${sampleSec} s`);

  const deadPort = await freePort();
  const bridge = await startBridgeProcess({
    dir: ctx.dir, name: 'memory-queued', runner: ctx.runner, profileDir: ctx.profileDir,
    yaml: (port) => bridgeYaml({
      port, storageUrl: `sqlite:${path}`,
      receivers: `  - { name: down, webhook: { url: "http://127.0.0.1:${deadPort}/down" } }`,
      route: '  receiver: down',
    }),
  });
  const rss = sampleRss(bridge.pid);
  const scrapes: number[] = [];
  let scrapeFailed = '';
  let peak: { peakMb: number; lastMb: number };
  const from = monotonicUs();
  try {
    const until = Date.now() + sampleSec * 1000;
    while (Date.now() < until) {
      const t = Date.now();
      try {
        const res = await fetch(`${bridge.url}/metrics`, { signal: AbortSignal.timeout(Math.max(1000, until - t)) });
        await res.text();
        scrapes.push(Date.now() - t);
      } catch (err) {
        scrapeFailed = `/metrics did not answer within ${((Date.now() - t) / 1000).toFixed(1)} s (${(err as Error).name})`;
      }
      await sleep(Math.min(5000, Math.max(0, until - Date.now())));
    }
  } finally {
    peak = rss.stop();
    ctx.windows['memory-queued'] = [from, monotonicUs()];
    await bridge.stop();
  }
  const pending = pendingJobs(path);
  const idle = Number(ctx.facts.bridgeIdleRssMb ?? NaN);
  const r = row({
    key: 'memory.queued', name: `4. Memory: bridge RSS with ${queuedJobs.toLocaleString('en-US')} jobs queued, receiver down`, unit: 'MB',
    result: peak.peakMb, ceiling: Number.isFinite(idle) ? idle : null, ceilingName: 'idle bridge, empty store',
    note: `last ${peak.lastMb.toFixed(0)} MB over ${sampleSec} s; ${pending.toLocaleString('en-US')} still pending; ` +
      (scrapeFailed || `/metrics took ${Math.max(...scrapes)} ms`),
    target: below(200, 'MB'),
  });
  if (pending < queuedJobs * 0.9) r.pass = false;
  return [r];
}
