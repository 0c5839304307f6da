import { DEFAULT_DISPLAY, type AverApiConfig, type DisplayConfig, type SlackConfig, type TeamsConfig } from '../model/config.js';
import { isValidLocale, isValidTimeZone } from '../present/format-time.js';
import { parseDuration } from './duration.js';
import type { ConfigReader } from './reader.js';

/** The shortest admin token accepted: the admin endpoints answer anyone who can reach them. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** `aver.webhook` as the schema lets it through (the part read here). */
export interface RawWebhook {
  secrets?: string[];
  secretsFile?: string;
  allowUnauthenticated?: boolean;
}

/** The accepted webhook secrets (inline or from secretsFile, not both); a problem when none is set and auth is on. */
export function readWebhookSecrets(wh: RawWebhook, envFailed: boolean, reader: ConfigReader): { secrets: string[]; allowUnauthenticated: boolean } {
  const { problems, at } = reader;
  let secrets = (wh.secrets ?? []).map((s) => s.trim()).filter((s) => s !== '');
  if (wh.secretsFile !== undefined && wh.secrets !== undefined) {
    // Merging would keep accepting an inline default (the example's dev-secret) next to the real ones.
    problems.push({ ...at(['aver', 'webhook', 'secretsFile']), message: 'set secrets or secretsFile, not both', hint: 'put every accepted secret, one a line, in the secretsFile, and remove secrets' });
  } else if (wh.secretsFile !== undefined) {
    const content = reader.readSecretFile(['aver', 'webhook', 'secretsFile'], wh.secretsFile);
    if (content !== undefined) secrets = [...secrets, ...content.split(/\r?\n/).map((s) => s.trim()).filter(Boolean)];
  }
  const allowUnauthenticated = wh.allowUnauthenticated === true;
  if (secrets.length === 0 && !allowUnauthenticated && !envFailed) {
    problems.push({
      ...at(['aver', 'webhook']),
      path: 'aver.webhook.secrets',
      message: 'no webhook secret is configured, so anyone could post events',
      hint: 'set aver.webhook.secrets to the security header value chosen in the Aver portal, or set aver.webhook.allowUnauthenticated: true for local testing',
    });
  }
  return { secrets, allowUnauthenticated };
}

/** `slack:`; undefined when the file has none. */
export function readSlack(raw: Record<string, unknown> | undefined, reader: ConfigReader): SlackConfig | undefined {
  if (!raw) return undefined;
  const slack: SlackConfig = {
    botToken: reader.secret(raw, 'botToken', ['slack']) ?? '',
    signingSecret: reader.secret(raw, 'signingSecret', ['slack']),
    apiUrl: withSlash((raw.apiUrl as string | undefined) ?? 'https://slack.com/api/'),
    verifyToken: (raw.verifyToken as boolean | undefined) ?? true,
  };
  if (!slack.botToken) reader.problems.push({ ...reader.at(['slack']), path: 'slack.botToken', message: 'slack needs botToken (or botTokenFile)', hint: 'find the Bot User OAuth Token (xoxb-…) under OAuth & Permissions in your Slack app settings' });
  return slack;
}

/** `teams:`; undefined when the file has none. */
export function readTeams(raw: Record<string, unknown> | undefined, reader: ConfigReader): TeamsConfig | undefined {
  if (!raw) return undefined;
  const teams: TeamsConfig = {
    appId: (raw.appId as string | undefined) ?? '',
    appPassword: reader.secret(raw, 'appPassword', ['teams']) ?? '',
    appType: (raw.appType as TeamsConfig['appType'] | undefined) ?? 'MultiTenant',
    tenantId: (raw.tenantId as string | undefined) ?? '',
    serviceUrl: withSlash((raw.serviceUrl as string | undefined) ?? 'https://smba.trafficmanager.net/teams/'),
    auth: (raw.auth as Record<string, string> | undefined) ?? {},
    allowedTenants: [],
    allowInsecureDevMode: raw.allowInsecureDevMode === true,
  };
  const { problems, at } = reader;
  if (teams.appType === 'SingleTenant' && !teams.tenantId) problems.push({ ...at(['teams', 'appType']), message: 'appType SingleTenant needs teams.tenantId', hint: 'the Directory (tenant) ID of the Azure Bot registration' });
  if (teams.appId && !teams.appPassword && teams.appType !== 'UserAssignedMSI') problems.push({ ...at(['teams']), path: 'teams.appPassword', message: 'teams.appId is set but appPassword is not', hint: 'the client secret of the Azure Bot registration' });
  teams.allowedTenants = readAllowedTenants(raw.allowedTenants as string[] | undefined, teams, reader);
  return teams;
}

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** teams.allowedTenants (tenant ids, lower case); unset, a single-tenant app's own tenantId, else none (any tenant). */
function readAllowedTenants(listed: string[] | undefined, teams: TeamsConfig, reader: ConfigReader): string[] {
  const own = teams.tenantId.trim().toLowerCase();
  if (listed === undefined) return teams.appType !== 'MultiTenant' && own ? [own] : [];
  const hint = 'list Directory (tenant) IDs from the Microsoft Entra admin center, GUIDs such as 72f988bf-86f1-41af-91ab-2d7cd011db47; or remove the key to take any tenant (with a warning)';
  if (listed.length === 0) reader.problems.push({ ...reader.at(['teams', 'allowedTenants']), message: 'an empty teams.allowedTenants would refuse every tenant', hint });
  const tenants = listed.map((t) => t.trim().toLowerCase());
  tenants.forEach((t, i) => {
    if (!TENANT_ID.test(t)) reader.problems.push({ ...reader.at(['teams', 'allowedTenants', i]), message: `"${t}" is not a tenant id`, hint });
  });
  if (teams.appType !== 'MultiTenant' && own && !tenants.includes(own)) {
    reader.problems.push({ ...reader.at(['teams', 'allowedTenants']), message: `teams.tenantId ${own} is not in teams.allowedTenants, so a ${teams.appType} bot would take nothing`, hint: 'add the bot\'s own tenant id to teams.allowedTenants' });
  }
  return [...new Set(tenants)];
}

/**
 * Without teams.appId botbuilder checks no token: anyone who reaches /api/messages can record installations and
 * serviceUrls. That is only allowed on a loopback host, or when teams.allowInsecureDevMode says so.
 */
export function checkTeamsDevMode(teams: TeamsConfig | undefined, host: string, reader: ConfigReader): void {
  if (!teams || teams.appId.trim() || teams.allowInsecureDevMode || isLoopbackHost(host)) return;
  reader.problems.push({
    ...reader.at(['teams']),
    path: 'teams.appId',
    message: `teams.appId is empty, so the Teams bot would take unauthenticated requests from anyone who can reach server.host ${host}`,
    hint: 'set teams.appId and teams.appPassword from the Azure Bot registration; for local development listen on server.host: 127.0.0.1, or set teams.allowInsecureDevMode: true',
  });
}

/** Whether `host` only listens on this machine (127.0.0.0/8, ::1, localhost). */
function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** `aver.api:` (enrichment); undefined when the file has none. */
export function readAverApi(raw: Record<string, unknown> | undefined, reader: ConfigReader): AverApiConfig | undefined {
  if (!raw) return undefined;
  const api: AverApiConfig = {
    baseUrl: ((raw.baseUrl as string | undefined) ?? 'https://app.goaver.com/api').replace(/\/+$/, ''),
    key: reader.secret(raw, 'key', ['aver', 'api']) ?? '',
    secret: reader.secret(raw, 'secret', ['aver', 'api']) ?? '',
    timeoutMs: parseDuration((raw.timeout as string | undefined) ?? '5s'),
    cacheTtlMs: parseDuration((raw.cacheTtl as string | undefined) ?? '30s'),
    showPersonalData: (raw.showPersonalData as boolean | undefined) ?? false,
  };
  if (!api.key || !api.secret) reader.problems.push({ ...reader.at(['aver', 'api']), message: 'aver.api needs key and secret (or keyFile and secretFile)', hint: 'create an API key in the Aver portal, or remove aver.api to turn enrichment off' });
  return api;
}

/** `admin.token` / `admin.tokenFile`: at least MIN_ADMIN_TOKEN_LENGTH characters; undefined turns the admin endpoints off. */
export function readAdminToken(raw: Record<string, unknown> | undefined, reader: ConfigReader): string | undefined {
  const token = reader.secret(raw, 'token', ['admin']) || undefined;
  if (token !== undefined && token.length < MIN_ADMIN_TOKEN_LENGTH) {
    reader.problems.push({
      ...reader.at(['admin', raw?.tokenFile !== undefined ? 'tokenFile' : 'token']),
      message: `admin.token is ${token.length} characters long; it must have at least ${MIN_ADMIN_TOKEN_LENGTH}`,
      hint: 'anyone who can reach the admin page can try tokens as fast as the bridge answers: use a long random one (openssl rand -hex 32)',
    });
  }
  return token;
}

/** PORT and LOG_LEVEL from the environment, when set, must be valid. */
export function checkEnvOverrides(env: NodeJS.ProcessEnv, logLevels: readonly string[], reader: ConfigReader): void {
  if (env.PORT !== undefined && env.PORT !== '' && !(/^\d+$/.test(env.PORT) && Number(env.PORT) <= 65535)) {
    reader.problems.push({ path: 'PORT', message: 'the environment variable PORT is not a port number', hint: 'set PORT to a number from 0 to 65535, or unset it to use server.port' });
  }
  if (env.LOG_LEVEL !== undefined && env.LOG_LEVEL !== '' && !logLevels.includes(env.LOG_LEVEL)) {
    reader.problems.push({ path: 'LOG_LEVEL', message: `the environment variable LOG_LEVEL must be one of ${logLevels.map((l) => JSON.stringify(l)).join(', ')}`, hint: 'fix or unset LOG_LEVEL to use log.level' });
  }
}

/** `display:` (how messages write times): an IANA time zone and a BCP 47 locale, each checked. */
export function readDisplay(raw: { timeZone?: string; locale?: string } | undefined, reader: ConfigReader): DisplayConfig {
  const timeZone = raw?.timeZone?.trim() || DEFAULT_DISPLAY.timeZone;
  const locale = raw?.locale?.trim() || DEFAULT_DISPLAY.locale;
  if (!isValidTimeZone(timeZone)) {
    reader.problems.push({ ...reader.at(['display', 'timeZone']), message: `unknown time zone "${timeZone}"`, hint: 'write an IANA time zone name such as Europe/Berlin, America/New_York or UTC' });
  }
  if (!isValidLocale(locale)) {
    reader.problems.push({ ...reader.at(['display', 'locale']), message: `"${locale}" is not a locale`, hint: 'write a BCP 47 language tag such as en-GB, de-DE or fr' });
  }
  return { timeZone, locale };
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
