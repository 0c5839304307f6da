import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs with it as cwd, as a user would run it. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The environment a child gets: the parent's, minus what would change the bridge's behaviour. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PRETTY: '1', ...extra };
  for (const k of ['PORT', 'LOG_LEVEL', 'AVER_BRIDGE_CONFIG', 'AVER_WEBHOOK_SECRET', 'HOST']) if (!(k in extra)) delete env[k];
  return env;
}

/** Runs `node --import tsx src/cli.ts ARGS` to completion (asynchronously: the test's own servers keep serving). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote so far, stdout and stderr. */
  output: () => string;
  /** Its stdout JSON log lines, parsed. */
  logs: () => Array<Record<string, any>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `aver-bridge serve --config FILE` as a real process and resolves once it listens (port from its log line). */
export function startServerProcess(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--config', configFile], { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const logs = () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const listening = logs().find((l) => l.msg === 'aver-bridge listening');
      if (listening) resolve({ child, port: listening.port, output: () => out, logs, exited });
    };
    child.stdout!.on('data', (c) => { out += c; stdout += c; onData(); });
    child.stderr!.on('data', (c) => { out += c; });
    void exited.then(({ code, signal }) => reject(new Error(`the server exited (${code ?? signal}) before listening:\n${out}`)));
  });
}
