import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { LogRecord } from './logger.js';

/** The repository root: the CLI runs with it as cwd, as a user would run it. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The environment a child gets: the parent's, minus what would change the bridge's behaviour. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PRETTY: '1', ...extra };
  for (const k of ['PORT', 'LOG_LEVEL', 'AVER_BRIDGE_CONFIG', 'AVER_WEBHOOK_SECRET', 'HOST']) if (!(k in extra)) delete env[k];
  return env;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** The latest stdout/stderr lines (pino JSON lines, mostly). */
  lines: string[];
  /** Everything the process wrote so far, stdout and stderr. */
  output: () => string;
  /** Its stdout JSON log lines, each parsed once as it arrived. */
  logs: () => LogRecord[];
  /** Resolves when the process has exited and all of its output has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Calls `onLine` for each complete line of a stream (and the last, unterminated one at its end). */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    parts.forEach(onLine);
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
    rest = '';
  });
}

/**
 * Starts `aver-bridge serve --config FILE` as a real process (through tsx)
 * and resolves once it logs the port it listens on (at LOG_LEVEL info, which
 * this sets). The config should listen on 127.0.0.1 port 0.
 */
export async function startServerProcess(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', configFile], {
    cwd: REPO,
    env: cleanEnv({ ...env, LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const logs: LogRecord[] = [];
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${lines.slice(-20).join('\n')}`)), 30_000);
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 2000) lines.splice(0, 1000);
      if (!line.includes('aver-bridge listening')) return;
      try {
        clearTimeout(timer);
        resolve((JSON.parse(line) as LogRecord & { port: number }).port);
      } catch (err) {
        reject(err);
      }
    };
    child.stdout.on('data', (c: string) => (out += c));
    child.stderr.on('data', (c: string) => (out += c));
    eachLine(child.stdout, (line) => {
      if (line.startsWith('{')) {
        try { logs.push(JSON.parse(line) as LogRecord); } catch { /* not a JSON line */ }
      }
      onLine(line);
    });
    eachLine(child.stderr, onLine);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${lines.slice(-20).join('\n')}`));
    });
  });
  return { child, pid: child.pid!, port, url: `http://127.0.0.1:${port}`, lines, output: () => out, logs: () => logs, exited };
}

/** Runs one CLI command (e.g. `dead-letters list --config FILE`) as a process, asynchronously (the test's own servers keep serving); resolves with its exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Stops a server process if it is still running (SIGKILL), for afterEach. */
export async function killServer(p: ServerProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
