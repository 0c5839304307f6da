import { BridgeError } from '../errors.js';
import { labelsOf, type Labels } from '../model/event.js';
import { labelValue, MatcherError, parseMatcher, type Matcher, type MatcherWarning } from './matchers.js';
import { groups } from '../grouping/group-key.js';
import { matchRoutes, type Route } from './tree.js';

/** What the route tester shows: the labels used, the receivers reached in tree order, and each matching node. */
export interface RouteTestResult {
  labels: Labels;
  receivers: string[];
  routes: Array<{ receiver: string; path: string; matchers: string[]; timers: RouteTimers }>;
}

/** What a matched route does besides choosing a receiver: grouping, time intervals, reminders (`routes test`). */
export interface RouteTimers {
  /** The label names events are grouped by; absent: delivered one by one, at once. */
  groupBy?: string[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  remind?: { afterMs: number; statuses: string[]; repeat: number };
}

/** A route's timers as `routes test` shows them. */
export function timersOf(r: Route): RouteTimers {
  const grouping = groups(r.groupBy) ? { groupBy: [...r.groupBy], groupWaitMs: r.groupWaitMs, groupIntervalMs: r.groupIntervalMs } : {};
  return {
    ...grouping,
    muteTimeIntervals: r.muteTimeIntervals.map((n) => n.name),
    activeTimeIntervals: r.activeTimeIntervals.map((n) => n.name),
    ...(r.remind ? { remind: r.remind } : {}),
  };
}

/** One line for a person: "group_by [groupId, type] wait 30s interval 5m; mute weekends; remind after 4h …", or "". */
export function describeTimers(t: RouteTimers): string {
  const parts: string[] = [];
  if (t.groupBy) parts.push(`group_by [${t.groupBy.join(', ')}], group_wait ${seconds(t.groupWaitMs ?? 0)}, group_interval ${seconds(t.groupIntervalMs ?? 0)}`);
  if (t.muteTimeIntervals.length > 0) parts.push(`muted during ${t.muteTimeIntervals.join(', ')}`);
  if (t.activeTimeIntervals.length > 0) parts.push(`active only during ${t.activeTimeIntervals.join(', ')}`);
  if (t.remind) parts.push(`remind after ${seconds(t.remind.afterMs)} in ${t.remind.statuses.join('/')} (at most ${t.remind.repeat})`);
  return parts.join('; ');
}

function seconds(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/**
 * The `aver-bridge routes test` logic on the live tree: type, status, groupId
 * and id make the event's labels (group named from aver.groups); any other
 * label given (as enrichment would add) is added or overrides.
 */
export function testRoute(tree: Route, groups: Record<string, string>, given: Labels): RouteTestResult {
  const value = (name: string) => labelValue(given, name);
  const base = labelsOf({ type: value('type'), status: value('status'), groupId: value('groupId'), id: value('id') }, groups);
  const labels = { ...base, ...given, group: Object.hasOwn(given, 'group') ? given.group : base.group };
  const routes = matchRoutes(tree, labels);
  return {
    labels,
    receivers: [...new Set(routes.map((r) => r.receiver))],
    routes: routes.map((r) => ({ receiver: r.receiver, path: r.path, matchers: r.matchers.map((m) => m.text), timers: timersOf(r) })),
  };
}

/**
 * Reads `routes test` label arguments as amtool reads `config routes test`'s:
 * each is one matcher in Alertmanager's default mode (so `group="EU onboarding"`
 * with quotes and escapes, or the classic `group=EU onboarding`, with a
 * warning), and it must use `=`. A label given twice keeps the last value.
 */
export function parseLabelArgs(args: readonly string[], warn?: (warning: MatcherWarning) => void): Labels {
  const entries = args.map((arg): [string, string] => {
    let m: Matcher;
    try {
      m = parseMatcher(arg, { origin: 'cli', warn });
    } catch (err) {
      if (err instanceof MatcherError) throw new BridgeError('bad_label', `expected label=value, got ${JSON.stringify(arg)}: ${err.reason}`);
      throw err;
    }
    if (m.op !== '=') throw new BridgeError('bad_label', `expected label=value, got ${JSON.stringify(arg)}: labels must be specified as key=value pairs`);
    return [m.label, m.value];
  });
  // fromEntries defines own properties, so even a label named __proto__ is a label.
  return Object.fromEntries(entries);
}
