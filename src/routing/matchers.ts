import type { Labels } from '../model/event.js';
import { BridgeError } from '../errors.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
  /** For =~ and !~: anchored at both ends, as Alertmanager does. */
  regex?: RegExp;
  /** The matcher as written, for messages and `routes test`. */
  text: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^"'\s]*))\s*$/;

/** How to write a matcher, for error hints. */
export const MATCHER_HINT = 'write label, operator (=, !=, =~, !~) and a quoted value, e.g. status =~ "Rejected|Failed"';

/**
 * Parses one matcher, `status =~ "Rejected|Failed"`; throws a BridgeError
 * (`matcher_unparseable` or `matcher_regex_invalid`) that says what is wrong.
 */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) {
    throw new BridgeError('matcher_unparseable', `cannot parse matcher ${JSON.stringify(text)}: ${MATCHER_HINT}`, { status: 400 });
  }
  const [, label, op, dq, sq, bare] = m;
  const value = dq !== undefined ? unescape(dq) : sq !== undefined ? unescape(sq) : bare;
  const matcher: Matcher = { label, op: op as MatchOp, value, text: text.trim() };
  if (op === '=~' || op === '!~') {
    try {
      // Alertmanager's regexes are Go RE2, where `(?i)` up front means case-insensitive; JavaScript spells that as a flag.
      const insensitive = value.startsWith('(?i)');
      matcher.regex = new RegExp(`^(?:${insensitive ? value.slice(4) : value})$`, insensitive ? 'i' : '');
    } catch (err) {
      throw new BridgeError('matcher_regex_invalid', `invalid regular expression in matcher ${JSON.stringify(text)}: ${(err as Error).message}`, { status: 400 });
    }
  }
  return matcher;
}

/**
 * Parses one entry of a route's `matchers` list. As in Alertmanager, an entry
 * may hold several matchers, comma-separated and optionally in braces:
 * `{type = "LiveCheck", status =~ "Rejected|Failed"}`. Commas inside quoted
 * values do not separate.
 */
export function parseMatchers(text: string): Matcher[] {
  let body = text.trim();
  if (body.startsWith('{') || body.endsWith('}')) {
    if (!(body.startsWith('{') && body.endsWith('}'))) {
      throw new BridgeError('matcher_unparseable', `cannot parse matchers ${JSON.stringify(text)}: an opening { needs a closing } (and the other way round)`, { status: 400 });
    }
    body = body.slice(1, -1);
  }
  const parts = splitOutsideQuotes(body);
  // A trailing comma is allowed, as in Alertmanager; `{}` is no matchers at all.
  if (parts[parts.length - 1].trim() === '' && (parts.length > 1 || body !== text.trim())) parts.pop();
  if (parts.length === 0) return [];
  const out: Matcher[] = [];
  for (const part of parts) {
    if (part.trim() === '' && parts.length > 1) {
      throw new BridgeError('matcher_unparseable', `cannot parse matchers ${JSON.stringify(text)}: an empty matcher between commas`, { status: 400 });
    }
    out.push(parseMatcher(part.trim()));
  }
  return out;
}

/** Splits on commas that are not inside a "…" or '…' value (a backslash escapes the next character there). */
function splitOutsideQuotes(s: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function unescape(s: string): string {
  return s.replace(/\\(["'\\])/g, '$1');
}

/** A missing label matches as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.label] ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.regex!.test(v);
    case '!~': return !m.regex!.test(v);
  }
}
