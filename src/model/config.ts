import type { ActionButton } from './check-state.js';
import type { Severity } from './severity.js';
import type { NamedTimeInterval, RemindConfig } from './time-interval.js';

/**
 * The loaded configuration: validated, secrets resolved, durations in
 * milliseconds. Immutable once loaded; a reload builds a new one and swaps it.
 */
export interface Config {
  /** The file it came from, and a hash of its content (for the reload metric). */
  source: { file: string; hash: string };
  server: ServerConfig;
  /** `format`: log.format, which `--log-format` overrides (src/logger.ts). */
  log: { level: string; format: LogFormat };
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
  /** `smtp:`: the one mail server every `email` receiver sends through. */
  smtp?: SmtpConfig;
  delivery: DeliveryConfig;
  admin: { token?: string };
  /** How messages write times. */
  display: DisplayConfig;
  /** Message templates by name (`templates:`), each checked at load; a receiver names one with `template:`. */
  templates: Record<string, MessageTemplateConfig>;
  receivers: ReceiverConfig[];
  route: RouteConfig;
}

/** `log.format` and `--log-format`: pretty only on a terminal (auto), JSON lines, or one readable line a record. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

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
  /**
   * server.internal: a second, private listener. When set, /metrics, /admin, /-/reload, /healthz and /readyz are
   * served there only, and this listener (host:port) serves only Aver's, Slack's and Teams' endpoints.
   */
  internal?: { host: string; port: number };
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

/** `smtp:`, read: where and as whom e-mail is sent (src/receivers/email/). Secrets resolved, the CA file read. */
export interface SmtpConfig {
  /** As written (`smtp://host:587`, `smtps://host:465`); it holds no credentials. */
  url: string;
  host: string;
  port: number;
  /** smtps: TLS from the first byte; smtp: STARTTLS. */
  secure: boolean;
  /** smtp:// only: refuse to send unless the server offers STARTTLS (default true). */
  requireTLS: boolean;
  user?: string;
  password?: string;
  /** The From address (`Name <address>` or an address). */
  from: string;
  /** `ca`: the PEM text of tls.caFile, when set. */
  tls: { ca?: string; caFile?: string; rejectUnauthorized: boolean };
  /** Connections kept open to the server, and messages per connection before it is replaced. */
  pool: { maxConnections: number; maxMessages: number };
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
export const RECEIVER_KINDS = ['console', 'webhook', 'slack', 'teams', 'teamsWorkflow', 'email'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

interface ReceiverBase {
  name: string;
  /** Overrides the integration's default pacing per destination. */
  pacing?: PacingOverride;
  /** The name of a message template under `templates:`, applied to every message this receiver sends. */
  template?: string;
}

/** `console.pretty`: one readable line a message (true) or one JSON line (false); unset, as the logs are written. */
export interface ConsoleReceiverConfig extends ReceiverBase { kind: 'console'; console: { pretty?: boolean } }
/** `actions`: also POST the acknowledgements and assignments of the checks routed to it (off unless true). */
export interface WebhookReceiverConfig extends ReceiverBase { kind: 'webhook'; webhook: { url: string; headers: Record<string, string>; actions?: boolean } }
export interface SlackReceiverConfig extends ReceiverBase {
  kind: 'slack';
  /**
   * `broadcast`: the severities whose thread replies also reach the channel (reply_broadcast); unset: DEFAULT_BROADCAST.
   * `actions`: the buttons its messages of attention and action severity carry (`acknowledge`, `assign`), with
   * who acknowledged and who is assigned shown on its messages; unset: none (the same for Teams).
   */
  slack: { channel: string; mention: Record<string, string[]>; updates: UpdateMode; broadcast?: readonly Severity[]; actions?: readonly ActionButton[] };
}
export interface TeamsReceiverConfig extends ReceiverBase {
  kind: 'teams';
  /** `broadcast`: the severities that get a thread reply (a reply brings the thread back up in Teams); unset: DEFAULT_BROADCAST. */
  teams: { channelId?: string; team?: string; channel?: string; updates: UpdateMode; mention: Record<string, string[]>; broadcast?: readonly Severity[]; actions?: readonly ActionButton[] };
}
export interface TeamsWorkflowReceiverConfig extends ReceiverBase { kind: 'teamsWorkflow'; teamsWorkflow: { url: string } }
/** Addresses as written (`Name <address>` or an address); `subject`: a Liquid template, else the headline. */
export interface EmailReceiverConfig extends ReceiverBase { kind: 'email'; email: { to: string[]; cc: string[]; bcc: string[]; subject?: string } }

/** One receiver of the config: exactly one integration, named by `kind`. */
export type ReceiverConfig =
  | ConsoleReceiverConfig
  | WebhookReceiverConfig
  | SlackReceiverConfig
  | TeamsReceiverConfig
  | TeamsWorkflowReceiverConfig
  | EmailReceiverConfig;

/** The receiver config of one integration. */
export type ReceiverConfigOf<K extends ReceiverKind> = Extract<ReceiverConfig, { kind: K }>;

export interface RouteConfig {
  receiver?: string;
  matchers: string[];
  continue: boolean;
  routes: RouteConfig[];
  /** As written on this route; what a child leaves out it inherits (routing/tree.ts), as in Alertmanager. */
  groupBy?: string[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  /** Resolved from top-level `time_intervals`; not inherited, as in Alertmanager. */
  muteTimeIntervals?: NamedTimeInterval[];
  activeTimeIntervals?: NamedTimeInterval[];
  /** Inherited by child routes that have none. */
  remind?: RemindConfig;
}
