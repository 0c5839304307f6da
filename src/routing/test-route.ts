import { BridgeError } from '../errors.js';
import { labelsOf, type Labels } from '../model/event.js';
import { labelValue, MatcherError, parseMatcher, type Matcher, type MatcherWarning } from './matchers.js';
import { matchRoutes, type Route } from './tree.js';

/** What the route tester shows: the labels used, the receivers reached in tree order, and each matching node. */
export interface RouteTestResult {
  labels: Labels;
  receivers: string[];
  routes: Array<{ receiver: string; path: string; matchers: string[] }>;
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
    routes: routes.map((r) => ({ receiver: r.receiver, path: r.path, matchers: r.matchers.map((m) => m.text) })),
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
