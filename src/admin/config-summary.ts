import type { Config, ReceiverConfig, TeamsConfig } from '../model/config.js';
import { flattenRoutes, type Route } from '../routing/tree.js';

/** The config as the admin page may show it: names, kinds, channels and settings; never a secret, token or URL query. */
export interface ConfigSummary {
  file: string;
  hash: string;
  webhook: { path: string; header: string; secrets: number; allowUnauthenticated: boolean; dedupWindowMs: number };
  enrichment: string | null;
  slack: string | null;
  /** `smtp:`: the server, TLS and login (never the password), and the From address. */
  smtp: string | null;
  /** `authOff`: no appId, so no token is checked (dev mode): the page shows it as a warning. */
  teams: { text: string; authOff: boolean } | null;
  delivery: { concurrency: number; timeoutMs: number; maxAgeMs: number; backoff: string };
  receivers: Array<{ name: string; kind: string; target: string }>;
  routes: Array<{ depth: number; path: string; receiver: string; matchers: string[]; continue: boolean }>;
  groups: number;
}

/** Scheme and host of a URL: no credentials, path or query (they often hold a token). */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '[invalid url]';
  }
}

function describeReceiver(r: ReceiverConfig): { kind: string; target: string } {
  switch (r.kind) {
    case 'slack': return { kind: r.kind, target: r.slack.channel };
    case 'teams': return { kind: r.kind, target: r.teams.channelId ?? [r.teams.team, r.teams.channel].filter(Boolean).join(' / ') };
    case 'teamsWorkflow': return { kind: r.kind, target: originOf(r.teamsWorkflow.url) };
    case 'webhook': {
      const headers = Object.keys(r.webhook.headers);
      return { kind: r.kind, target: originOf(r.webhook.url) + (headers.length ? ` (headers: ${headers.join(', ')})` : '') };
    }
    case 'console': return { kind: r.kind, target: 'stdout' };
    case 'email': return { kind: r.kind, target: emailTarget(r.email) };
  }
}

/** Teams' authentication as it really is: without an appId botbuilder checks no token at all. */
function describeTeams(t: TeamsConfig): { text: string; authOff: boolean } {
  if (!t.appId.trim()) return { text: 'authentication OFF (no appId: dev mode, /api/messages takes requests without a token)', authOff: true };
  const credential = t.appType === 'UserAssignedMSI' ? 'managed identity' : t.appPassword ? 'password set' : 'no password';
  const tenants = t.allowedTenants.length === 0 ? 'any tenant' : `${t.allowedTenants.length} allowed tenant${t.allowedTenants.length === 1 ? '' : 's'}`;
  return { text: `app ${t.appId} (${t.appType}), ${credential}, ${tenants}`, authOff: false };
}

const seconds = (ms: number) => (ms % 3600_000 === 0 ? `${ms / 3600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** Summarises a config for the admin page with every secret left out. */
export function summariseConfig(config: Config, tree: Route): ConfigSummary {
  const { webhook } = config.aver;
  const { delivery } = config;
  return {
    file: config.source.file,
    hash: config.source.hash,
    webhook: { path: webhook.path, header: webhook.header, secrets: webhook.secrets.length, allowUnauthenticated: webhook.allowUnauthenticated, dedupWindowMs: webhook.dedupWindowMs },
    enrichment: config.aver.api ? `on (${originOf(config.aver.api.baseUrl)}, personal data ${config.aver.api.showPersonalData ? 'shown' : 'hidden'})` : null,
    smtp: config.smtp ? smtpSummary(config.smtp) : null,
    slack: config.slack ? `bot token set${config.slack.signingSecret ? ', signing secret set (/aver commands on)' : ''}` : null,
    teams: config.teams ? describeTeams(config.teams) : null,
    delivery: {
      concurrency: delivery.concurrency,
      timeoutMs: delivery.timeoutMs,
      maxAgeMs: delivery.maxAgeMs,
      backoff: `${seconds(delivery.backoff.baseMs)} × ${delivery.backoff.factor}, at most ${seconds(delivery.backoff.capMs)}`,
    },
    receivers: config.receivers.map((r) => ({ name: r.name, ...describeReceiver(r) })),
    routes: flattenRoutes(tree).map(({ route }) => ({
      depth: route.path.split('.routes[').length - 1,
      path: route.path,
      receiver: route.receiver,
      matchers: route.matchers.map((m) => m.text),
      continue: route.continue,
    })),
    groups: Object.keys(config.aver.groups).length,
  };
}

/** "to a@example.com, b@example.com; cc c@example.com; bcc 1 address". */
function emailTarget(email: { to: string[]; cc: string[]; bcc: string[] }): string {
  const parts = [email.to.length ? `to ${email.to.join(', ')}` : '', email.cc.length ? `cc ${email.cc.join(', ')}` : '', email.bcc.length ? `bcc ${email.bcc.join(', ')}` : ''];
  return parts.filter(Boolean).join('; ');
}

/** "smtp://mail.example.com:587, STARTTLS required, login as aver, from Aver <aver@example.com>, pool of 3". */
function smtpSummary(smtp: NonNullable<Config['smtp']>): string {
  const tls = smtp.secure ? 'TLS' : smtp.requireTLS ? 'STARTTLS required' : 'STARTTLS when offered';
  const check = smtp.tls.rejectUnauthorized ? (smtp.tls.caFile ? `, certificates checked against ${smtp.tls.caFile}` : '') : ', certificates NOT checked';
  return `${smtp.url}, ${tls}${check}, ${smtp.user !== undefined ? `login as ${smtp.user}` : 'no login'}, from ${smtp.from}, pool of ${smtp.pool.maxConnections}`;
}

export { seconds as formatMs };
