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
}

export interface ConsoleReceiverConfig extends ReceiverBase { kind: 'console'; console: { pretty: boolean } }
export interface WebhookReceiverConfig extends ReceiverBase { kind: 'webhook'; webhook: { url: string; headers: Record<string, string> } }
export interface SlackReceiverConfig extends ReceiverBase {
  kind: 'slack';
  slack: { channel: string; mention: Record<string, string[]>; updates: UpdateMode };
}
export interface TeamsReceiverConfig extends ReceiverBase {
  kind: 'teams';
  teams: { channelId?: string; team?: string; channel?: string; updates: UpdateMode; mention: Record<string, string[]> };
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
