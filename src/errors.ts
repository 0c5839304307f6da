/**
 * Every failure the bridge reports carries a stable `code` that callers and
 * operators branch on; HTTP-facing errors also carry a `status`. Messages are
 * for people and may change; codes may not.
 */
export class BridgeError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;
  /** Whether the message may be shown to an HTTP client (never for a 5xx). */
  readonly expose: boolean;

  constructor(code: string, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
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
