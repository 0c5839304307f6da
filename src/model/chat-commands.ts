import { StatusChange } from './job.js';
import { EventDetails } from './event.js';

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
}

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
}

/** The words of `help`, shared by Slack and Teams. */
export const COMMAND_HELP: Array<{ command: string; description: string }> = [
  { command: 'help', description: 'this list' },
  { command: 'routes', description: 'which routing rules deliver to this channel, and for which labels' },
  { command: 'status <id>', description: 'the latest status and history the bridge has recorded for a check or watchlist search' },
  { command: 'test', description: 'send a sample event through the whole pipeline to this channel' },
];
