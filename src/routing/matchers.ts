import type { Labels } from '../aver/event.js';

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

/** Parses one matcher, `status =~ "Rejected|Failed"`; throws with a message that says what is wrong. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) {
    throw new Error(`cannot parse matcher ${JSON.stringify(text)}: write label, operator (=, !=, =~, !~) and a quoted value, e.g. status =~ "Rejected|Failed"`);
  }
  const [, label, op, dq, sq, bare] = m;
  const value = dq !== undefined ? unescape(dq) : sq !== undefined ? unescape(sq) : bare;
  const matcher: Matcher = { label, op: op as MatchOp, value, text: text.trim() };
  if (op === '=~' || op === '!~') {
    try {
      matcher.regex = new RegExp(`^(?:${value})$`);
    } catch (err) {
      throw new Error(`invalid regular expression in matcher ${JSON.stringify(text)}: ${(err as Error).message}`);
    }
  }
  return matcher;
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
