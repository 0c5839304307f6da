import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogFormat } from './model/config.js';
import { prettyLine } from './pretty-line.js';

/** Paths pino blanks in every log line, wherever a secret could travel. */
export const REDACT_PATHS = [
  'secret', 'secrets', 'token', 'botToken', 'signingSecret', 'appPassword', 'password', 'authorization',
  '*.secret', '*.secrets', '*.token', '*.botToken', '*.signingSecret', '*.appPassword', '*.password', '*.authorization',
  'headers.authorization', 'req.headers.authorization', 'req.headers.cookie', 'config.slack', 'config.teams', 'config.admin',
];

/** What `auto` means where the lines go: pretty on a terminal (unless NO_PRETTY is set), JSON anywhere else. */
export function resolveLogFormat(format: LogFormat, terminal: boolean, env: NodeJS.ProcessEnv = process.env): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return terminal && !env.NO_PRETTY ? 'pretty' : 'json';
}

/**
 * The bridge's logger, secrets redacted, on stdout (or `destination`): JSON lines (`service: "aver-bridge"`), or
 * with `pretty` one readable line a record (prettyLine; coloured on a terminal unless NO_COLOR is set). `auto`
 * is pretty when stdout is a terminal and no destination is given.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'auto'): Logger {
  const options = { level, base: { service: 'aver-bridge' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  const terminal = !destination && Boolean(process.stdout.isTTY);
  if (resolveLogFormat(format, terminal) === 'json') return destination ? pino(options, destination) : pino(options);
  const out = destination ?? pino.destination(1);
  const color = terminal && !process.env.NO_COLOR;
  return pino(options, { write: (line: string) => void out.write(prettyLine(JSON.parse(line) as Record<string, unknown>, { color })) });
}
