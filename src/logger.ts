import { pino, type Logger, type DestinationStream } from 'pino';

/** Paths pino blanks in every log line, wherever a secret could travel. */
export const REDACT_PATHS = [
  'secret', 'secrets', 'token', 'botToken', 'signingSecret', 'appPassword', 'password', 'authorization',
  '*.secret', '*.secrets', '*.token', '*.botToken', '*.signingSecret', '*.appPassword', '*.password', '*.authorization',
  'headers.authorization', 'req.headers.authorization', 'req.headers.cookie', 'config.slack', 'config.teams', 'config.admin',
];

/** The bridge's logger: JSON lines, secrets redacted; pretty when stdout is a terminal and pino-pretty is installed. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'aver-bridge' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (!destination && process.stdout.isTTY && !process.env.NO_PRETTY) {
    try {
      return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
    } catch {
      // pino-pretty is a dev dependency; production images log JSON.
    }
  }
  return destination ? pino(options, destination) : pino(options);
}
