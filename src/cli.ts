#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, configPath } from './config/load.js';
import { parseDuration } from './config/duration.js';
import type { Config } from './model/config.js';
import { BridgeError, ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { parseLabelArgs, testRoute } from './routing/test-route.js';
import { buildRouteTree } from './routing/tree.js';
import { openStore } from './store/open-store.js';
import type { JobRecord } from './model/job.js';

const USAGE = `aver-bridge: Aver webhooks to Slack and Microsoft Teams

Usage:
  aver-bridge [serve] [--config FILE]
  aver-bridge check-config [--config FILE]
  aver-bridge routes test [--config FILE] [--verify-receivers a,b] label=value | label="value" …
  aver-bridge send-test --url URL [--header NAME] [--secret S] [label=value …]
  aver-bridge dead-letters list|show ID|retry ID|retry --all|purge --older-than 7d [--config FILE]

The config file is --config, else $AVER_BRIDGE_CONFIG, else ./aver-bridge.yaml.`;

/** Where a command writes: stdout and stderr, or a test's buffers. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Runs one command; returns the exit code. Output goes through `out`/`err` so tests can read it. */
export async function main(argv: string[], io: Io = { out: (s) => void process.stdout.write(s + '\n'), err: (s) => void process.stderr.write(s + '\n') }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'verify-receivers': { type: 'string' },
      url: { type: 'string' },
      header: { type: 'string' },
      secret: { type: 'string' },
      all: { type: 'boolean' },
      'older-than': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command = 'serve', ...rest] = positionals;
  if (values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  const file = configPath(values.config);
  try {
    switch (command) {
      case 'serve':
        return await serve(loadConfig(file));
      case 'check-config': {
        const config = loadConfig(file);
        io.out(`${file}: OK (${config.receivers.length} receiver${config.receivers.length === 1 ? '' : 's'}, store ${config.storage.url.split(':')[0]})`);
        return 0;
      }
      case 'routes':
        if (rest[0] !== 'test') break;
        return routesTest(loadConfig(file), rest.slice(1), values['verify-receivers'], io);
      case 'send-test':
        return await sendTest(values.url, values.header ?? 'authorization', values.secret ?? process.env.AVER_WEBHOOK_SECRET, rest, io);
      case 'dead-letters':
        return await deadLetters(loadConfig(file), rest, { all: values.all ?? false, olderThan: values['older-than'], json: values.json ?? false }, io);
    }
    io.err(`unknown command: ${[command, ...rest].join(' ')}\n\n${USAGE}`);
    return 2;
  } catch (err) {
    if (err instanceof ConfigError) io.err(err.message);
    else if (err instanceof BridgeError) io.err(`${err.code}: ${err.message}`);
    else io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}

function parseLabels(args: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const arg of args) {
    const i = arg.indexOf('=');
    if (i <= 0) throw new BridgeError('bad_label', `expected label=value, got "${arg}"`);
    labels[arg.slice(0, i)] = arg.slice(i + 1);
  }
  return labels;
}

/** Prints the receivers the tree reaches for some labels, in tree order, and the path taken (like amtool config routes test). */
function routesTest(config: Config, args: string[], verify: string | undefined, io: { out: (s: string) => void; err: (s: string) => void }): number {
  // As amtool: each argument is a matcher (label="value", quotes and escapes read), and what amtool would warn about is printed.
  const given = parseLabelArgs(args, (w) => io.err(`warning: ${w.message}: ${JSON.stringify(w.input)}${w.suggestion ? ` (write ${w.suggestion})` : ''}`));
  const { receivers, routes } = testRoute(buildRouteTree(config.route), config.aver.groups, given);
  io.out(receivers.join(','));
  for (const r of routes) io.out(`  ${r.receiver}  via ${r.path}${r.matchers.length ? `  {${r.matchers.join(', ')}}` : ''}`);
  if (verify !== undefined) {
    const expected = verify.split(',').map((s) => s.trim()).filter(Boolean);
    if (expected.join(',') !== receivers.join(',')) {
      io.err(`WARNING: expected receivers "${expected.join(',')}" do not match the routed receivers "${receivers.join(',')}"`);
      return 1;
    }
  }
  return 0;
}

/** Posts a sample Aver webhook to a running bridge. */
async function sendTest(url: string | undefined, header: string, secret: string | undefined, args: string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  if (!url) {
    io.err('send-test needs --url, e.g. --url http://localhost:8080/webhooks/aver');
    return 2;
  }
  const l = parseLabels(args);
  const body = { statusMessage: { type: l.type ?? 'LiveCheck', id: l.id ?? `test-${Date.now()}`, groupId: l.groupId ?? '2d1162b5-0000-0000-0000-000000000000', status: l.status ?? 'Completed' } };
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { [header]: secret } : {}) }, body: JSON.stringify(body) });
  io.out(`${res.status} ${await res.text()}`);
  return res.ok ? 0 : 1;
}

function describeJob(j: JobRecord): string {
  const e = j.event;
  return `#${j.id}  ${new Date(j.updatedAt).toISOString()}  ${j.receiver}  ${e.type} ${e.id} ${e.status}  attempts=${j.attempts}  ${j.lastReason ?? ''}`;
}

/** Lists, shows, retries and purges dead letters in the store a running server uses. */
async function deadLetters(config: Config, args: string[], opts: { all: boolean; olderThan?: string; json: boolean }, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const store = await openStore(config.storage.url);
  try {
    const [verb, id] = args;
    const now = Date.now();
    switch (verb) {
      case 'list':
      case undefined: {
        const jobs = await store.listJobs({ state: 'dead', limit: 1000 });
        if (opts.json) io.out(JSON.stringify(jobs, null, 2));
        else if (jobs.length === 0) io.out('no dead letters');
        else for (const j of jobs) io.out(describeJob(j));
        return 0;
      }
      case 'show': {
        const job = id ? await store.getJob(Number(id)) : null;
        if (!job || job.state !== 'dead') {
          io.err(`no dead letter #${id ?? ''}`);
          return 1;
        }
        io.out(JSON.stringify(job, null, 2));
        return 0;
      }
      case 'retry': {
        if (opts.all) {
          io.out(`${await store.retryAllDeadLetters(now)} dead letter(s) queued again`);
          return 0;
        }
        if (!id || !(await store.retryDeadLetter(Number(id), now))) {
          io.err(`no dead letter #${id ?? ''} (use "dead-letters list")`);
          return 1;
        }
        io.out(`dead letter #${id} queued again`);
        return 0;
      }
      case 'purge': {
        if (!opts.olderThan) {
          io.err('purge needs --older-than, e.g. --older-than 7d');
          return 2;
        }
        io.out(`${await store.purgeDeadLetters(now - parseDuration(opts.olderThan))} dead letter(s) purged`);
        return 0;
      }
    }
    io.err(`unknown dead-letters command "${verb}": use list, show ID, retry ID, retry --all, purge --older-than 7d`);
    return 2;
  } finally {
    await store.close();
  }
}

/** Runs the server until SIGTERM/SIGINT; SIGHUP reloads the config file. */
async function serve(config: Config): Promise<number> {
  const logger = createLogger(config.log.level);
  // Loaded here, not at the top: check-config, routes test and dead-letters need none of the server's modules.
  const { createBridge } = await import('./app.js');
  const bridge = await createBridge(config, { logger });
  await bridge.start();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now (everything acknowledged is stored)');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      bridge.stop().then(() => resolve(0), (err) => {
        logger.error({ err }, 'shutdown failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    // A bad file is logged by reloadFromSource and the old configuration kept.
    process.on('SIGHUP', () => void bridge.reloadFromSource().catch(() => undefined));
  });
}

/** Runs the command line with this process's arguments and exits with its code (bin/aver-bridge.js, node dist/cli.js). */
export function runCli(): void {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    if (code !== 0 || process.argv[2] !== undefined) setTimeout(() => process.exit(code), 100).unref();
  });
}

// `node dist/cli.js …` (and `node --import tsx src/cli.ts …`): this module is the entry point. Compared through
// realpath, so a symlinked path runs it too; the installed `aver-bridge` command goes through bin/ and runCli().
const entry = process.argv[1] ? realpathOrSelf(process.argv[1]) : undefined;
if (entry && entry === realpathOrSelf(fileURLToPath(import.meta.url))) runCli();

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
