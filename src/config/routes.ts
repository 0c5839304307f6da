import { isScalar, type Node } from 'yaml';
import type { ConfigProblem } from '../errors.js';
import type { RouteConfig } from '../model/config.js';
import { KNOWN_STATUSES } from '../model/event.js';
import type { NamedTimeInterval } from '../model/time-interval.js';
import { GROUP_BY_ALL } from '../grouping/group-key.js';
import { parseDuration } from './duration.js';
import { compileAnchored, AlertmanagerSyntaxError } from '../routing/label-matcher.js';
import { formatMatcher, MATCHER_HINT, MatcherError, parseMatchers, type MatcherWarning } from '../routing/matchers.js';

/** Something in the file the bridge reads but that should be changed: logged, never fatal. */
export type ConfigWarning = ConfigProblem;

/** What checking the route tree needs from the config loader. */
export interface RouteCheckContext {
  /** The receiver names defined. */
  receivers: ReadonlySet<string>;
  /** The YAML path and line of a node. */
  at: (segs: Array<string | number>) => { path: string; line?: number };
  /** The YAML node at a path (for the text of a `match:` value written as a number or boolean). */
  nodeAt: (segs: Array<string | number>) => Node | null | undefined;
  problems: ConfigProblem[];
  warn: (warning: ConfigWarning) => void;
  /** Top-level `time_intervals`, by name (none when absent). */
  intervals?: ReadonlyMap<string, NamedTimeInterval>;
}

/** A `route:` node as the schema lets it through. */
export interface RawRoute {
  receiver?: string;
  matchers?: string[];
  match?: Record<string, unknown> | null;
  match_re?: Record<string, unknown> | null;
  continue?: boolean;
  routes?: RawRoute[];
  group_by?: string[];
  group_wait?: string | number;
  group_interval?: string | number;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  remind?: { after: string | number; statuses: string[]; repeat?: number };
}

/** Alertmanager's model.LabelNameRE: the label names `match:` and `match_re:` accept. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const REGEX_HINT = 'fix the regular expression: RE2 syntax, as Alertmanager (Go) reads it, anchored at both ends ("Reject.*" matches a prefix)';

/**
 * Checks `route:` as Alertmanager checks it and returns it with the deprecated
 * `match:` / `match_re:` converted to matchers, as Alertmanager converts them
 * (`label="value"`, and `label=~"^(?:value)$"`), ahead of the route's own.
 */
export function checkRouteTree(root: RawRoute, ctx: RouteCheckContext): RouteConfig {
  const segs = ['route'];
  if (root.receiver === '') ctx.problems.push({ ...ctx.at([...segs, 'receiver']), message: 'the root route must specify a default receiver', hint: 'name one of the receivers: it takes every event no child route takes' });
  // As in Alertmanager: the root is the default for every event, so it matches everything and has no siblings.
  for (const key of ['matchers', 'match', 'match_re'] as const) {
    const v = root[key];
    if (v && Object.keys(v).length > 0) {
      ctx.problems.push({ ...ctx.at([...segs, key]), message: 'the root route must not have matchers: it takes every event no child route takes', hint: 'move the matchers to a child under route.routes' });
    }
  }
  if (root.continue === true) ctx.problems.push({ ...ctx.at([...segs, 'continue']), message: 'the root route cannot have continue', hint: 'remove it: continue belongs on child routes' });
  return checkRoute(root, segs, ctx);
}

function checkRoute(node: RawRoute, segs: Array<string | number>, ctx: RouteCheckContext): RouteConfig {
  // `receiver: ""` inherits, as an absent receiver does (Alertmanager's checkReceiver skips it).
  if (node.receiver !== undefined && node.receiver !== '' && !ctx.receivers.has(node.receiver)) {
    ctx.problems.push({ ...ctx.at([...segs, 'receiver']), message: `undefined receiver "${node.receiver}" used in route`, hint: `define it under receivers, or use one of: ${[...ctx.receivers].join(', ')}` });
  }
  const own: string[] = node.matchers ?? [];
  own.forEach((entry, i) => {
    const where = ctx.at([...segs, 'matchers', i]);
    try {
      parseMatchers(entry, { origin: 'config', warn: (w) => ctx.warn({ ...where, ...describeWarning(w) }) });
    } catch (err) {
      if (!(err instanceof MatcherError)) throw err;
      ctx.problems.push({ ...where, message: err.message, hint: err.code === 'matcher_regex_invalid' ? REGEX_HINT : MATCHER_HINT });
    }
  });
  return {
    receiver: node.receiver,
    matchers: [...convertMatch(node, segs, ctx, 'match'), ...convertMatch(node, segs, ctx, 'match_re'), ...own],
    continue: node.continue ?? false,
    routes: (node.routes ?? []).map((child, i) => checkRoute(child, [...segs, 'routes', i], ctx)),
    ...checkTimers(node, segs, ctx),
  };
}

/** group_by, group_wait, group_interval, the time intervals named and remind, checked as Alertmanager checks them. */
function checkTimers(node: RawRoute, segs: Array<string | number>, ctx: RouteCheckContext): Partial<RouteConfig> {
  const out: Partial<RouteConfig> = {};
  if (node.group_by !== undefined) {
    const seen = new Set<string>();
    node.group_by.forEach((label, i) => {
      const where = ctx.at([...segs, 'group_by', i]);
      if (label !== GROUP_BY_ALL && !LABEL_NAME.test(label)) ctx.problems.push({ ...where, message: `invalid label name "${label}" in group_by list`, hint: 'group by label names such as groupId, type, status, group' });
      if (seen.has(label)) ctx.problems.push({ ...where, message: `duplicated label "${label}" in group_by`, hint: 'name each label once' });
      seen.add(label);
    });
    if (seen.has(GROUP_BY_ALL) && seen.size > 1) ctx.problems.push({ ...ctx.at([...segs, 'group_by']), message: "cannot have wildcard group_by ('...') and other labels at the same time", hint: "use ['...'] alone (no grouping) or a list of label names" });
    out.groupBy = [...node.group_by];
  }
  if (node.group_wait !== undefined) out.groupWaitMs = parseDuration(node.group_wait);
  if (node.group_interval !== undefined) {
    out.groupIntervalMs = parseDuration(node.group_interval);
    if (out.groupIntervalMs === 0) ctx.problems.push({ ...ctx.at([...segs, 'group_interval']), message: 'group_interval cannot be zero', hint: 'use e.g. 5m (the default)' });
  }
  for (const [key, field] of [['mute_time_intervals', 'muteTimeIntervals'], ['active_time_intervals', 'activeTimeIntervals']] as const) {
    const names = node[key];
    if (names === undefined) continue;
    out[field] = names.flatMap((name, i) => {
      const found = ctx.intervals?.get(name);
      if (found) return [found];
      const defined = [...(ctx.intervals?.keys() ?? [])];
      ctx.problems.push({ ...ctx.at([...segs, key, i]), message: `undefined time interval "${name}" used in route`, hint: defined.length > 0 ? `define it under time_intervals, or use one of: ${defined.join(', ')}` : 'define it under top-level time_intervals' });
      return [];
    });
  }
  if (node.remind) out.remind = checkRemind(node.remind, segs, ctx);
  return out;
}

function checkRemind(raw: NonNullable<RawRoute['remind']>, segs: Array<string | number>, ctx: RouteCheckContext): RouteConfig['remind'] {
  const afterMs = parseDuration(raw.after);
  if (afterMs === 0) ctx.problems.push({ ...ctx.at([...segs, 'remind', 'after']), message: 'remind.after cannot be zero', hint: 'use e.g. 4h' });
  raw.statuses.forEach((status, i) => {
    if (!(KNOWN_STATUSES as readonly string[]).includes(status)) {
      ctx.warn({ ...ctx.at([...segs, 'remind', 'statuses', i]), message: `remind: "${status}" is not a status Aver documents`, hint: `use one of: ${KNOWN_STATUSES.join(', ')}` });
    }
  });
  return { afterMs, statuses: [...raw.statuses], repeat: raw.repeat ?? 1 };
}

function describeWarning(w: MatcherWarning): { message: string; hint?: string } {
  if (w.kind === 'disagreement') return { message: `${w.message}: ${JSON.stringify(w.input)}`, hint: 'double-quote the values and escape backslashes so that both parsers read the same' };
  return { message: `${w.message}: ${JSON.stringify(w.input)} (${w.reason})`, hint: `write it as ${JSON.stringify(w.suggestion)}` };
}

/** The text Alertmanager reads for a `match:` value: a YAML number or boolean as written, null as "". */
function scalarText(value: unknown, node: Node | null | undefined): string | null {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  return isScalar(node) && typeof node.source === 'string' ? node.source : String(value);
}

/** `match:` → `label="value"`; `match_re:` → `label=~"^(?:value)$"`, checked as Alertmanager checks them. */
function convertMatch(node: RawRoute, segs: Array<string | number>, ctx: RouteCheckContext, key: 'match' | 'match_re'): string[] {
  const map = node[key];
  if (!map || Object.keys(map).length === 0) return [];
  const converted: string[] = [];
  const suggested: string[] = [];
  for (const label of Object.keys(map)) {
    const where = ctx.at([...segs, key, label]);
    if (!LABEL_NAME.test(label)) {
      ctx.problems.push({ ...where, message: `invalid label name ${JSON.stringify(label)}`, hint: 'match and match_re take label names of letters, digits and _ (not starting with a digit); use matchers for others' });
      continue;
    }
    const text = scalarText(map[label], ctx.nodeAt([...segs, key, label]));
    if (key === 'match') {
      converted.push(formatMatcher({ label, op: '=', value: text ?? '' }));
      suggested.push(converted[converted.length - 1]);
      continue;
    }
    if (text === null) {
      ctx.problems.push({ ...where, message: `invalid regexp value for ${JSON.stringify(label)}`, hint: 'give the label a regular expression, e.g. ".*" or "a|b"' });
      continue;
    }
    try {
      compileAnchored(text);
    } catch (err) {
      if (!(err instanceof AlertmanagerSyntaxError)) throw err;
      ctx.problems.push({ ...where, message: `invalid regular expression in ${key} ${label}: ${err.message}`, hint: REGEX_HINT });
      continue;
    }
    converted.push(formatMatcher({ label, op: '=~', value: `^(?:${text})$` }));
    // The same matcher: a matchers regex is anchored anyway.
    suggested.push(formatMatcher({ label, op: '=~', value: text }));
  }
  if (converted.length > 0) {
    ctx.warn({ ...ctx.at([...segs, key]), message: `${key} is deprecated (as in Alertmanager); it is read as the matchers ${JSON.stringify(converted)}`, hint: `write matchers: [${suggested.map((c) => `'${c.replace(/'/g, "''")}'`).join(', ')}] instead` });
  }
  return converted;
}
