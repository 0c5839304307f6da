import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { BridgeError, ConfigError, type ConfigProblem } from '../errors.js';
import { MATCHER_HINT, parseMatchers } from '../routing/matchers.js';
import { parseDuration } from './duration.js';
import { configSchema } from './schema.js';
import { RECEIVER_KINDS, type Config, type PacingOverride, type ReceiverConfig, type ReceiverKind, type RouteConfig } from '../model/config.js';

/** The shortest admin token accepted: the admin endpoints answer anyone who can reach them. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const INTEGRATIONS = RECEIVER_KINDS;
const validate = new Ajv({ allErrors: true, strict: false }).compile(configSchema);
const LOG_LEVELS: readonly string[] = configSchema.properties.log.properties.level.enum;

/** Where the config file is: --config, else AVER_BRIDGE_CONFIG, else ./aver-bridge.yaml. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.AVER_BRIDGE_CONFIG ?? './aver-bridge.yaml';
}

/** Reads, expands, validates and checks a config file; throws ConfigError listing every problem with its line. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read the config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, hint: 'pass --config FILE or set AVER_BRIDGE_CONFIG' }], file);
  }
  return parseConfig(text, file, env);
}

/** As loadConfig, from text already read. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', line: lines.linePos(e.pos[0]).line, message: `YAML syntax: ${e.message.split('\n')[0]}` })), file);
  }

  const problems: ConfigProblem[] = [];
  const envProblems: ConfigProblem[] = [];
  const expanded = expandEnv(doc, env, (path, node, message, hint) => envProblems.push({ path, line: lineOf(node), message, hint }));
  const raw = doc.toJS() ?? {};
  const nodeAt = (path: Array<string | number>) => (path.length === 0 ? doc.contents : (doc.getIn(path, true) as Node | undefined));
  const segsOf = (e: ErrorObject) => e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));

  // `port: ${PORT:-8080}` expands to the string "8080": where the schema wants a number or a boolean, retype it.
  if (!validate(raw) && retypeExpanded(raw, validate.errors ?? [], (e) => expanded.has(nodeAt(segsOf(e)) as Node))) validate(raw);
  if (validate.errors) {
    for (const e of dedupeSchemaErrors(validate.errors)) {
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
  }
  if (problems.length > 0) throw new ConfigError([...envProblems, ...problems], file);
  problems.push(...envProblems);

  const at = (segs: Array<string | number>) => ({ path: yamlPath(segs), line: lineOf(nodeAt(segs) as never) });
  const readSecretFile = (segs: Array<string | number>, p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push({ ...at(segs), message: `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, hint: 'mount the secret file, or set the value directly' });
      return undefined;
    }
  };
  /** Resolves `key` / `keyFile` on an object: exactly one may be set. */
  const secret = (obj: Record<string, unknown> | undefined, key: string, segs: Array<string | number>): string | undefined => {
    if (!obj) return undefined;
    const direct = obj[key] as string | undefined;
    const fileKey = `${key}File`;
    if (direct !== undefined && obj[fileKey] !== undefined) {
      problems.push({ ...at([...segs, fileKey]), message: `set ${key} or ${fileKey}, not both`, hint: `remove one of them: ${fileKey} reads the value from a file (a Docker or Kubernetes secret)` });
      return direct;
    }
    return obj[fileKey] !== undefined ? readSecretFile([...segs, fileKey], obj[fileKey] as string) : direct;
  };

  const r = raw as Record<string, any>;
  const wh = r.aver?.webhook ?? {};
  let secrets: string[] = (wh.secrets ?? []).map((s: string) => s.trim()).filter((s: string) => s !== '');
  if (wh.secretsFile !== undefined && wh.secrets !== undefined) {
    // Merging would keep accepting an inline default (the example's dev-secret) next to the real ones.
    problems.push({ ...at(['aver', 'webhook', 'secretsFile']), message: 'set secrets or secretsFile, not both', hint: 'put every accepted secret, one a line, in the secretsFile, and remove secrets' });
  } else if (wh.secretsFile !== undefined) {
    const content = readSecretFile(['aver', 'webhook', 'secretsFile'], wh.secretsFile);
    if (content !== undefined) secrets = [...secrets, ...content.split(/\r?\n/).map((s) => s.trim()).filter(Boolean)];
  }
  const allowUnauthenticated = wh.allowUnauthenticated === true;
  if (secrets.length === 0 && !allowUnauthenticated && !envProblems.some((p) => p.path.startsWith('aver.webhook.secrets'))) {
    problems.push({
      ...at(['aver', 'webhook']),
      path: 'aver.webhook.secrets',
      message: 'no webhook secret is configured, so anyone could post events',
      hint: 'set aver.webhook.secrets to the security header value chosen in the Aver portal, or set aver.webhook.allowUnauthenticated: true for local testing',
    });
  }

  const receivers: ReceiverConfig[] = (r.receivers as any[]).map((rc, i) => {
    const segs = ['receivers', i];
    const kinds = INTEGRATIONS.filter((k) => rc[k] !== undefined);
    if (kinds.length !== 1) {
      problems.push({ ...at(segs), message: kinds.length === 0 ? `receiver "${rc.name}" has no integration` : `receiver "${rc.name}" has several integrations (${kinds.join(', ')})`, hint: `give each receiver exactly one of ${INTEGRATIONS.join(', ')}` });
    }
    const base = { name: rc.name as string, pacing: rc.pacing as PacingOverride | undefined };
    const kind: ReceiverKind = kinds[0] ?? 'console';
    switch (kind) {
      case 'console':
        return { ...base, kind, console: { pretty: rc.console?.pretty ?? false } };
      case 'webhook': {
        const url = secret(rc.webhook, 'url', [...segs, 'webhook']);
        if (url === undefined) problems.push({ ...at([...segs, 'webhook']), message: 'webhook needs url (or urlFile)' });
        else checkUrl(url, [...segs, 'webhook', 'url']);
        return { ...base, kind, webhook: { url: url ?? '', headers: rc.webhook.headers ?? {} } };
      }
      case 'slack':
        if (!r.slack) problems.push({ ...at([...segs, 'slack']), message: `receiver "${rc.name}" posts to Slack but there is no top-level slack section`, hint: 'add slack.botToken (see "Install in Slack" in the README)' });
        return { ...base, kind, slack: { channel: rc.slack.channel, mention: rc.slack.mention ?? {}, updates: rc.slack.updates ?? 'thread' } };
      case 'teams': {
        if (!r.teams) problems.push({ ...at([...segs, 'teams']), message: `receiver "${rc.name}" posts to Teams but there is no top-level teams section`, hint: 'add teams.appId and teams.appPassword (see "Add to Teams" in the README)' });
        const byId = rc.teams.channelId !== undefined;
        const byName = rc.teams.team !== undefined || rc.teams.channel !== undefined;
        if (byId === byName || (byName && (rc.teams.team === undefined || rc.teams.channel === undefined))) {
          problems.push({ ...at([...segs, 'teams']), message: 'name the Teams channel either by channelId, or by team and channel', hint: 'channelId comes from "Get link to channel" in Teams (19:…@thread.tacv2)' });
        }
        return { ...base, kind, teams: { channelId: rc.teams.channelId, team: rc.teams.team, channel: rc.teams.channel, updates: rc.teams.updates ?? 'thread', mention: rc.teams.mention ?? {} } };
      }
      case 'teamsWorkflow': {
        const url = secret(rc.teamsWorkflow, 'url', [...segs, 'teamsWorkflow']);
        if (url === undefined) problems.push({ ...at([...segs, 'teamsWorkflow']), message: 'teamsWorkflow needs url (or urlFile)', hint: 'copy the URL of the Workflows trigger "When a Teams webhook request is received"' });
        else checkUrl(url, [...segs, 'teamsWorkflow', 'url']);
        return { ...base, kind, teamsWorkflow: { url: url ?? '' } };
      }
    }
  });

  function checkUrl(url: string, segs: Array<string | number>) {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      problems.push({ ...at(segs), message: 'not an http(s) URL', hint: 'write a full URL such as https://example.com/hook' });
    }
  }

  const names = new Set<string>();
  receivers.forEach((rc, i) => {
    if (names.has(rc.name)) problems.push({ ...at(['receivers', i, 'name']), message: `receiver name "${rc.name}" is used twice`, hint: 'receiver names must be unique' });
    names.add(rc.name);
  });

  const route = checkRoute(r.route, ['route']);
  function checkRoute(node: any, segs: Array<string | number>): RouteConfig {
    if (segs.length === 1) {
      // As in Alertmanager: the root is the default for every event, so it matches everything and has no siblings.
      if (node.matchers?.length) problems.push({ ...at([...segs, 'matchers']), message: 'the root route must not have matchers: it takes every event no child route takes', hint: 'move the matchers to a child under route.routes' });
      if (node.continue === true) problems.push({ ...at([...segs, 'continue']), message: 'the root route cannot have continue', hint: 'remove it: continue belongs on child routes' });
    }
    if (node.receiver !== undefined && !names.has(node.receiver)) {
      problems.push({ ...at([...segs, 'receiver']), message: `undefined receiver "${node.receiver}" used in route`, hint: `define it under receivers, or use one of: ${[...names].join(', ')}` });
    }
    const matchers: string[] = node.matchers ?? [];
    matchers.forEach((m, i) => {
      try {
        parseMatchers(m);
      } catch (err) {
        const hint = err instanceof BridgeError && err.code === 'matcher_regex_invalid'
          ? 'fix the regular expression (JavaScript syntax, anchored at both ends: "Reject.*" matches a prefix)'
          : MATCHER_HINT;
        problems.push({ ...at([...segs, 'matchers', i]), message: (err as Error).message, hint });
      }
    });
    return {
      receiver: node.receiver,
      matchers,
      continue: node.continue ?? false,
      routes: (node.routes ?? []).map((child: any, i: number) => checkRoute(child, [...segs, 'routes', i])),
    };
  }

  const slack = r.slack && {
    botToken: secret(r.slack, 'botToken', ['slack']) ?? '',
    signingSecret: secret(r.slack, 'signingSecret', ['slack']),
    apiUrl: withSlash(r.slack.apiUrl ?? 'https://slack.com/api/'),
    verifyToken: r.slack.verifyToken ?? true,
  };
  if (slack && !slack.botToken) problems.push({ ...at(['slack']), path: 'slack.botToken', message: 'slack needs botToken (or botTokenFile)', hint: 'find the Bot User OAuth Token (xoxb-…) under OAuth & Permissions in your Slack app settings' });

  const teams = r.teams && {
    appId: r.teams.appId ?? '',
    appPassword: secret(r.teams, 'appPassword', ['teams']) ?? '',
    appType: r.teams.appType ?? 'MultiTenant',
    tenantId: r.teams.tenantId ?? '',
    serviceUrl: withSlash(r.teams.serviceUrl ?? 'https://smba.trafficmanager.net/teams/'),
    auth: r.teams.auth ?? {},
  };
  if (teams && teams.appType === 'SingleTenant' && !teams.tenantId) problems.push({ ...at(['teams', 'appType']), message: 'appType SingleTenant needs teams.tenantId', hint: 'the Directory (tenant) ID of the Azure Bot registration' });
  if (teams && teams.appId && !teams.appPassword && teams.appType !== 'UserAssignedMSI') problems.push({ ...at(['teams']), path: 'teams.appPassword', message: 'teams.appId is set but appPassword is not', hint: 'the client secret of the Azure Bot registration' });

  const apiRaw = r.aver?.api;
  const api = apiRaw && {
    baseUrl: (apiRaw.baseUrl ?? 'https://app.goaver.com/api').replace(/\/+$/, ''),
    key: secret(apiRaw, 'key', ['aver', 'api']) ?? '',
    secret: secret(apiRaw, 'secret', ['aver', 'api']) ?? '',
    timeoutMs: parseDuration(apiRaw.timeout ?? '5s'),
    cacheTtlMs: parseDuration(apiRaw.cacheTtl ?? '30s'),
    showPersonalData: apiRaw.showPersonalData ?? false,
  };
  if (api && (!api.key || !api.secret)) problems.push({ ...at(['aver', 'api']), message: 'aver.api needs key and secret (or keyFile and secretFile)', hint: 'create an API key in the Aver portal, or remove aver.api to turn enrichment off' });

  const adminToken = secret(r.admin, 'token', ['admin']) || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push({
      ...at(['admin', r.admin?.tokenFile !== undefined ? 'tokenFile' : 'token']),
      message: `admin.token is ${adminToken.length} characters long; it must have at least ${MIN_ADMIN_TOKEN_LENGTH}`,
      hint: 'anyone who can reach the admin page can try tokens as fast as the bridge answers: use a long random one (openssl rand -hex 32)',
    });
  }

  const d = r.delivery ?? {};
  const storageUrl = secret(r.storage, 'url', ['storage']) ?? 'sqlite:./data/aver-bridge.db';
  if (env.PORT !== undefined && env.PORT !== '' && !(/^\d+$/.test(env.PORT) && Number(env.PORT) <= 65535)) {
    problems.push({ path: 'PORT', message: 'the environment variable PORT is not a port number', hint: 'set PORT to a number from 0 to 65535, or unset it to use server.port' });
  }
  if (env.LOG_LEVEL !== undefined && env.LOG_LEVEL !== '' && !LOG_LEVELS.includes(env.LOG_LEVEL)) {
    problems.push({ path: 'LOG_LEVEL', message: `the environment variable LOG_LEVEL must be one of ${LOG_LEVELS.map((l) => JSON.stringify(l)).join(', ')}`, hint: 'fix or unset LOG_LEVEL to use log.level' });
  }
  if (problems.length > 0) throw new ConfigError(problems, file);

  const config: Config = {
    source: { file, hash: createHash('sha256').update(text).digest('hex').slice(0, 16) },
    server: {
      host: r.server?.host ?? '0.0.0.0',
      port: env.PORT ? Number(env.PORT) : r.server?.port ?? 8080,
      shutdownTimeoutMs: parseDuration(r.server?.shutdownTimeout ?? '10s'),
      publicUrl: r.server?.publicUrl,
    },
    log: { level: env.LOG_LEVEL || r.log?.level || 'info' },
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
    admin: { token: adminToken },
    receivers,
    route,
  };
  return deepFreeze(config);
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
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
    const parent = segs.reduce<any>((o, k) => (o == null ? o : o[k]), raw);
    if (parent == null || key === undefined || typeof parent[key] !== 'string') continue;
    const text = (parent[key] as string).trim();
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
      segs.push((n.items as unknown[]).indexOf(next));
    } else if (n && typeof n === 'object' && 'key' in n && isScalar((n as { key: unknown }).key)) {
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
      return { message: `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`, hint: 'check the spelling against the configuration reference in the README' };
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
