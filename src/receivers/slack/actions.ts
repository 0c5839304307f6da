import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CheckActionAnswer, ChatCommands } from '../../model/chat-commands.js';
import type { CheckActionKind, CheckPerson, CheckState } from '../../model/check-state.js';
import { fit, slackDate } from './format.js';

/** A button's action id → what it does (check-blocks.ts names them). */
const KIND_OF: ReadonlyMap<string, CheckActionKind> = new Map([['aver_acknowledge', 'acknowledge'], ['aver_assign', 'assign'], ['aver_unassign', 'unassign']]);
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

export interface SlackActionDeps {
  commands: ChatCommands;
  receiversForChannel: (channelId: string) => string[];
}

/**
 * Listens for the Acknowledge, Assign to me and Unassign buttons on the signed endpoint: acknowledges at once (Slack
 * waits 3 s), then records the action as the clicking user (Slack's verified `user`), only if the check was routed
 * to the channel clicked in (`channel`); the messages are edited through the delivery queue. Anything but a change
 * is told to the clicker alone (an ephemeral message through `response_url`).
 */
export function listenForCheckActions(app: App, deps: SlackActionDeps, logger: Logger): void {
  app.action<BlockAction<ButtonAction>>(/^aver_(acknowledge|assign|unassign)$/, async ({ ack, body, action, respond: viaUrl }) => {
    await ack();
    // Bolt gives respond() only when the payload has a response_url.
    const respond: typeof viaUrl = (...args) => (typeof viaUrl === 'function' ? viaUrl(...args) : Promise.resolve(undefined as never));
    const kind = KIND_OF.get(action.action_id);
    const check = splitCheck(action.value ?? '');
    const channel = body.channel?.id ?? '';
    if (!kind || !check || typeof body.user?.id !== 'string' || typeof channel !== 'string') return;
    const actor = slackActor(body.user);
    let answer: CheckActionAnswer;
    try {
      answer = await deps.commands.act({ kind, id: check.id, type: check.type, actor, via: 'button', channel, receiverNames: deps.receiversForChannel(channel) });
    } catch (err) {
      logger.error({ err, action: action.action_id }, 'a Slack button failed');
      await respond({ response_type: 'ephemeral', replace_original: false, text: ':warning: Sorry, that did not work. The bridge\'s log has the details.' }).catch(() => undefined);
      return;
    }
    if (answer.outcome === 'done') return;
    await respond({ response_type: 'ephemeral', replace_original: false, text: checkActionText(kind, check.id, answer) }).catch((err: unknown) => {
      logger.warn({ err: String(err).slice(0, 200) }, 'could not answer a Slack button through its response_url');
    });
  });
}

/** A button's value: the check's entity key (`type:id`). */
function splitCheck(value: string): { type: string; id: string } | undefined {
  const at = value.indexOf(':');
  return at > 0 && at < value.length - 1 ? { type: value.slice(0, at), id: value.slice(at + 1) } : undefined;
}

/** The person Slack says made the request (the signed body's `user`, or a command's `user_id` and `user_name`). */
export function slackActor(user: { id: string; name?: string; username?: string }): CheckPerson {
  return { platform: 'slack', id: user.id, name: user.name || user.username || user.id };
}

/**
 * Someone named in a command, as Slack escapes a mention it resolved (`<@U0123|dana>`): the id from Slack, not
 * typed text. Undefined for anything else ("@dana" typed where Slack did not resolve it).
 */
export function mentionedPerson(word: string): CheckPerson | undefined {
  const m = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(word);
  return m ? { platform: 'slack', id: m[1], name: m[2] || m[1] } : undefined;
}

/** How a person reads in an answer: a mention for a Slack user (it names them, notifying nobody ephemerally). */
function who(p: CheckPerson): string {
  return p.platform === 'slack' && SLACK_USER_ID.test(p.id) ? `<@${p.id}>` : fit(p.name, 100);
}

/** The answer to a button or a command (mrkdwn), every outside string escaped. */
export function checkActionText(kind: CheckActionKind, id: string, answer: CheckActionAnswer): string {
  switch (answer.outcome) {
    case 'notHere':
      return `Nothing about ${fit(id, 200)} was routed to this channel.`;
    case 'notEnabled':
      return `${kind === 'acknowledge' ? 'Acknowledging' : 'Assigning'} is not turned on for this channel: give its receiver (${answer.receivers.map((r) => `*${fit(r, 100)}*`).join(', ')}) \`actions: [acknowledge, assign]\` in the bridge configuration.`;
    case 'unchanged':
      return unchangedText(kind, answer.state);
    case 'done':
      return doneText(kind, fit(answer.id, 200), answer.state);
  }
}

function unchangedText(kind: CheckActionKind, state: CheckState): string {
  if (kind === 'acknowledge' && state.acknowledged) return `Already acknowledged by ${who(state.acknowledged.by)} · ${slackDate(state.acknowledged.at, '{time}')}.`;
  if (kind === 'assign' && state.assigned) return `Already assigned to ${who(state.assigned.to)}.`;
  return 'Nobody is assigned.';
}

function doneText(kind: CheckActionKind, id: string, state: CheckState): string {
  if (kind === 'acknowledge') return `:white_check_mark: Acknowledged ${id}: its messages show it shortly.`;
  if (kind === 'assign' && state.assigned) return `:bust_in_silhouette: Assigned ${id} to ${who(state.assigned.to)}: its messages show it shortly.`;
  return `Unassigned ${id}: its messages show it shortly.`;
}

/** `/aver ack|assign|unassign <id> [@person]`: usage when the id (or the person) cannot be read. */
export async function answerActionCommand(
  kind: CheckActionKind,
  args: string[],
  command: { channel_id: string; user_id?: string; user_name?: string },
  deps: SlackActionDeps,
): Promise<string> {
  const usage = kind === 'assign' ? '`/aver assign <id> [@person]`' : `\`/aver ${kind === 'acknowledge' ? 'ack' : kind} <id>\``;
  const id = args[0];
  if (!id || !command.user_id) return `Usage: ${usage.replace(/</g, '&lt;').replace(/>/g, '&gt;')}, with the id of a check posted to this channel.`;
  let assignee: CheckPerson | undefined;
  if (kind === 'assign' && args[1]) {
    assignee = mentionedPerson(args[1]);
    if (!assignee) return 'Name the person with an @mention Slack completes (pick them from the list), so that Slack sends their user id.';
  }
  const answer = await deps.commands.act({
    kind, id, actor: slackActor({ id: command.user_id, name: command.user_name }), ...(assignee ? { assignee } : {}),
    via: 'command', channel: command.channel_id, receiverNames: deps.receiversForChannel(command.channel_id),
  });
  return checkActionText(kind, id, answer);
}

/** Who is on a check, for `/aver status`: "Acknowledged by @dana · 14:02 (Rejected)", "Assigned to @lee". */
export function statusStateLines(state: CheckState | undefined): string[] {
  const lines: string[] = [];
  if (state?.acknowledged) {
    const a = state.acknowledged;
    lines.push(`Acknowledged by ${who(a.by)} · ${slackDate(a.at, '{date_short_pretty} {time}')} (${fit(a.status, 100)})`);
  }
  if (state?.assigned) lines.push(`Assigned to ${who(state.assigned.to)} (by ${who(state.assigned.by)} · ${slackDate(state.assigned.at, '{date_short_pretty} {time}')})`);
  return lines;
}
