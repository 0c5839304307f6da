import { pino, type DestinationStream, type Logger } from 'pino';

/** One pino JSON line, with the fields the bridge's lines carry typed (a line carries those that apply). */
export interface LogRecord {
  level: number;
  time: number;
  msg: string;
  eventId?: string;
  receiver?: string;
  attempt?: number;
  jobId?: number;
  code?: string;
  reason?: string;
  /** An error, as pino serialises it. */
  err?: { type?: string; message: string; stack?: string; code?: string };
  [key: string]: unknown;
}

/** A destination that keeps what is written to it, for asserting on what was (or was not) logged. */
export interface MemoryStream {
  stream: DestinationStream;
  /** Everything written, as it came. */
  text(): string;
  /** Each line written. */
  lines(): string[];
  /** Each line, parsed as JSON (pino writes one object a line). */
  records(): LogRecord[];
}

export function memoryStream(): MemoryStream {
  const chunks: string[] = [];
  const text = () => chunks.join('');
  const lines = () => text().split('\n').filter(Boolean);
  return {
    stream: { write: (chunk: string) => { chunks.push(chunk); } },
    text,
    lines,
    records: () => lines().map((l) => JSON.parse(l) as LogRecord),
  };
}

/** A pino logger at `level` writing into memory. Production's logger (redaction included): `createLogger(level, memoryStream().stream)`. */
export function memoryLogger(level = 'debug'): MemoryStream & { logger: Logger } {
  const out = memoryStream();
  return { ...out, logger: pino({ level }, out.stream) };
}

/** A logger that writes nothing, for code that needs one. */
export const silentLogger: Logger = pino({ level: 'silent' });
