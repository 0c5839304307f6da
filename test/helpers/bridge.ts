import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createBridge, type Bridge, type BridgeOptions } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/model/config.js';

/** A temp folder removed by cleanup(). */
export function tempDir(prefix = 'aver-bridge-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A pino logger that keeps its lines in memory, for asserting on what was (or was not) logged. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  const logger = pino({ level }, stream);
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean), text: () => chunks.join('') };
}

/** Parses inline YAML as a config file would be, with `${DIR}` replaced by a temp folder. */
export function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}, file = 'test.yaml'): Config {
  return parseConfig(yaml, file, env);
}

export interface TestBridge {
  bridge: Bridge;
  url: string;
  port: number;
  /** Lines console receivers wrote, parsed. */
  consoleLines: Array<Record<string, unknown>>;
  logs: ReturnType<typeof memoryLogger>;
  dir: string;
  stop: () => Promise<void>;
}

/**
 * Starts a real bridge on 127.0.0.1 port 0 with the YAML given (storage
 * defaults to an SQLite file in a temp folder), for tests that call it over HTTP.
 */
export async function startBridge(yaml: string, options: BridgeOptions & { env?: NodeJS.ProcessEnv; dir?: string } = {}): Promise<TestBridge> {
  const temp = options.dir ? { dir: options.dir, cleanup: () => undefined } : tempDir();
  const withStore = /^storage:/m.test(yaml) ? yaml : `${yaml}\nstorage: { url: "sqlite:${join(temp.dir, 'bridge.db')}" }\n`;
  const file = join(temp.dir, 'aver-bridge.yaml');
  writeFileSync(file, withStore);
  const config = parseConfig(withStore, file, { ...options.env });
  const logs = memoryLogger();
  const consoleLines: Array<Record<string, unknown>> = [];
  const bridge = await createBridge(
    { ...config, server: { ...config.server, host: '127.0.0.1', port: 0 } },
    { logger: logs.logger, write: (line) => consoleLines.push(JSON.parse(line)), ...options },
  );
  const { port } = await bridge.start();
  return {
    bridge, port, url: `http://127.0.0.1:${port}`, consoleLines, logs, dir: temp.dir,
    stop: async () => {
      await bridge.stop();
      temp.cleanup();
    },
  };
}

/** Polls `check` until it returns a truthy value or `ms` passes (then throws with `what`). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, ms = 5000): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Posts a webhook body (object or raw string) with the given headers. */
export async function postWebhook(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

export const MINIMAL_YAML = `
aver:
  webhook:
    secrets: ["s3cret-value"]
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`;
