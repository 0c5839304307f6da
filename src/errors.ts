/**
 * Every code the bridge reports: in HTTP error bodies, the reload answer, metrics labels and logs.
 * Callers and operators branch on these, so they never change; a new failure adds a code here.
 */
export const ERROR_CODES = [
  // Any HTTP endpoint (the ones on the ingest path are in docs/webhooks.md's table).
  'bad_request', 'unauthorized', 'not_found', 'method_not_allowed', 'unsupported_media_type', 'payload_too_large',
  'invalid_json', 'schema_violation', 'not_implemented', 'shutting_down', 'store_unreachable', 'internal_error',
  // A webhook that is JSON and an Aver status message, but holds text no store can keep or nests too deep.
  'unstorable_text', 'nesting_too_deep',
  // A webhook the store itself refused (a value it cannot hold), while the webhooks sent with it were stored.
  'event_unstorable',
  // A request the client gave up on, or sent too slowly; /readyz while appends keep failing.
  'client_aborted', 'request_timeout', 'headers_too_large', 'store_write_failing',
  // Admin endpoints and pages, reloads.
  'csrf_failed', 'receiver_removed', 'reload_failed', 'config_invalid',
  // Start-up: storage, receivers, the CLI (`cli_usage`: a command line that does not parse, exit 2).
  'storage_url_invalid', 'store_schema_invalid', 'receiver_unsupported', 'bad_label', 'cli_usage',
  // Routing matchers (config files, `routes test`).
  'matcher_unparseable', 'matcher_regex_invalid',
  // Slack.
  'slack_not_configured', 'slack_signing_secret_missing', 'slack_auth_failed', 'slack_unreachable',
  'slack_channel_not_found', 'slack_channel_resolve_failed', 'slack_signature_invalid', 'slack_body_invalid',
  'slack_event_failed', 'slack_event_unhandled',
  // The Teams bot.
  'teams_not_configured', 'teams_bad_activity', 'teams_activity_failed',
  // A Teams token refused before or by botbuilder (bad signature, algorithm, not yet valid, expired, wrong audience).
  'teams_token_invalid',
  // Aver's API (enrichment); an HTTP answer it refused is `aver_api_http_<status>`.
  'aver_api_unauthorized', 'aver_api_error', 'aver_api_timeout', 'aver_api_aborted', 'aver_api_paused',
  // An entity id that cannot name one path segment (`.`, `..`): not asked for.
  'aver_api_invalid_id',
] as const;

/** A stable error code: one of ERROR_CODES, or `aver_api_http_<status>`. */
export type ErrorCode = (typeof ERROR_CODES)[number] | `aver_api_http_${number}`;

/**
 * Every failure the bridge reports carries a stable `code` that callers and
 * operators branch on; HTTP-facing errors also carry a `status`. Messages are
 * for people and may change; codes may not.
 */
export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  /** Whether the message may be shown to an HTTP client (never for a 5xx). */
  readonly expose: boolean;

  constructor(code: ErrorCode, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
    this.expose = this.status < 500;
  }
}

/** A configuration problem: exits the process at start-up, rejects a reload. */
export class ConfigError extends BridgeError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], file: string) {
    super('config_invalid', `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` + problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ConfigProblem {
  /** YAML path, e.g. `receivers[1].slack.channel`. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
  /** How to fix it, in one sentence. */
  hint?: string;
}

function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `line ${p.line}, ${p.path || '(root)'}` : p.path || '(root)';
  return `  - ${where}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}
