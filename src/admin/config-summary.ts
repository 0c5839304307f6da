import type { Config, ReceiverConfig } from '../model/config.js';
import { flattenRoutes, type Route } from '../routing/tree.js';

/** The config as the admin page may show it: names, kinds, channels and settings; never a secret, token or URL query. */
export interface ConfigSummary {
  file: string;
  hash: string;
  webhook: { path: string; header: string; secrets: number; allowUnauthenticated: boolean; dedupWindowMs: number };
  enrichment: string | null;
  slack: string | null;
  teams: string | null;
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
  }
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
    slack: config.slack ? `bot token set${config.slack.signingSecret ? ', signing secret set (/aver commands on)' : ''}` : null,
    teams: config.teams ? `app ${config.teams.appType}, credentials set` : null,
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

export { seconds as formatMs };
