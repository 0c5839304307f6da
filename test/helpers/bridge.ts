import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBridge, type Bridge, type BridgeOptions } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { memoryLogger } from './logger.js';

/** A temp folder removed by cleanup(). */
export function tempDir(prefix = 'aver-bridge-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
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
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A JSON answer of the bridge: a webhook accepted (`eventId`, `duplicate`) or any request refused (`error`). Tests read the side they expect. */
export interface BridgeAnswer {
  accepted?: boolean;
  duplicate?: boolean;
  eventId: string;
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
  [key: string]: unknown;
}

/** Posts a webhook body (object or raw string) with the given headers; `json` is the answer parsed (its text when not JSON). */
export async function postWebhook(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: BridgeAnswer }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json: json as BridgeAnswer };
}
