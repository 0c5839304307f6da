import type { Labels } from '../model/event.js';

/** The group an event joins: its key among the receiver's groups and the group-by labels that name it. */
export interface GroupKey {
  key: string;
  labels: Labels;
}

/** `group_by: ['...']`: every label, which (an event carrying its own id) is no grouping at all. */
export const GROUP_BY_ALL = '...';

/** Whether a resolved group_by groups at all: absent (not on the route nor above it) or `['...']` does not. */
export function groups(groupBy: readonly string[] | undefined): groupBy is readonly string[] {
  return groupBy !== undefined && !groupBy.includes(GROUP_BY_ALL);
}

/**
 * The group of an event with these labels: the values of the group-by labels (a label the event lacks is
 * empty, as in Alertmanager), in group_by order. `group_by: []` puts every event of the route in one group.
 * Null when the route does not group.
 */
export function groupKeyOf(groupBy: readonly string[] | undefined, labels: Labels): GroupKey | null {
  if (!groups(groupBy)) return null;
  const names = [...groupBy].sort();
  const picked: Labels = Object.fromEntries(names.map((n) => [n, Object.hasOwn(labels, n) ? labels[n] : '']));
  return { key: JSON.stringify(names.map((n) => [n, picked[n]])), labels: picked };
}
