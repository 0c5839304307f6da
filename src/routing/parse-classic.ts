/**
 * Alertmanager's classic matchers parser (pkg/labels/parse.go in Alertmanager
 * v0.34.0), rewritten for this bridge: the same tolerance and the same error
 * messages. Label names are Prometheus names ([a-zA-Z_:][a-zA-Z0-9_:]*);
 * values may be double-quoted, and inside them \" \n and \\ are decoded while
 * any other backslash is kept literally; ' and ` are ordinary characters.
 */
import { RE2JS } from 're2js';
import { isValidUtf8 } from './go-string.js';
import { AlertmanagerSyntaxError, newMatcher, type Matcher, type MatchOp } from './label-matcher.js';

/** Go's pattern, compiled with RE2 semantics so that \s and the lazy value read exactly as in Go. */
const MATCHER = RE2JS.compile('^\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(=~|=|!=|!~)\\s*((?s).*?)\\s*$');

/**
 * labels.ParseMatcher: one matcher, `name op value`. Throws an
 * AlertmanagerSyntaxError with Alertmanager's message.
 */
export function parseClassicMatcher(s: string): Matcher {
  const found = MATCHER.exec(s);
  if (!found) throw new AlertmanagerSyntaxError(`bad matcher format: ${s}`);
  const [, label, op, raw] = found as string[];
  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  if (!isValidUtf8(rawValue)) throw new AlertmanagerSyntaxError(`matcher value not valid UTF-8: ${raw}`);
  let value = '';
  let escaped = false;
  const chars = [...rawValue];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const last = i === chars.length - 1;
    if (escaped) {
      escaped = false;
      value += c === 'n' ? '\n' : c === '"' || c === '\\' ? c : `\\${c}`;
      continue;
    }
    if (c === '\\') {
      if (!last) escaped = true;
      else value += '\\';
    } else if (c === '"') {
      if (!expectTrailingQuote || !last) throw new AlertmanagerSyntaxError(`matcher value contains unescaped double quote: ${raw}`);
      expectTrailingQuote = false;
    } else {
      value += c;
    }
  }
  if (expectTrailingQuote) throw new AlertmanagerSyntaxError(`matcher value contains unescaped double quote: ${raw}`);
  return newMatcher(op as MatchOp, label, value, s.trim());
}

/**
 * labels.ParseMatchers: comma-separated matchers. One leading `{` and one
 * trailing `}` are trimmed, each on its own; commas inside "…" (an escaped \"
 * does not open or close) do not separate; an empty last part is dropped.
 */
export function parseClassicMatchers(input: string): Matcher[] {
  let s = input.startsWith('{') ? input.slice(1) : input;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let insideQuotes = false;
  let escaped = false;
  let token = '';
  for (const c of s) {
    if (c === ',' && !insideQuotes) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (c === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      else escaped = false;
    } else if (c === '\\') {
      escaped = !escaped;
    } else if (c !== ',') {
      escaped = false;
    }
    token += c;
  }
  const lastToken = token.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, ''); // Go's strings.TrimSpace
  if (lastToken !== '') tokens.push(lastToken);
  return tokens.map(parseClassicMatcher);
}
