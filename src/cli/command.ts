import { BridgeError } from '../errors.js';

/** Where a command writes: stdout and stderr, or a test's buffers. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** What the value is called in the help: `--config FILE`. */
  value?: string;
  help: string;
}

/** Every option the command line knows; each command takes some of them, and every command --help and --version. */
export const OPTIONS = {
  config: { type: 'string', short: 'c', value: 'FILE', help: 'the config file (else $AVER_BRIDGE_CONFIG, else ./aver-bridge.yaml)' },
  'verify-receivers': { type: 'string', value: 'a,b', help: 'exit 1 unless exactly these receivers are reached, in this order' },
  url: { type: 'string', value: 'URL', help: "the bridge's webhook URL, e.g. http://localhost:8080/webhooks/aver" },
  header: { type: 'string', value: 'NAME', help: 'the header that carries the secret (default authorization)' },
  secret: { type: 'string', value: 'S', help: 'the webhook secret (default $AVER_WEBHOOK_SECRET)' },
  receiver: { type: 'string', value: 'NAME', help: "a receiver: dead-letters takes only its dead letters (list, retry --all); held lists only its held deliveries; preview shows its message; send-test sends to it (e-mail)" },
  format: { type: 'string', value: 'json|text', help: 'preview: the payload as JSON (the default), or as text, roughly as the channel shows it' },
  all: { type: 'boolean', help: 'retry every dead letter (with --receiver, every one of that receiver)' },
  'older-than': { type: 'string', value: 'AGE', help: 'purge the dead letters older than this, e.g. 7d' },
  json: { type: 'boolean', help: 'print the stored records as JSON (times in epoch milliseconds)' },
  'log-format': { type: 'string', value: 'auto|json|pretty', help: 'log lines as JSON or one readable line each (default: log.format, else auto: readable on a terminal)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', help: "print aver-bridge's version" },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** The options given, typed as OPTIONS declares them. */
export type OptionValues = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

/** What a command is run with: its options, and the arguments after its name. */
export interface CommandInput {
  values: OptionValues;
  args: string[];
}

/** One command of the command line, with what its help shows. */
export interface Command {
  /** The words that name it: `check-config`, `routes test`. */
  name: string;
  /** One line, for the list of commands. */
  summary: string;
  /** Its synopsis lines, each after `aver-bridge `. */
  usage: string[];
  /** What `aver-bridge COMMAND --help` says below the synopsis. */
  description: string;
  /** The options it takes (besides --help and --version). */
  options: OptionName[];
  /** How many arguments it takes at most; unset for any number. */
  maxArgs?: number;
  /** Runs it; resolves to the exit code. */
  run(input: CommandInput, io: Io): Promise<number>;
}

/** A command line that does not parse or does not fit its command: one line and the usage on stderr, exit 2. */
export class UsageError extends BridgeError {
  /** The synopsis printed below the message; the command runner adds its command's when a command throws. */
  readonly usage?: string;

  constructor(message: string, usage?: string) {
    super('cli_usage', message, { status: 400 });
    this.name = 'UsageError';
    this.usage = usage;
  }
}
