import type { Labels } from '../model/event.js';
import type { RouteConfig } from '../model/config.js';
import type { NamedTimeInterval, RemindConfig } from '../model/time-interval.js';
import { matches, parseMatchers, type Matcher } from './matchers.js';

/** A node of the routing tree, its matchers parsed once and its receiver inherited from its parent. */
export interface Route {
  receiver: string;
  matchers: Matcher[];
  continue: boolean;
  routes: Route[];
  /** Position in the tree, e.g. "route.routes[1].routes[0]", for messages and `routes test`. */
  path: string;
  /** group_by (absent: no grouping) with group_wait and group_interval, inherited as in Alertmanager. */
  groupBy?: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  /** This route's own time intervals (Alertmanager does not inherit them). */
  muteTimeIntervals: NamedTimeInterval[];
  activeTimeIntervals: NamedTimeInterval[];
  /** remind:, inherited from the nearest route above that has one. */
  remind?: RemindConfig;
}

/** Alertmanager's defaults for group_wait and group_interval. */
export const DEFAULT_GROUP_WAIT_MS = 30_000;
export const DEFAULT_GROUP_INTERVAL_MS = 300_000;

type Inherited = Pick<Route, 'receiver' | 'groupBy' | 'groupWaitMs' | 'groupIntervalMs' | 'remind'>;
const ROOT: Inherited = { receiver: '', groupWaitMs: DEFAULT_GROUP_WAIT_MS, groupIntervalMs: DEFAULT_GROUP_INTERVAL_MS };

/**
 * Builds the tree from the config; a child without a receiver, or with
 * `receiver: ""`, inherits its parent's (as Alertmanager's dispatch.NewRoute).
 * Parsing is silent: the config loader has already reported any warning.
 */
export function buildRouteTree(config: RouteConfig, parent: string | Inherited = '', path = 'route'): Route {
  const up = typeof parent === 'string' ? { ...ROOT, receiver: parent } : parent;
  const opts: Inherited = {
    receiver: config.receiver ? config.receiver : up.receiver,
    groupBy: config.groupBy ?? up.groupBy,
    groupWaitMs: config.groupWaitMs ?? up.groupWaitMs,
    groupIntervalMs: config.groupIntervalMs ?? up.groupIntervalMs,
    remind: config.remind ?? up.remind,
  };
  return {
    ...opts,
    matchers: config.matchers.flatMap((entry) => parseMatchers(entry)),
    continue: config.continue,
    routes: config.routes.map((child, i) => buildRouteTree(child, opts, `${path}.routes[${i}]`)),
    path,
    muteTimeIntervals: config.muteTimeIntervals ?? [],
    activeTimeIntervals: config.activeTimeIntervals ?? [],
  };
}

/** The node at `path` ("route.routes[1]"), or null when the tree has none there (a reload changed it). */
export function routeAt(route: Route, path: string): Route | null {
  if (route.path === path) return route;
  for (const child of route.routes) if (path.startsWith(child.path)) {
    const found = routeAt(child, path);
    if (found) return found;
  }
  return null;
}

/**
 * The routes that take an event, in tree order, with Alertmanager's semantics:
 * children are tried in order, the first match wins unless it has `continue`,
 * and a node no child matched handles the event itself. Pure.
 */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!route.matchers.every((m) => matches(m, labels))) return [];
  const found: Route[] = [];
  for (const child of route.routes) {
    const hit = matchRoutes(child, labels);
    found.push(...hit);
    if (hit.length > 0 && !child.continue) break;
  }
  return found.length > 0 ? found : [route];
}

/** The distinct receivers an event reaches, in tree order. */
export function receiversFor(route: Route, labels: Labels): string[] {
  return [...new Set(matchRoutes(route, labels).map((r) => r.receiver))];
}

/** Every node of the tree, depth first, with the matchers on its path (for `/aver routes`). */
export function flattenRoutes(route: Route, inherited: Matcher[] = []): Array<{ route: Route; matchers: Matcher[] }> {
  const here = [...inherited, ...route.matchers];
  return [{ route, matchers: here }, ...route.routes.flatMap((child) => flattenRoutes(child, here))];
}
