/** One pino record as JSON parsing gives it back. */
type LogRecord = Record<string, unknown> & { level?: number; time?: number; msg?: string };

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '\x1b[90m' },
  20: { name: 'DEBUG', color: '\x1b[90m' },
  30: { name: 'INFO ', color: '\x1b[36m' },
  40: { name: 'WARN ', color: '\x1b[33m' },
  50: { name: 'ERROR', color: '\x1b[31m' },
  60: { name: 'FATAL', color: '\x1b[41;97m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
/** Fields every line has, or that the line's head shows already. */
const SKIPPED = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'err']);
/** Terminal control (C0 but newline, DEL, C1) and bidirectional-control characters: outside text must not steer the terminal. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** A value written bare: no space, quote, equals sign or anything unusual. */
const BARE = /^[A-Za-z0-9._:/@+#%~,[\]()-]+$/;

/** Text as one terminal-safe line: newlines become spaces, control characters `\uXXXX`. */
export function oneLine(text: string): string {
  return escapeUnsafe(text.replace(/\r?\n/g, ' '));
}

function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function value(v: unknown): string {
  if (typeof v === 'string') return BARE.test(v) ? v : escapeUnsafe(JSON.stringify(v));
  if (v === undefined) return 'undefined';
  return escapeUnsafe(JSON.stringify(v) ?? String(v));
}

function clock(time: unknown): string {
  const d = new Date(typeof time === 'number' ? time : Date.now());
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Continuation lines (a multi-line message, an error's stack), indented under the record. */
function indented(lines: string[]): string {
  return lines.map((l) => `\n    ${escapeUnsafe(l)}`).join('');
}

/**
 * A pino JSON record as one readable line for a terminal: `12:03:04.512 WARN  msg key=value …`. Strings with
 * spaces or unusual characters are quoted as JSON, so a field's value never reads as another field. An error's
 * stack (error and fatal only) and the rest of a multi-line message follow, indented.
 */
export function prettyLine(record: LogRecord, options: { color: boolean }): string {
  const level = LEVELS[record.level ?? 30] ?? { name: String(record.level).padEnd(5), color: '' };
  const [first = '', ...more] = String(record.msg ?? '').split('\n');
  const paint = (color: string, s: string) => (options.color ? `${color}${s}${RESET}` : s);
  const fields = Object.entries(record)
    .filter(([k, v]) => !SKIPPED.has(k) && v !== undefined)
    .map(([k, v]) => `${paint(DIM, `${k}=`)}${value(v)}`);
  const err = record.err as { message?: string; code?: unknown; stack?: string } | undefined;
  let tail = indented(more);
  if (err && typeof err === 'object') {
    const [message = '', ...rest] = String(err.message ?? '').split('\n');
    fields.push(`${paint(DIM, 'err=')}${value(message)}${err.code !== undefined && record.code === undefined ? ` ${paint(DIM, 'errCode=')}${value(err.code)}` : ''}`);
    tail += (record.level ?? 30) >= 50 && err.stack ? indented(err.stack.split('\n').slice(1)) : indented(rest);
  }
  const head = `${paint(DIM, clock(record.time))} ${paint(level.color, level.name)} ${escapeUnsafe(first)}`;
  return `${[head, ...fields].join(' ')}${tail}\n`;
}
