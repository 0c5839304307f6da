import { BridgeError, ConfigError } from '../errors.js';
import { UsageError } from './command.js';

/**
 * What the command line prints for the error that ended a command, and its exit code: a usage error is one line
 * and the usage (exit 2); a config error lists its problems; anything else is one line with its code and what to
 * do (exit 1). Never a stack trace.
 */
export function describeError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof UsageError) return { text: [`aver-bridge: ${err.message}`, ...(err.usage ? [err.usage] : [])].join('\n'), exitCode: 2 };
  if (err instanceof ConfigError) return { text: err.message, exitCode: 1 };
  if (err instanceof BridgeError) return { text: `${err.code}: ${oneLine(err.message)}`, exitCode: 1 };
  return { text: describeUnexpected(err), exitCode: 1 };
}

interface SystemError {
  code?: unknown;
  message?: unknown;
  syscall?: unknown;
  /** Set by the `bindings` package when better-sqlite3's native module is nowhere to be found. */
  tries?: unknown;
  cause?: unknown;
}

/** An error the bridge did not raise itself (Node, SQLite, PostgreSQL, fetch): `CODE: message (what to do)`. */
function describeUnexpected(err: unknown): string {
  const e: SystemError = typeof err === 'object' && err !== null ? err : { message: String(err) };
  // fetch wraps the network error: "fetch failed", with the ECONNREFUSED in its cause.
  const cause: SystemError = typeof e.cause === 'object' && e.cause !== null ? e.cause : {};
  const code = [e.code, cause.code].find((c): c is string => typeof c === 'string' && c !== '') ?? 'internal_error';
  const message = [e.message, e.cause && cause.message].filter((m) => typeof m === 'string' && m !== '').join(': ');
  // The first line only: the bindings package lists every path it tried below it.
  const first = (message || 'unknown error').split('\n')[0].replace(/[\s:]+$/, '');
  return `${code}: ${oneLine(first)} (${hintFor(code, Array.isArray(e.tries) ? 'bindings' : e.syscall)})`;
}

const HINTS: Record<string, string> = {
  EADDRINUSE: 'another process listens on that port: stop it, or set server.port (or PORT) to a free one',
  EADDRNOTAVAIL: 'server.host is not an address of this machine: use 0.0.0.0, 127.0.0.1 or one of its own addresses',
  EPERM: "the bridge's user may not do that: check the owner and permissions of the path in the message",
  ENOENT: 'a file or folder is missing: check the path in the message (storage.url, the config file)',
  ECONNREFUSED: 'nothing answers at that address: check that the server there runs (PostgreSQL for storage.url, the bridge for send-test) and its host and port',
  ENOTFOUND: 'the host name does not resolve: check it (storage.url, --url) and the DNS',
  EAI_AGAIN: 'the host name does not resolve just now: check the DNS, then try again',
  ETIMEDOUT: 'no answer in time: check the network path to that host and any firewall between',
  SQLITE_CANTOPEN: "SQLite cannot open the database file: make sure the folder in storage.url exists and the bridge's user may write to it",
  SQLITE_READONLY: "the SQLite database is read-only: let the bridge's user write to the file and its folder",
  SQLITE_NOTADB: 'storage.url does not point at an SQLite database: check the path',
  SQLITE_CORRUPT: 'the SQLite database is damaged: restore it from a backup',
  '28P01': 'PostgreSQL refused the user name or password in storage.url',
  '28000': 'PostgreSQL refused the connection (pg_hba.conf or sslmode): check with its administrator',
  '3D000': 'the database named in storage.url does not exist: create it (see "Setting up PostgreSQL" in docs/delivery.md)',
  '42501': 'the database user lacks a privilege the bridge needs: see "Setting up PostgreSQL" in docs/delivery.md',
  ERR_DLOPEN_FAILED: "better-sqlite3's native module does not load on this Node.js: run npm rebuild better-sqlite3 (it needs python3, make and g++)",
  ERR_MODULE_NOT_FOUND: 'a file or dependency is missing: run npm ci, then npm run build',
};

function hintFor(code: string, context: unknown): string {
  if (context === 'bindings') return HINTS.ERR_DLOPEN_FAILED;
  if (code === 'EACCES') {
    return context === 'listen'
      ? 'ports below 1024 need privileges: use port 1024 or above (server.port or PORT)'
      : "the bridge's user may not read or write that path: check its owner and permissions";
  }
  return HINTS[code] ?? 'not expected at start-up: if the message does not say what to change, report it with the command and `aver-bridge --version`';
}

/** The message on one line, with any password in a URL masked (a driver may quote the URL it was given). */
function oneLine(message: string): string {
  return message.replace(/(\/\/[^/\s:@]*):[^@\s/]*@/g, '$1:***@').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
}
