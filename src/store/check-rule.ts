import type { CheckState, NewCheckAction } from '../model/check-state.js';

/**
 * How an action changes a check's state: one rule for both stores, applied inside the transaction that holds the
 * check's row. An action that changes nothing is not recorded (and enqueues nothing):
 * - acknowledge: the status it names is acknowledged once; a later status can be acknowledged again (by anyone),
 *   which replaces the earlier acknowledgement (the audit trail keeps both);
 * - assign: sets who is assigned, replacing anyone before; assigning the one assigned changes nothing;
 * - unassign: clears it; with nobody assigned it changes nothing.
 */
export function applyCheckAction(state: CheckState, action: NewCheckAction): { changed: boolean; state: CheckState } {
  switch (action.kind) {
    case 'acknowledge': {
      if (state.acknowledged?.eventId === action.eventId) return { changed: false, state };
      return { changed: true, state: { ...state, acknowledged: { by: action.actor, at: action.at, eventId: action.eventId, status: action.status } } };
    }
    case 'assign': {
      const to = action.assignee ?? action.actor;
      if (state.assigned && samePerson(state.assigned.to, to)) return { changed: false, state };
      return { changed: true, state: { ...state, assigned: { to, by: action.actor, at: action.at } } };
    }
    case 'unassign': {
      if (!state.assigned) return { changed: false, state };
      const { assigned: _gone, ...rest } = state;
      return { changed: true, state: rest };
    }
  }
}

function samePerson(a: { platform: string; id: string }, b: { platform: string; id: string }): boolean {
  return a.platform === b.platform && a.id === b.id;
}
