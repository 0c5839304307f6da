import type { NamedTimeInterval } from '../model/time-interval.js';
import { namedIntervalActive, nextChange } from './time-intervals.js';

/** The time intervals a route names, resolved to their definitions. */
export interface RouteIntervals {
  mute: readonly NamedTimeInterval[];
  active: readonly NamedTimeInterval[];
}

/**
 * Whether a route is muted at `t`, as Alertmanager decides it: inside any of its mute_time_intervals, or outside
 * all of its active_time_intervals when it has some.
 */
export function isMuted(route: RouteIntervals, t: number): boolean {
  if (route.mute.some((n) => namedIntervalActive(n, t))) return true;
  return route.active.length > 0 && !route.active.some((n) => namedIntervalActive(n, t));
}

/**
 * When a delivery held at `t` may go out: null when the route is not muted at `t`, else the first instant it is
 * not (unlike Alertmanager, a muted notification is held until then, never dropped).
 */
export function mutedUntil(route: RouteIntervals, t: number): number | null {
  if (!isMuted(route, t)) return null;
  const specs = [...route.mute, ...route.active].flatMap((n) => n.intervals);
  return nextChange(specs, t, (at) => isMuted(route, at));
}
