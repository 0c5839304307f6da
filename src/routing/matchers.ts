/**
 * Route matchers, read as Alertmanager v0.34.0 reads them in its default mode
 * (matcher/compat's fallback parsers): the UTF-8 matchers parser first, the
 * classic parser when the UTF-8 one refuses the input (with a warning), and
 * the classic reading, with a warning, when both accept but read different
 * matchers. Regular expressions are RE2 (re2js), anchored as `^(?:…)$`.
 */
import { BridgeError } from '../errors.js';
import { AlertmanagerSyntaxError, formatMatcher, sameMatchers, type Matcher } from './label-matcher.js';
import { parseClassicMatcher, parseClassicMatchers } from './parse-classic.js';
import { parseUtf8Matcher, parseUtf8Matchers } from './parse-utf8.js';

export { formatMatcher, labelValue, matches, newMatcher, type Matcher, type MatchOp } from './label-matcher.js';

/** How to write a matcher, for error hints. */
export const MATCHER_HINT = 'write label, operator (=, !=, =~, !~) and a double-quoted value, e.g. status =~ "Rejected|Failed", several comma-separated, optionally in braces';

/** The stable codes of MatcherError. */
export type MatcherErrorCode = 'matcher_unparseable' | 'matcher_regex_invalid';

/** A matcher Alertmanager refuses; `reason` is Alertmanager's own error message for it. */
export class MatcherError extends BridgeError {
  declare readonly code: MatcherErrorCode;
  constructor(code: MatcherErrorCode, message: string, readonly reason: string) {
    super(code, message, { status: 400, details: { reason } });
    this.name = 'MatcherError';
  }
}

/** What Alertmanager logs at warning level while parsing matchers in its default mode. */
export interface MatcherWarning {
  kind: 'incompatible' | 'disagreement';
  message: string;
  /** The text parsed. */
  input: string;
  /** Where it came from: "config", "cli", … */
  origin: string;
  /** For `incompatible`: why the UTF-8 parser refused it. */
  reason?: string;
  /** For `incompatible`: the matchers as read, written so that the UTF-8 parser reads them the same. */
  suggestion?: string;
}

export interface ParseOptions {
  /** Where the text came from, for warnings; "config" when not given. */
  origin?: string;
  /** Receives the warnings Alertmanager would log; parsing is silent without it. */
  warn?: (warning: MatcherWarning) => void;
}

export const INCOMPATIBLE_WARNING = 'this matcher input is incompatible with the UTF-8 matchers parser, so it was parsed with the classic matchers parser as a fallback (as Alertmanager does by default); to make it compatible, make sure all regular expressions and values are double-quoted and backslashes are escaped';
export const DISAGREEMENT_WARNING = 'matchers input has disagreement: the UTF-8 and the classic matchers parsers read it differently, and the classic reading is used (as Alertmanager does by default)';

type Attempt<T> = { ok: true; value: T } | { ok: false; error: AlertmanagerSyntaxError };

function attempt<T>(fn: () => T): Attempt<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof AlertmanagerSyntaxError) return { ok: false, error: err };
    throw err;
  }
}

/** The fallback rule of matcher/compat, for one matcher or a list. */
function fallback(input: string, what: string, utf8: Attempt<Matcher[]>, classic: () => Matcher[], options: ParseOptions): Matcher[] {
  const c = attempt(classic);
  const origin = options.origin ?? 'config';
  if (!utf8.ok) {
    if (!c.ok) throw toMatcherError(what, input, c.error);
    const suggestion = c.value.map(formatMatcher).join(',');
    options.warn?.({ kind: 'incompatible', message: INCOMPATIBLE_WARNING, input, origin, reason: utf8.error.message, suggestion });
    return c.value;
  }
  if (c.ok && !sameMatchers(utf8.value, c.value)) {
    options.warn?.({ kind: 'disagreement', message: DISAGREEMENT_WARNING, input, origin });
    return c.value;
  }
  return utf8.value;
}

function toMatcherError(what: string, input: string, err: AlertmanagerSyntaxError): MatcherError {
  return err.regex
    ? new MatcherError('matcher_regex_invalid', `invalid regular expression in ${what} ${JSON.stringify(input)}: ${err.message}`, err.message)
    : new MatcherError('matcher_unparseable', `cannot parse ${what} ${JSON.stringify(input)}: ${err.message}`, err.message);
}

/**
 * Parses one entry of a route's `matchers` list as Alertmanager's default
 * mode does (compat.Matchers): zero or more matchers, comma-separated,
 * optionally in braces, `{type = "LiveCheck", status =~ "Rejected|Failed"}`.
 * Throws a MatcherError carrying Alertmanager's message.
 */
export function parseMatchers(text: string, options: ParseOptions = {}): Matcher[] {
  // "matcher" for an entry too: messages say `cannot parse matcher "…"` / `invalid regular expression in matcher "…"`.
  return fallback(text, 'matcher', attempt(() => parseUtf8Matchers(text)), () => parseClassicMatchers(text), options);
}

/**
 * Parses exactly one matcher as Alertmanager's default mode does
 * (compat.Matcher, which amtool uses for label arguments): no braces, and the
 * classic fallback reads the rest of the text, commas included, as the value.
 */
export function parseMatcher(text: string, options: ParseOptions = {}): Matcher {
  if (text.startsWith('{') || text.endsWith('}')) {
    throw toMatcherError('matcher', text, new AlertmanagerSyntaxError(`unexpected open or close brace: ${text}`));
  }
  const utf8 = attempt(() => [parseUtf8Matcher(text)]);
  return fallback(text, 'matcher', utf8, () => [parseClassicMatcher(text)], options)[0];
}
