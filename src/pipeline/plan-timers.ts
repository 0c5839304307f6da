import type { AverEvent, Labels } from '../model/event.js';
import type { JobTimers } from '../model/job.js';
import { groupKeyOf } from '../grouping/group-key.js';
import { mutedUntil } from '../grouping/mute.js';
import { firstFlushAt } from '../grouping/window.js';
import { firstReminderAt } from '../grouping/reminders.js';
import type { Route } from '../routing/tree.js';

/**
 * What the route that took an event for a receiver asks of its job, beside sending it: wait in its group
 * (group_by), be held while the route is muted (a hold group, flushed when the interval ends), and a reminder
 * (remind). Undefined for a route with none of these: the job is due at once, as always.
 */
export function planTimers(route: Route, labels: Labels, event: AverEvent, now: number): JobTimers | undefined {
  const timers: JobTimers = {};
  const key = groupKeyOf(route.groupBy, labels);
  if (key) {
    timers.group = { key: key.key, labels: key.labels, kind: 'group', routePath: route.path, flushAt: firstFlushAt(now, route.groupWaitMs), intervalMs: route.groupIntervalMs };
  } else if (route.muteTimeIntervals.length > 0 || route.activeTimeIntervals.length > 0) {
    const until = mutedUntil({ mute: route.muteTimeIntervals, active: route.activeTimeIntervals }, now);
    if (until !== null) timers.group = { key: `held:${route.path}`, labels: {}, kind: 'held', routePath: route.path, flushAt: until, intervalMs: 0 };
  }
  if (route.remind) {
    const dueAt = firstReminderAt(route.remind, event.status, event.receivedAt);
    timers.remind = dueAt === null ? null : { routePath: route.path, dueAt, afterMs: route.remind.afterMs, repeat: route.remind.repeat };
  }
  return timers.group || timers.remind !== undefined ? timers : undefined;
}
