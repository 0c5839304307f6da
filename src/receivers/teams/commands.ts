import { ACTION_COMMANDS, COMMAND_HELP, type ChatCommands, type RouteAnswer, type StatusAnswer } from '../../model/chat-commands.js';
import type { CheckActionKind, CheckPerson, CheckState } from '../../model/check-state.js';
import { actionAnswerText } from './card-actions.js';
import { escapeTeamsText as esc, reasonWords, statusLook, typeWords, warningWords } from './format.js';

/** The Markdown answer to an @mention command (`help`, `routes`, `status <id>`, `test`); Aver-derived strings are escaped. */
export async function teamsCommandReply(
  text: string,
  deps: {
    channelId: string; receivers: string[]; commands: ChatCommands;
    /** Who sent the command (the activity's verified `from`), and the people it @mentions besides the bot. */
    actor?: CheckPerson; mentioned?: CheckPerson[];
  },
): Promise<string> {
  const [sub = 'help', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const { receivers, channelId } = deps;
  switch (sub.toLowerCase()) {
    case 'help':
      return helpText(channelId);
    case 'routes':
      if (receivers.length === 0) return notHere(channelId);
      return routesText(receivers, deps.commands.routes(receivers));
    case 'status': {
      const id = args[0];
      if (!id) return 'Usage: `status <id>`: the id of a check or watchlist search.';
      // Only about checks routed to this conversation; anything else, unknown or not, gets the same answer.
      const answer = await deps.commands.status(id, receivers);
      return answer ? statusText(answer) : `Nothing about ${esc(id)} was routed to this channel.`;
    }
    case 'test': {
      if (receivers.length === 0) return notHere(channelId);
      const sent = await deps.commands.test(receivers);
      return `🧪 Sent a sample event (id ${esc(sent.entityId)}, event ${esc(sent.eventId, 100)}) through the bridge to ${names(receivers)}. It should appear in this channel shortly.`;
    }
    case 'ack':
    case 'acknowledge':
    case 'assign':
    case 'unassign':
      return actionReply(ACTION_COMMANDS[sub.toLowerCase()], args[0], deps);
    default:
      return `Unknown command ${esc(sub, 100)}.\n\n${helpText(channelId)}`;
  }
}

function names(receivers: string[]): string {
  return receivers.map((r) => `**${esc(r, 100)}**`).join(', ');
}

function helpText(channelId: string): string {
  return [
    'Mention me with a command to ask aver-bridge what it knows:',
    '',
    ...COMMAND_HELP.map((c) => `- **${esc(c.command, 100)}**: ${esc(c.description, 300)}`),
    '',
    `This channel's id is ${codeSpan(channelId)} (for a receiver's \`channelId\`).`,
  ].join('\n');
}

/** Text shown literally and copyable (markdown is not read inside a code span), minus backticks and line breaks. */
function codeSpan(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, '')}\``;
}

function notHere(channelId: string): string {
  return `No receiver of this bridge posts to this channel. Give a receiver ${codeSpan(`channelId: "${channelId.replace(/["\\]/g, '')}"`)}, or the team and channel names, in the bridge configuration.`;
}

function routesText(receivers: string[], routes: RouteAnswer[]): string {
  if (routes.length === 0) {
    return `${names(receivers)} post${receivers.length === 1 ? 's' : ''} here, but no route delivers to ${receivers.length === 1 ? 'it' : 'them'}.`;
  }
  const lines = routes.map((r) => {
    const when = r.isDefault || r.matchers.length === 0
      ? 'everything no other route takes'
      : r.matchers.map((m) => esc(m, 300)).join(' and ');
    return `- **${esc(r.receiver, 100)}**: ${when}`;
  });
  return ['Routes that deliver to this channel:', '', ...lines].join('\n');
}

function statusText(a: StatusAnswer): string {
  const look = statusLook(a.status);
  const group = a.group && a.group !== a.groupId ? `${esc(a.group)} (${esc(a.groupId)})` : esc(a.groupId);
  const lines = [`${look.emoji} **${esc(typeWords(a.type), 100)}** ${esc(a.id)}: **${esc(look.words, 100)}**`, '', `Group: ${group}`];
  if (a.history.length > 0) {
    lines.push('', `History: ${a.history.slice(-12).map((h) => `${esc(statusLook(h.status).words, 60)} (${new Date(h.at).toISOString().slice(0, 16).replace('T', ' ')} UTC)`).join(' → ')}`);
  }
  if (a.details?.available) {
    if (a.details.statusReason) lines.push('', `Reason: ${esc(reasonWords(a.details.statusReason), 300)}`);
    if (a.details.warnings?.length) lines.push('', `Warnings: ${esc(a.details.warnings.map(warningWords).join(', '), 600)}`);
  }
  lines.push(...stateLines(a.checkState));
  if (a.deliveries.length > 0) {
    lines.push('', 'Deliveries of the latest event:', '');
    for (const d of a.deliveries) {
      const why = d.lastReason ? `: ${esc(d.lastReason, 200)}` : '';
      lines.push(`- **${esc(d.receiver, 100)}**: ${esc(d.state, 40)}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${why}`);
    }
  }
  return lines.join('\n');
}

/**
 * `ack <id>`, `assign <id> [@person]`, `unassign <id>` by @mention: as the sender, about a check routed to this
 * conversation; `assign` with an @mention of someone else assigns them (Teams names them in the mention entity).
 */
async function actionReply(
  kind: CheckActionKind,
  id: string | undefined,
  deps: { channelId: string; receivers: string[]; commands: ChatCommands; actor?: CheckPerson; mentioned?: CheckPerson[] },
): Promise<string> {
  if (!id || !deps.actor) return `Usage: \`${kind === 'acknowledge' ? 'ack' : kind} <id>${kind === 'assign' ? ' [@person]' : ''}\`, with the id of a check posted to this channel.`;
  const assignee = kind === 'assign' ? deps.mentioned?.[0] : undefined;
  const answer = await deps.commands.act({
    kind, id, actor: deps.actor, ...(assignee ? { assignee } : {}), via: 'command', channel: deps.channelId, receiverNames: deps.receivers,
  });
  return actionAnswerText(kind, id, answer, (s) => esc(s));
}

/** Who is on the check, for `status`. */
function stateLines(state: CheckState | undefined): string[] {
  const lines: string[] = [];
  const at = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (state?.acknowledged) lines.push('', `Acknowledged by **${esc(state.acknowledged.by.name, 100)}** · ${at(state.acknowledged.at)} (${esc(statusLook(state.acknowledged.status).words, 60)})`);
  if (state?.assigned) lines.push('', `Assigned to **${esc(state.assigned.to.name, 100)}** (by ${esc(state.assigned.by.name, 100)} · ${at(state.assigned.at)})`);
  return lines;
}
