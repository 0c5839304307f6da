import { labelsOf, type Labels } from '../model/event.js';
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
  const base = labelsOf({ type: given.type ?? '', status: given.status ?? '', groupId: given.groupId ?? '', id: given.id ?? '' }, groups);
  const labels = { ...base, ...given, group: given.group ?? base.group };
  const routes = matchRoutes(tree, labels);
  return {
    labels,
    receivers: [...new Set(routes.map((r) => r.receiver))],
    routes: routes.map((r) => ({ receiver: r.receiver, path: r.path, matchers: r.matchers.map((m) => m.text) })),
  };
}
