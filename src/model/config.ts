import type { Severity } from './severity.js';

/**
 * The loaded configuration: validated, secrets resolved, durations in
 * milliseconds. Immutable once loaded; a reload builds a new one and swaps it.
 */
export interface Config {
  /** The file it came from, and a hash of its content (for the reload metric). */
  source: { file: string; hash: string };
  server: ServerConfig;
  log: { level: string };
  aver: {
    webhook: {
      path: string;
      /** Lower-cased header name. */
      header: string;
      secrets: string[];
      allowUnauthenticated: boolean;
      maxBodyBytes: number;
      dedupWindowMs: number;
    };
    /** groupId → friendly name. */
    groups: Record<string, string>;
    /** URL templates; `{id}`, `{groupId}`, `{type}` are replaced. */
    links: { check?: string; watchlist?: string };
    api?: AverApiConfig;
  };
  storage: {
    url: string;
    /** Delivered jobs, and events with no job left to deliver, are deleted once older than this. */
    retentionMs: number;
  };
  slack?: SlackConfig;
  teams?: TeamsConfig;
  delivery: DeliveryConfig;
  admin: { token?: string };
  /** How messages write times. */
  display: DisplayConfig;
  /** Message templates by name (`templates:`), each checked at load; a receiver names one with `template:`. */
  templates: Record<string, MessageTemplateConfig>;
  receivers: ReceiverConfig[];
  route: RouteConfig;
}

/** Where the bridge listens, and the limits that keep one slow or hostile client from holding its sockets. */
export interface ServerConfig {
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  publicUrl?: string;
  /** Headers and body must arrive within this (Node's headersTimeout and requestTimeout both); else 408 and closed. */
  requestTimeoutMs: number;
  /** Open connections at most; further ones are closed at once. */
  maxConnections: number;
  /** Whether X-Forwarded-For / X-Forwarded-Proto are believed (only behind a proxy that sets them). */
  trustProxy: boolean;
}

export interface AverApiConfig {
  baseUrl: string;
  key: string;
  secret: string;
  timeoutMs: number;
  showPersonalData: boolean;
  /** How long details are cached per entity. */
  cacheTtlMs: number;
}

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  /** Ends with a slash. */
  apiUrl: string;
  verifyToken: boolean;
}

export interface TeamsConfig {
  appId: string;
  appPassword: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId: string;
  serviceUrl: string;
  /** Extra keys for ConfigurationBotFrameworkAuthentication (sovereign clouds). */
  auth: Record<string, string>;
  /**
   * Tenant ids (lower case) whose installations, commands and channel names the bot takes: teams.allowedTenants,
   * else a single-tenant app's own tenantId; empty means any tenant.
   */
  allowedTenants: string[];
  /** Dev mode (no appId, so no token is checked) on a host other than loopback: only when this is true. */
  allowInsecureDevMode: boolean;
}

export interface DeliveryConfig {
  concurrency: number;
  timeoutMs: number;
  maxAgeMs: number;
  backoff: { baseMs: number; factor: number; capMs: number };
  /** How long a claimed job is leased before another worker may take it. */
  leaseMs: number;
  /** How often the worker looks for due jobs when idle. */
  pollIntervalMs: number;
}

export type UpdateMode = 'edit' | 'thread' | 'new';

/** How times in messages are written: an IANA time zone and a BCP 47 locale (Intl.DateTimeFormat). */
export interface DisplayConfig {
  timeZone: string;
  locale: string;
}

export const DEFAULT_DISPLAY: DisplayConfig = { timeZone: 'UTC', locale: 'en-GB' };

/**
 * One message template (`templates.NAME`): Liquid source for the parts of the message it replaces, each optional.
 * What they render is plain text, escaped for each channel by its renderer.
 */
export interface MessageTemplateConfig {
  headline?: string;
  text?: string;
  /** Replaces the message's facts, in this order; a fact whose value renders empty is left out. */
  facts?: Array<{ title: string; value: string }>;
}

export interface PacingOverride {
  ratePerSecond?: number;
  burst?: number;
  perHour?: number;
}

/** The integrations a receiver can use: the one list the config, the receivers and the metrics share. */
export const RECEIVER_KINDS = ['console', 'webhook', 'slack', 'teams', 'teamsWorkflow'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

interface ReceiverBase {
  name: string;
  /** Overrides the integration's default pacing per destination. */
  pacing?: PacingOverride;
  /** The name of a message template under `templates:`, applied to every message this receiver sends. */
  template?: string;
}

export interface ConsoleReceiverConfig extends ReceiverBase { kind: 'console'; console: { pretty: boolean } }
export interface WebhookReceiverConfig extends ReceiverBase { kind: 'webhook'; webhook: { url: string; headers: Record<string, string> } }
export interface SlackReceiverConfig extends ReceiverBase {
  kind: 'slack';
  /** `broadcast`: the severities whose thread replies also reach the channel (reply_broadcast); unset: DEFAULT_BROADCAST. */
  slack: { channel: string; mention: Record<string, string[]>; updates: UpdateMode; broadcast?: readonly Severity[] };
}
export interface TeamsReceiverConfig extends ReceiverBase {
  kind: 'teams';
  /** `broadcast`: the severities that get a thread reply (a reply brings the thread back up in Teams); unset: DEFAULT_BROADCAST. */
  teams: { channelId?: string; team?: string; channel?: string; updates: UpdateMode; mention: Record<string, string[]>; broadcast?: readonly Severity[] };
}
export interface TeamsWorkflowReceiverConfig extends ReceiverBase { kind: 'teamsWorkflow'; teamsWorkflow: { url: string } }

/** One receiver of the config: exactly one integration, named by `kind`. */
export type ReceiverConfig =
  | ConsoleReceiverConfig
  | WebhookReceiverConfig
  | SlackReceiverConfig
  | TeamsReceiverConfig
  | TeamsWorkflowReceiverConfig;

/** The receiver config of one integration. */
export type ReceiverConfigOf<K extends ReceiverKind> = Extract<ReceiverConfig, { kind: K }>;

export interface RouteConfig {
  receiver?: string;
  matchers: string[];
  continue: boolean;
  routes: RouteConfig[];
}
