import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourcePlugin } from './source.js';

const here = dirname(fileURLToPath(import.meta.url));
// In the checkout, not node_modules/.cache, which git worktrees may share (see bridge-process.ts).
const cache = join(benchCache(), 'children');
let bundling: Promise<void> | undefined;

/**
 * Where the bundles go: .bench-cache/ in the checkout, or AVER_BRIDGE_BENCH_CACHE, for two runs at once in one
 * checkout (each run deletes its bundles before it writes them). Inside the checkout either way, so that the
 * bundles' dependencies resolve through its node_modules.
 */
export function benchCache(): string {
  const dir = process.env.AVER_BRIDGE_BENCH_CACHE;
  return dir ? resolve(dir) : join(here, '..', '.bench-cache');
}

/**
 * Bundles every bench/children/*.ts with esbuild (dependencies external) into
 * .bench-cache/, once per run: a child then starts in plain node, in a
 * fifth of the time tsx takes and without tsx's loader thread in its RSS.
 */
function bundleChildren(): Promise<void> {
  bundling ??= (async () => {
    const { build } = await import('esbuild');
    rmSync(cache, { recursive: true, force: true });
    const dir = join(here, 'children');
    await build({
      entryPoints: readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)),
      outdir: cache, outExtension: { '.js': '.mjs' }, splitting: true, chunkNames: 'chunks/[name]-[hash]',
      bundle: true, platform: 'node', format: 'esm', target: 'node20',
      packages: 'external', sourcemap: true, logLevel: 'error', plugins: sourcePlugin(join(here, '..')),
    });
  })();
  return bundling;
}

/** A message between the bench and a child: a `type`, then what that type carries. */
export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

/** A bench helper process (bench/children/NAME.ts) run through tsx, talking over IPC. */
export interface Child {
  process: ChildProcess;
  pid: number;
  /** Sends a command and resolves with the next message whose `type` is `reply`. */
  ask<T = ChildMessage>(message: Record<string, unknown>, reply: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the next message whose `type` is `type`. */
  next<T = ChildMessage>(type: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Starts bench/children/NAME.ts (bundled) with `args` (JSON) and waits for its `{type: 'ready'}` message. */
export async function startChild(name: string, args: Record<string, unknown>, execArgv: string[] = []): Promise<Child & { ready: ChildMessage }> {
  await bundleChildren();
  const child = fork(join(cache, `${name}.mjs`), [JSON.stringify(args)], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: ChildMessage[] = [];
  const waiters = new Set<{ type: string; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }>();
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiters) w.reject(err);
    waiters.clear();
  };
  child.on('message', (m: ChildMessage) => {
    if (m?.type === 'error') return failAll(new Error(`bench child ${name}: ${String(m.message)}`));
    const w = [...waiters].find((x) => x.type === m?.type);
    if (w) {
      waiters.delete(w);
      w.resolve(m);
    } else queue.push(m);
  });
  child.on('exit', (code, signal) => failAll(new Error(`bench child ${name} exited (${signal ?? code})`)));

  function next<T = ChildMessage>(type: string, timeoutMs = 120_000): Promise<T> {
    const i = queue.findIndex((m) => m?.type === type);
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0] as T);
    if (failure) return Promise.reject(failure);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`bench child ${name}: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = {
        type,
        resolve: (m: ChildMessage) => { clearTimeout(timer); resolve(m as T); },
        reject: (e: Error) => { clearTimeout(timer); reject(e); },
      };
      waiters.add(w);
    });
  }

  const api: Child = {
    process: child,
    pid: child.pid!,
    ask<T>(message: Record<string, unknown>, reply: string, timeoutMs?: number) {
      const p = next<T>(reply, timeoutMs);
      child.send(message);
      return p;
    },
    next,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([gone, sleep(5000).then(() => child.kill('SIGKILL'))]);
      await gone;
    },
  };
  const ready = await next('ready');
  return { ...api, ready };
}

/** For children: the JSON args, and a way to answer the parent. */
export function childArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** For children: sends a message to the parent. */
export function tell(message: Record<string, unknown>): void {
  process.send?.(message);
}

/** A free TCP port on 127.0.0.1 (for processes that need a port in their config). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Polls `url` until it answers 2xx, or throws after `ms`. */
export async function waitForHttp(url: string, ms: number, alive: () => boolean = () => true): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (!alive()) throw new Error(`process exited before ${url} answered`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resident set size now and its peak (VmHWM) in MB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(/\d+/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[0] ?? NaN);
    return { rssMb: kb('VmRSS:') / 1024, peakMb: kb('VmHWM:') / 1024 };
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; peak is the larger of sampled RSS and the kernel's VmHWM. */
export function sampleRss(pid: number, everyMs = 100) {
  let peak = 0;
  let last = 0;
  let samples = 0;
  const take = () => {
    const m = memoryOf(pid);
    if (!m) return;
    samples++;
    last = m.rssMb;
    peak = Math.max(peak, m.rssMb, m.peakMb);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return { peakMb: peak, lastMb: last, samples };
    },
  };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
