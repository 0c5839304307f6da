import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { CheckActionAnswer, CheckActionRequest } from '../model/chat-commands.js';
import type { ActionButton, CheckActionKind, NewCheckAction } from '../model/check-state.js';
import type { Config, ReceiverConfig } from '../model/config.js';
import type { RoutingState } from '../pipeline/route-events.js';
import type { CheckActionWrite, CheckActionResult, Store } from '../store/store.js';
import { latestFor, routedCheck, type RoutedCheck } from './routed-check.js';

export interface CheckActionsDeps {
  state: () => RoutingState;
  /** The running config: which receivers have which buttons, which webhooks follow actions. */
  config: () => Config;
  store: Store;
  clock: Clock;
  metrics?: Pick<Metrics, 'checkAcknowledgements' | 'checkAssignments' | 'timeToAcknowledge'>;
  logger?: Logger;
  /** Jobs were enqueued (the messages to edit): wake the delivery worker. */
  onEnqueued?: () => void;
}

/** The button an action needs on the receiver of the channel it comes from. */
const BUTTON_FOR: Readonly<Record<CheckActionKind, ActionButton>> = { acknowledge: 'acknowledge', assign: 'assign', unassign: 'assign' };

/**
 * Acknowledge, assign and unassign (ChatCommands.act): only about a check routed to the asking channel, only where
 * its receiver has the button; a change is recorded with the jobs that edit every message of the check (and tell
 * webhooks with `actions: true`), then counted.
 */
export function createCheckActions(deps: CheckActionsDeps): (request: CheckActionRequest) => Promise<CheckActionAnswer> {
  return async (request) => {
    const wanted = new Set(request.receiverNames);
    const check = await routedCheck(deps.store, request.id.trim(), wanted, request.type);
    if (!check) return { outcome: 'notHere' };
    const config = deps.config();
    const button = BUTTON_FOR[request.kind];
    const receiver = check.here.find((name) => buttonsOf(receiverConfig(config, name)).includes(button));
    if (!receiver) return { outcome: 'notEnabled', receivers: check.here };
    const event = latestFor(check, receiver)!;
    const action: NewCheckAction = {
      entityKey: check.entityKey, kind: request.kind, actor: request.actor, ...(request.kind === 'assign' ? { assignee: request.assignee ?? request.actor } : {}),
      at: deps.clock.now(), via: request.via, receiver, channel: request.channel, eventId: event.eventId, status: event.status,
    };
    const result = await deps.store.recordCheckAction({ action, jobs: await followers(check, config, deps) });
    if (result.changed) changed(deps, check, result);
    const answer = { type: check.type, id: check.id, entityKey: check.entityKey, receiver, state: result.state };
    return { outcome: result.changed ? 'done' : 'unchanged', ...answer };
  };
}

function receiverConfig(config: Config, name: string): ReceiverConfig | undefined {
  return config.receivers.find((r) => r.name === name);
}

/** The buttons a receiver shows (none for kinds without buttons). */
function buttonsOf(rc: ReceiverConfig | undefined): readonly ActionButton[] {
  if (rc?.kind === 'slack') return rc.slack.actions ?? [];
  if (rc?.kind === 'teams') return rc.teams.actions ?? [];
  return [];
}

/** Whether a receiver follows the actions of its checks: it shows their state, or (a webhook) is told of them. */
function follows(rc: ReceiverConfig | undefined): boolean {
  return buttonsOf(rc).length > 0 || (rc?.kind === 'webhook' && rc.webhook.actions === true);
}

/**
 * One job per receiver of the check that follows its actions, for the check's latest event routed to it: a Slack
 * or Teams receiver then edits its message of the check, a webhook posts the action.
 */
async function followers(check: RoutedCheck, config: Config, deps: CheckActionsDeps): Promise<CheckActionWrite['jobs']> {
  const receivers = deps.state().receivers;
  const names = [...new Set(check.events.flatMap((e) => e.jobs.map((j) => j.receiver)))];
  const jobs: CheckActionWrite['jobs'] = [];
  for (const name of names) {
    const live = receivers.get(name);
    const latest = latestFor(check, name);
    if (!live || !latest || !follows(receiverConfig(config, name))) continue;
    const stored = await deps.store.getEvent(latest.eventId);
    if (!stored) continue;
    const destinationKey = live.destinationKey({ receiver: name, event: stored.event, labels: stored.labels ?? {} });
    jobs.push({ receiver: name, entityKey: check.entityKey, destinationKey, eventId: latest.eventId });
  }
  return jobs;
}

/** After a change: the metrics, one log line, and the worker woken for the jobs. */
function changed(deps: CheckActionsDeps, check: RoutedCheck, result: CheckActionResult): void {
  const a = result.record!;
  const labels = { platform: a.actor.platform, via: a.via };
  if (a.kind === 'acknowledge') {
    deps.metrics?.checkAcknowledgements.inc(labels);
    if (!result.previous.acknowledged) deps.metrics?.timeToAcknowledge.observe(Math.max(0, a.at - firstPosted(check)) / 1000);
  } else {
    deps.metrics?.checkAssignments.inc({ action: a.kind, ...labels });
  }
  deps.logger?.info({ check: check.entityKey, action: a.kind, actionId: a.id, platform: a.actor.platform, via: a.via, receiver: a.receiver }, 'check action recorded');
  deps.onEnqueued?.();
}

/** When the check's first message went out: its first delivered attempt; the first event's receipt if none is kept. */
function firstPosted(check: RoutedCheck): number {
  const delivered = check.events.flatMap((e) => e.jobs.flatMap((j) => j.history.filter((h) => h.ok).map((h) => h.at)));
  return delivered.length > 0 ? Math.min(...delivered) : check.events[0].at;
}
