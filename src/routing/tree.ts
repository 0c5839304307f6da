import type { Labels } from '../model/event.js';
import type { RouteConfig } from '../model/config.js';
import { matches, parseMatchers, type Matcher } from './matchers.js';

/** A node of the routing tree, its matchers parsed once and its receiver inherited from its parent. */
export interface Route {
  receiver: string;
  matchers: Matcher[];
  continue: boolean;
  routes: Route[];
  /** Position in the tree, e.g. "route.routes[1].routes[0]", for messages and `routes test`. */
  path: string;
}

/**
 * Builds the tree from the config; a child without a receiver, or with
 * `receiver: ""`, inherits its parent's (as Alertmanager's dispatch.NewRoute).
 * Parsing is silent: the config loader has already reported any warning.
 */
export function buildRouteTree(config: RouteConfig, parentReceiver = '', path = 'route'): Route {
  const receiver = config.receiver ? config.receiver : parentReceiver;
  return {
    receiver,
    matchers: config.matchers.flatMap((entry) => parseMatchers(entry)),
    continue: config.continue,
    routes: config.routes.map((child, i) => buildRouteTree(child, receiver, `${path}.routes[${i}]`)),
    path,
  };
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
