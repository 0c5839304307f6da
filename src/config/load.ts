import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { parseDuration } from './duration.js';
import { checkRouteTree, type ConfigWarning } from './routes.js';
import { readTimeIntervals, type RawNamedInterval } from './time-intervals.js';
import { configSchema } from './schema.js';
import type { Config, LogFormat, MessageTemplateConfig, ServerConfig } from '../model/config.js';
import { createConfigReader, type ConfigReader, type Segments } from './reader.js';
import { readReceivers, type RawReceiver } from './receivers.js';
import type { RawRoute } from './routes.js';
import { checkReceiverTemplates, readTemplates } from './templates.js';
import { readSmtp, type RawSmtp } from './smtp.js';
import { checkEnvOverrides, checkTeamsDevMode, readAdminToken, readAverApi, readDisplay, readSlack, readTeams, readWebhookSecrets, type RawWebhook } from './sections.js';

const validate = new Ajv({ allErrors: true, strict: false }).compile(configSchema);
const LOG_LEVELS: readonly string[] = configSchema.properties.log.properties.level.enum;

/** Where the config file is: --config, else AVER_BRIDGE_CONFIG, else ./aver-bridge.yaml. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.AVER_BRIDGE_CONFIG ?? './aver-bridge.yaml';
}

export type { ConfigWarning } from './routes.js';

/** The file as the schema lets it through (src/config/schema.ts), before defaults and secrets are applied. */
interface RawConfig {
  server?: RawServer;
  log?: { level?: string; format?: LogFormat };
  aver?: {
    webhook?: RawWebhook & { path?: string; header?: string; maxBodyBytes?: number; dedupWindow?: string };
    groups?: Record<string, string>;
    links?: { check?: string; watchlist?: string };
    api?: Record<string, unknown>;
  };
  storage?: { url?: string; urlFile?: string; retention?: string };
  slack?: Record<string, unknown>;
  smtp?: RawSmtp;
  teams?: Record<string, unknown>;
  delivery?: {
    concurrency?: number;
    timeout?: string;
    maxAge?: string;
    leaseTime?: string;
    pollInterval?: string;
    backoff?: { base?: string; factor?: number; cap?: string };
  };
  admin?: Record<string, unknown>;
  display?: { timeZone?: string; locale?: string };
  templates?: Record<string, MessageTemplateConfig>;
  receivers: RawReceiver[];
  route: RawRoute;
  time_intervals?: RawNamedInterval[];
}

export interface LoadOptions {
  /**
   * Receives what the file should change but the bridge still reads (e.g. the
   * deprecated match:, or a matcher only Alertmanager's classic parser reads).
   * By default each is emitted as a process warning (printed on stderr).
   */
  warn?: (warning: ConfigWarning) => void;
}

/** Emits a config warning as a Node process warning: stderr, `(node:PID) AverBridgeConfigWarning: …`. */
export function emitConfigWarning(file: string, w: ConfigWarning): void {
  const where = w.line ? `line ${w.line}, ${w.path || '(root)'}` : w.path || '(root)';
  process.emitWarning(`${file}: ${where}: ${w.message}${w.hint ? ` (${w.hint})` : ''}`, { type: 'AverBridgeConfigWarning', code: 'config_warning' });
}

/** Reads, expands, validates and checks a config file; throws ConfigError listing every problem with its line. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, hint: 'pass --config FILE or set AVER_BRIDGE_CONFIG' }], file);
  }
  return parseConfig(text, file, env, options);
}

/** As loadConfig, from text already read. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const { doc, lineOf } = readYaml(text, file);
  const envProblems: ConfigProblem[] = [];
  const expanded = expandEnv(doc, env, (path, node, message, hint) => envProblems.push({ path, line: lineOf(node), message, hint }));
  const nodeAt = (path: Segments) => (path.length === 0 ? doc.contents : (doc.getIn(path, true) as Node | undefined));
  const raw = validateRaw(doc.toJS() ?? {}, expanded, nodeAt, lineOf, envProblems, file);
  const problems: ConfigProblem[] = [...envProblems];
  const at = (segs: Segments) => ({ path: yamlPath(segs), line: lineOf(nodeAt(segs)) });
  const reader = createConfigReader(at, nodeAt, problems);
  const config = buildConfig(raw, text, file, env, reader, options);
  if (problems.length > 0) throw new ConfigError(problems, file);
  return deepFreeze(config);
}

/** Parses the YAML with line numbers; a syntax error is a ConfigError with its line. */
function readYaml(text: string, file: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', line: lines.linePos(e.pos[0]).line, message: `YAML syntax: ${e.message.split('\n')[0]}` })), file);
  }
  return { doc, lineOf };
}

/** Checks the document against the JSON Schema; every schema problem (and every unset variable) is thrown at once. */
function validateRaw(
  raw: unknown,
  expanded: Set<Node>,
  nodeAt: (segs: Segments) => Node | null | undefined,
  lineOf: (node: never) => number | undefined,
  envProblems: ConfigProblem[],
  file: string,
): RawConfig {
  const segsOf = (e: ErrorObject) => e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  // `port: ${PORT:-8080}` expands to the string "8080": where the schema wants a number or a boolean, retype it.
  if (!validate(raw) && retypeExpanded(raw, validate.errors ?? [], (e) => expanded.has(nodeAt(segsOf(e)) as Node))) validate(raw);
  const problems: ConfigProblem[] = [];
  for (const e of dedupeSchemaErrors(validate.errors ?? [])) {
    const segs = segsOf(e);
    if (e.keyword === 'additionalProperties') {
      // Point at the unknown key itself, not at the object that holds it.
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const parent = nodeAt(segs);
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
      problems.push({ path: yamlPath([...segs, key]), line: lineOf(pair?.key as never) ?? lineOf(parent as never), ...describeSchemaError(e) });
      continue;
    }
    problems.push({ path: yamlPath(segs), line: lineOf(nodeAt(segs) as never), ...describeSchemaError(e) });
  }
  if (problems.length > 0) throw new ConfigError([...envProblems, ...problems], file);
  return raw as RawConfig;
}

/** Reads every section into the Config; problems are collected on the reader, not thrown. */
function buildConfig(r: RawConfig, text: string, file: string, env: NodeJS.ProcessEnv, reader: ConfigReader, options: LoadOptions): Config {
  const { at, nodeAt, problems } = reader;
  const wh = r.aver?.webhook ?? {};
  const envFailed = problems.some((p) => p.path.startsWith('aver.webhook.secrets'));
  const { secrets, allowUnauthenticated } = readWebhookSecrets(wh, envFailed, reader);
  const receivers = readReceivers(r.receivers, { slack: r.slack !== undefined, teams: r.teams !== undefined, smtp: r.smtp !== undefined }, reader);
  const templates = readTemplates(r.templates, reader);
  checkReceiverTemplates(receivers, templates, reader);
  const names = new Set(receivers.map((rc) => rc.name));
  const intervals = readTimeIntervals(r.time_intervals, at, problems);
  const route = checkRouteTree(r.route, { receivers: names, at, nodeAt, problems, intervals, warn: options.warn ?? ((w) => emitConfigWarning(file, w)) });
  const slack = readSlack(r.slack, reader);
  const teams = readTeams(r.teams, reader);
  const api = readAverApi(r.aver?.api, reader);
  const d = r.delivery ?? {};
  const storageUrl = reader.secret(r.storage, 'url', ['storage']) ?? 'sqlite:./data/aver-bridge.db';
  checkEnvOverrides(env, LOG_LEVELS, reader);
  const config: Config = {
    source: { file, hash: createHash('sha256').update(text).digest('hex').slice(0, 16) },
    server: readServer(r.server, env, reader),
    log: { level: env.LOG_LEVEL || r.log?.level || 'info', format: r.log?.format ?? 'auto' },
    aver: {
      webhook: {
        path: wh.path ?? '/webhooks/aver',
        header: (wh.header ?? 'authorization').toLowerCase(),
        secrets,
        allowUnauthenticated,
        maxBodyBytes: wh.maxBodyBytes ?? 65536,
        dedupWindowMs: parseDuration(wh.dedupWindow ?? '24h'),
      },
      groups: r.aver?.groups ?? {},
      links: r.aver?.links ?? {},
      api,
    },
    storage: { url: storageUrl, retentionMs: parseDuration(r.storage?.retention ?? '30d') },
    slack,
    ...(r.smtp ? { smtp: readSmtp(r.smtp, reader) } : {}),
    teams,
    delivery: {
      concurrency: d.concurrency ?? 16,
      timeoutMs: parseDuration(d.timeout ?? '10s'),
      maxAgeMs: parseDuration(d.maxAge ?? '24h'),
      leaseMs: parseDuration(d.leaseTime ?? '60s'),
      pollIntervalMs: parseDuration(d.pollInterval ?? '250ms'),
      backoff: {
        baseMs: parseDuration(d.backoff?.base ?? '1s'),
        factor: d.backoff?.factor ?? 2,
        capMs: parseDuration(d.backoff?.cap ?? '5m'),
      },
    },
    admin: { token: readAdminToken(r.admin, reader) },
    display: readDisplay(r.display, reader),
    templates,
    receivers,
    route,
  };
  checkTeamsDevMode(teams, config.server.host, reader);
  return config;
}

interface RawServer {
  host?: string;
  port?: number;
  shutdownTimeout?: string | number;
  publicUrl?: string;
  requestTimeout?: string | number;
  maxConnections?: number;
  trustProxy?: boolean;
  internal?: { host?: string; port?: number };
}

/** server.internal's port when the key is there without one: the port the Kubernetes manifests name `internal`. */
const DEFAULT_INTERNAL_PORT = 9090;

/** server.*: where to listen, and the limits on what one client may hold (see docs/security.md). */
function readServer(raw: RawServer | undefined, env: NodeJS.ProcessEnv, reader: ConfigReader): ServerConfig {
  const s = raw ?? {};
  const requestTimeoutMs = parseDuration(s.requestTimeout ?? '10s');
  if (requestTimeoutMs < 1) {
    reader.problems.push({
      ...reader.at(['server', 'requestTimeout']),
      message: 'server.requestTimeout must be above 0',
      hint: 'a slow client could then hold a connection for ever: keep the default 10s, or a few seconds more behind a slow link',
    });
  }
  const host = s.host ?? '0.0.0.0';
  const port = env.PORT ? Number(env.PORT) : s.port ?? 8080;
  return {
    host,
    port,
    shutdownTimeoutMs: parseDuration(s.shutdownTimeout ?? '10s'),
    publicUrl: s.publicUrl,
    requestTimeoutMs,
    maxConnections: s.maxConnections ?? 1024,
    trustProxy: s.trustProxy ?? false,
    ...(s.internal ? { internal: readInternal(s.internal, host, port, reader) } : {}),
  };
}

/** server.internal: host defaults to server.host; its port must differ from the public one. */
function readInternal(raw: NonNullable<RawServer['internal']>, host: string, port: number, reader: ConfigReader): NonNullable<ServerConfig['internal']> {
  const internal = { host: raw.host ?? host, port: raw.port ?? DEFAULT_INTERNAL_PORT };
  if (internal.port !== 0 && internal.port === port) {
    reader.problems.push({
      ...reader.at(raw.port === undefined ? ['server', 'internal'] : ['server', 'internal', 'port']),
      path: 'server.internal.port',
      message: `server.internal.port ${internal.port} is also the public port (server.port or PORT)`,
      hint: `give the private listener a port of its own, e.g. ${port === DEFAULT_INTERNAL_PORT ? 9091 : DEFAULT_INTERNAL_PORT}`,
    });
  }
  return internal;
}

/** Expands ${VAR} and ${VAR:-default} in every string scalar; `$$` is a literal `$`. Returns the scalars it changed. */
function expandEnv(doc: Document, env: NodeJS.ProcessEnv, report: (path: string, node: Node, message: string, hint: string) => void): Set<Node> {
  const changed = new Set<Node>();
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      changed.add(node);
      node.value = node.value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name: string | undefined, fallback: string | undefined) => {
        if (whole === '$$') return '$';
        const v = env[name!];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        report(pathOf([...path, node]), node, `environment variable ${name} is not set`, `export ${name}=…, or write \${${name}:-default}`);
        return '';
      });
    },
  });
  return changed;
}

/**
 * Converts expanded strings where the schema wanted an integer, number or
 * boolean and the text is one. Only those: a numeric secret stays a string.
 * Returns whether anything changed.
 */
function retypeExpanded(raw: unknown, errors: ErrorObject[], wasExpanded: (e: ErrorObject) => boolean): boolean {
  let changed = false;
  for (const e of errors) {
    const want = (e.params as { type?: string }).type;
    if (e.keyword !== 'type' || !want || !wasExpanded(e)) continue;
    const segs = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const key = segs.pop();
    const parent = segs.reduce<Record<string, unknown> | null | undefined>((o, k) => (o == null ? o : (o[k] as Record<string, unknown> | null | undefined)), raw as Record<string, unknown>);
    if (parent == null || key === undefined || typeof parent[key] !== 'string') continue;
    const text = (parent[key]).trim();
    let value: unknown;
    if ((want === 'integer' && /^-?\d+$/.test(text)) || (want === 'number' && text !== '' && Number.isFinite(Number(text)))) value = Number(text);
    else if (want === 'boolean' && (text === 'true' || text === 'false')) value = text === 'true';
    if (value === undefined) continue;
    parent[key] = value;
    changed = true;
  }
  return changed;
}

function pathOf(path: readonly unknown[]): string {
  const segs: Array<string | number> = [];
  for (let i = 0; i < path.length; i++) {
    const n = path[i];
    if (isMap(n)) continue;
    if (isSeq(n)) {
      const next = path[i + 1];
      segs.push((n.items).indexOf(next));
    } else if (n && typeof n === 'object' && 'key' in n && isScalar((n).key)) {
      segs.push(String(((n as { key: { value: unknown } }).key).value));
    }
  }
  return yamlPath(segs);
}

function yamlPath(segs: Array<string | number>): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** anyOf/oneOf failures produce one error per branch; keep the most useful. */
function dedupeSchemaErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword === 'anyOf') return false;
    const key = `${e.instancePath}|${e.keyword === 'type' || e.keyword === 'pattern' ? 'value' : e.keyword + JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeSchemaError(e: ErrorObject): { message: string; hint?: string } {
  switch (e.keyword) {
    case 'additionalProperties':
      return { message: `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`, hint: 'check the spelling against the configuration reference in docs/configuration.md' };
    case 'required':
      return { message: `missing required key "${(e.params as { missingProperty: string }).missingProperty}"` };
    case 'enum':
      return { message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return e.schemaPath.includes('anyOf') || /\(ms\|s/.test(String((e.params as { pattern: string }).pattern))
        ? { message: 'not a duration', hint: 'write e.g. 500ms, 10s, 5m, 24h or 7d' }
        : { message: `does not match the expected form ${(e.params as { pattern: string }).pattern}` };
    default:
      return { message: e.message ?? 'invalid' };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
