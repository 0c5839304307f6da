import type { CheckActionKind, CheckActionRecord, CheckState, NewCheckAction } from '../model/check-state.js';

/** A row of check_actions as both stores read it, its `data` column decoded. */
export interface CheckActionRow {
  id: number;
  entity_key: string;
  kind: string;
  at: number;
  data: unknown;
}

/** What check_actions keeps in `data`: the action but its indexed columns, and the state after it. */
type ActionData = Omit<NewCheckAction, 'entityKey' | 'kind' | 'at'> & { state: CheckState };

/** The `data` column of an action's row. */
export function actionData(a: NewCheckAction, state: CheckState): ActionData {
  const { entityKey: _k, kind: _kind, at: _at, ...rest } = a;
  return { ...rest, state };
}

/** An audit entry from its row (`data` already decoded). */
export function actionRecord(r: CheckActionRow): CheckActionRecord {
  const data = r.data as ActionData;
  return { ...data, id: Number(r.id), entityKey: r.entity_key, kind: r.kind as CheckActionKind, at: Number(r.at) };
}
