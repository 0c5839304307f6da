/**
 * Who is on a check: acknowledgements and assignments made from a message's buttons or by command, kept per check
 * (entity key) in the store, with an audit trail of every change.
 */

/** What people can do to a check. */
export const CHECK_ACTION_KINDS = ['acknowledge', 'assign', 'unassign'] as const;
export type CheckActionKind = (typeof CHECK_ACTION_KINDS)[number];

/**
 * The buttons a Slack or Teams receiver can show (`actions:`): `acknowledge` is *Acknowledge*, `assign` is
 * *Assign to me* (and *Unassign* once someone is assigned).
 */
export const ACTION_BUTTONS = ['acknowledge', 'assign'] as const;
export type ActionButton = (typeof ACTION_BUTTONS)[number];

/** A person, as the platform that verified the request named them. */
export interface CheckPerson {
  platform: 'slack' | 'teams';
  /** Slack user id (U…), or the Teams user's AAD object id (their Teams id when Teams gives none). */
  id: string;
  /** Display name, for channels that cannot mention the person (a Slack user in Teams, and in the admin page). */
  name: string;
}

/** The state of one check: who acknowledged it (and which status) and who is assigned. */
export interface CheckState {
  acknowledged?: { by: CheckPerson; at: number; eventId: string; status: string };
  assigned?: { to: CheckPerson; by: CheckPerson; at: number };
}

/** Where an action came from: a message's button or a command (`/aver ack`, `@Aver ack`). */
export type CheckActionVia = 'button' | 'command';

/** One action to record: who did what to which check, from where, about which of its statuses. */
export interface NewCheckAction {
  /** `${type}:${id}`: the check. */
  entityKey: string;
  kind: CheckActionKind;
  actor: CheckPerson;
  /** Who is assigned (`assign` only). */
  assignee?: CheckPerson;
  at: number;
  via: CheckActionVia;
  /** The receiver of the channel it came from, and that channel's id (Slack channel, Teams conversation). */
  receiver: string;
  channel: string;
  /** The check's latest event in that channel, and its status: what was acknowledged. */
  eventId: string;
  status: string;
}

/** One entry of the audit trail: the action, with its id and the check's state after it. */
export interface CheckActionRecord extends NewCheckAction {
  id: number;
  state: CheckState;
}
