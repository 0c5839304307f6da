import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCache, freePort, sleep, waitForHttp } from './processes.js';
import { bridgeEntry, sourcePlugin } from './source.js';
import { BENCH_SECRET, WEBHOOK_PATH } from './webhook-body.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * How the bridge process runs: `bundle` (default) is src/cli.ts bundled by
 * esbuild into one file, run by plain node like the compiled dist/ is (tsx's
 * loader thread would add ~30 MB of RSS and skew the memory rows); `tsx` runs
 * the sources through tsx; `dist` runs dist/cli.js from `npm run build`.
 */
export type Runner = 'bundle' | 'tsx' | 'dist';

let bundled: string | undefined;

/**
 * Bundles src/cli.ts (dependencies left external) into .bench-cache/, once per run; returns its path.
 * Code splitting keeps src's dynamic imports dynamic, so integrations that are not configured (Slack's and
 * Teams' SDKs) are not loaded, as in dist/.
 */
export async function bundleBridge(): Promise<string> {
  if (bundled) return bundled;
  const { build } = await import('esbuild');
  // In the checkout, not node_modules/.cache: git worktrees that share one node_modules (a symlink) would
  // overwrite (and delete) each other's bundles mid-run. Dependencies still resolve through the checkout's node_modules.
  const outdir = join(benchCache(), 'bridge');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { cli: bridgeEntry(root) }, plugins: sourcePlugin(root),
    outdir, outExtension: { '.js': '.mjs' }, splitting: true, chunkNames: 'chunks/[name]-[hash]',
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'error',
  });
  bundled = join(outdir, 'cli.mjs');
  return bundled;
}

async function commandFor(runner: Runner): Promise<string[]> {
  if (runner === 'tsx') return ['--import', 'tsx', join(root, 'src', 'cli.ts')];
  if (runner === 'dist') return [join(root, 'dist', 'cli.js')];
  return [await bundleBridge()];
}

/** The YAML of a bench bridge: 127.0.0.1, the bench secret, a quick shutdown, and the parts given. */
export function bridgeYaml(o: { port: number; storageUrl: string; receivers: string; route: string; extra?: string }): string {
  return [
    `server: { host: 127.0.0.1, port: ${o.port}, shutdownTimeout: 2s }`,
    'aver:',
    '  webhook:',
    `    path: ${WEBHOOK_PATH}`,
    `    secrets: ["${BENCH_SECRET}"]`,
    `storage: { url: "${o.storageUrl}" }`,
    'receivers:',
    o.receivers.trimEnd(),
    'route:',
    o.route.trimEnd(),
    o.extra?.trimEnd() ?? '',
    '',
  ].join('\n');
}

export interface BridgeProcess {
  /** Its config's (and CPU profile's) name. */
  name: string;
  pid: number;
  url: string;
  webhookUrl: string;
  /** The last few KB the process wrote to stderr. */
  stderr(): string;
  /** SIGTERM, then wait for exit (SIGKILL after 10 s: the config's shutdownTimeout is 2 s). */
  stop(): Promise<number | null>;
}

/** Thrown when the bridge process exits before it listens; carries its stderr. */
export class BridgeStartError extends Error {
  constructor(message: string, readonly stderr: string) {
    super(message);
  }
}

/**
 * Starts `aver-bridge serve` as its own process with the config given, its
 * stdout (console receiver lines and logs) going to /dev/null, and waits until
 * /healthz answers.
 */
export async function startBridgeProcess(o: {
  dir: string;
  name: string;
  /** YAML without server.port (filled in). */
  yaml: (port: number) => string;
  runner: Runner;
  /** Writes a V8 CPU profile there on exit. */
  profileDir?: string;
  /** A port to listen on (a restarted bridge takes its predecessor's, so senders need not change URL); default a free one. */
  port?: number;
}): Promise<BridgeProcess> {
  const port = o.port ?? await freePort();
  const file = join(o.dir, `${o.name}.yaml`);
  writeFileSync(file, o.yaml(port));
  const profile = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`, `--cpu-prof-name=${o.name}.cpuprofile`] : [];
  if (o.profileDir) mkdirSync(o.profileDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PRETTY: '1' };
  delete env.PORT;
  delete env.LOG_LEVEL;
  // AVER_BRIDGE_BENCH_LOGS=DIR keeps each bridge's stdout (its logs) as DIR/NAME.log, to see what it did.
  const logDir = process.env.AVER_BRIDGE_BENCH_LOGS;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const out = logDir ? openSync(join(logDir, `${o.name}.log`), 'w') : 'ignore';
  const child = spawn(process.execPath, [...profile, ...(await commandFor(o.runner)), 'serve', '--config', file], {
    cwd: o.dir, env, stdio: ['ignore', out, 'pipe'],
  });
  if (typeof out === 'number') closeSync(out);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4096);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => { exitCode = code; r(code); }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, 30_000, () => exitCode === undefined);
  } catch (err) {
    if (exitCode === undefined) child.kill('SIGKILL');
    await exited;
    await sleep(20);
    throw new BridgeStartError(`bridge "${o.name}" did not start: ${(err as Error).message}\n${stderr.trim()}`, stderr);
  }
  return {
    name: o.name,
    pid: child.pid!,
    url,
    webhookUrl: `${url}${WEBHOOK_PATH}`,
    stderr: () => stderr,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
