import { RE2JS, RE2JSException } from 're2js';
import type { Labels } from '../model/event.js';
import { goQuote, isGoSpace } from './go-string.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One label matcher, as Alertmanager's labels.Matcher (pkg/labels/matcher.go). */
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
  /**
   * For =~ and !~: the value compiled with RE2 semantics (re2js, linear time),
   * anchored as Alertmanager anchors it: `^(?:value)$`.
   */
  regex?: RE2JS;
  /** The matcher as written, for messages and `routes test`. */
  text: string;
}

/**
 * An error in Alertmanager's words: `message` is the text Alertmanager reports
 * in the same situation. `regex` tells a regular expression that does not
 * compile from a matcher that does not parse.
 */
export class AlertmanagerSyntaxError extends Error {
  constructor(message: string, readonly regex = false) {
    super(message);
    this.name = 'AlertmanagerSyntaxError';
  }
}

/**
 * Compiles a matcher's regular expression as Alertmanager does,
 * regexp.Compile("^(?:" + value + ")$"), with RE2 syntax and semantics. Throws
 * an AlertmanagerSyntaxError with Go's message (`error parsing regexp: …`).
 */
export function compileAnchored(value: string): RE2JS {
  try {
    return RE2JS.compile(`^(?:${value})$`);
  } catch (err) {
    if (err instanceof RE2JSException) throw new AlertmanagerSyntaxError(err.message, true);
    throw err;
  }
}

/** labels.NewMatcher: a matcher with its regex compiled; `text` defaults to the matcher's string form. */
export function newMatcher(op: MatchOp, label: string, value: string, text?: string): Matcher {
  const m: Matcher = { label, op, value, text: '' };
  if (op === '=~' || op === '!~') m.regex = compileAnchored(value);
  m.text = text ?? formatMatcher(m);
  return m;
}

function isReservedInName(ch: string): boolean {
  return isGoSpace(ch) || '{}!=~,\\"\'`'.includes(ch);
}

/** OpenMetrics escaping, as Alertmanager prints matcher values: \ " and newline only. */
function openMetricsEscape(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/**
 * labels.Matcher.String(): `name="value"`, or with the name quoted too
 * (Go strconv.Quote) when it holds a character the UTF-8 grammar reserves.
 * The UTF-8 parser reads this text back to the same matcher.
 */
export function formatMatcher(m: Pick<Matcher, 'label' | 'op' | 'value'>): string {
  if ([...m.label].some(isReservedInName)) return `${goQuote(m.label)}${m.op}${goQuote(m.value)}`;
  return `${m.label}${m.op}"${openMetricsEscape(m.value)}"`;
}

/**
 * A label's value; a label the event does not have is "" (never a property
 * inherited from Object.prototype), and a value that is not a string is read
 * as text, so that no label can make a matcher throw.
 */
export function labelValue(labels: Labels, name: string): string {
  const v: unknown = Object.hasOwn(labels, name) ? labels[name] : undefined;
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Whether a matcher matches an event's labels; a missing label matches as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labelValue(labels, m.label);
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.regex!.matches(v);
    case '!~': return !m.regex!.matches(v);
  }
}

/** Whether two lists hold the same matchers (operator, label and value), as Alertmanager compares its two parsers' results. */
export function sameMatchers(a: readonly Matcher[], b: readonly Matcher[]): boolean {
  return a.length === b.length && a.every((m, i) => m.op === b[i].op && m.label === b[i].label && m.value === b[i].value);
}
