import { StatusChange } from './job.js';
import { EventDetails } from './event.js';
import type { CheckActionKind, CheckActionVia, CheckPerson, CheckState } from './check-state.js';

/**
 * What `/aver` in Slack and an @mention in Teams can ask. Chat-agnostic:
 * each integration formats the answers its own way (mrkdwn, Teams text).
 * Built in src/commands/commands.ts from the store and the live config.
 */
export interface ChatCommands {
  /** The routes that deliver to any of these receivers, with the matchers on the path to each. */
  routes(receiverNames: string[]): RouteAnswer[];
  /**
   * What the bridge has recorded for an Aver entity id (check or watchlist search), only when one of its events
   * was routed to one of these receivers (the asking channel's), with only their deliveries; else null, as for
   * an unknown id.
   */
  status(id: string, receiverNames: string[]): Promise<StatusAnswer | null>;
  /** Stores a sample event and enqueues it for exactly these receivers; resolves once stored. */
  test(receiverNames: string[]): Promise<{ eventId: string; entityId: string }>;
  /**
   * Acknowledges, assigns or unassigns a check, from a channel whose receivers are `receiverNames`: only a check
   * routed to one of them, and only where that receiver has the button (`actions:`). A change is recorded (with
   * its audit entry) and every message of the check is edited to show it, through the delivery queue.
   */
  act(request: CheckActionRequest): Promise<CheckActionAnswer>;
}

/** An action asked for by a button or a command; `actor` comes from the verified request, never from its text. */
export interface CheckActionRequest {
  kind: CheckActionKind;
  /** The check: Aver's id as typed in a command, or a button's entity key (`type:id`) with `type`. */
  id: string;
  type?: string;
  actor: CheckPerson;
  /** `assign` only: who (default: the actor). */
  assignee?: CheckPerson;
  via: CheckActionVia;
  /** The channel (Slack channel id, Teams channel or chat id) and the receivers that post there. */
  channel: string;
  receiverNames: string[];
}

/**
 * How an action went: `notHere` (the check was never routed to this channel, or is unknown: one answer for both),
 * `notEnabled` (no receiver here has that button), `done` (recorded) or `unchanged` (it already was so: `state`
 * says by whom).
 */
export type CheckActionAnswer =
  | { outcome: 'notHere' }
  | { outcome: 'notEnabled'; receivers: string[] }
  | { outcome: 'done' | 'unchanged'; type: string; id: string; entityKey: string; receiver: string; state: CheckState };

export interface RouteAnswer {
  receiver: string;
  /** Matchers on the path from the root to the route, ANDed; empty for the root's default. */
  matchers: string[];
  /** True for the root route (catches what nothing else does). */
  isDefault: boolean;
}

export interface StatusAnswer {
  type: string;
  id: string;
  groupId: string;
  group: string;
  status: string;
  history: StatusChange[];
  details: EventDetails | null;
  /** Deliveries of the latest event to the asking channel's receivers: receiver, state, attempts, last reason. */
  deliveries: Array<{ receiver: string; state: string; attempts: number; lastReason: string | null }>;
  /** Who acknowledged the check and who is assigned, when anyone acted on it. */
  checkState?: CheckState;
}

/** The action commands and what each does (`ack` and `acknowledge` alike), for Slack and Teams. */
export const ACTION_COMMANDS: Readonly<Record<string, CheckActionKind>> = { ack: 'acknowledge', acknowledge: 'acknowledge', assign: 'assign', unassign: 'unassign' };

/** The words of `help`, shared by Slack and Teams. */
export const COMMAND_HELP: Array<{ command: string; description: string }> = [
  { command: 'help', description: 'this list' },
  { command: 'routes', description: 'which routing rules deliver to this channel, and for which labels' },
  { command: 'status <id>', description: 'the latest status and history the bridge has recorded for a check or watchlist search' },
  { command: 'test', description: 'send a sample event through the whole pipeline to this channel' },
  { command: 'ack <id>', description: 'acknowledge a check posted here: its messages show who is on it' },
  { command: 'assign <id> [@person]', description: 'assign a check posted here to someone (you, without a name)' },
  { command: 'unassign <id>', description: 'clear who a check posted here is assigned to' },
];
