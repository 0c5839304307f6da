import { BUTTON_LABELS, checkStateLines, type MessageButton } from '../../present/check-actions.js';
import type { Message } from '../../present/message.js';
import { escapeTeamsText } from './format.js';

/** The verbs of the card's Action.Execute buttons (bot.ts answers them); each carries `data.check`, the entity key. */
export const TEAMS_VERBS: Readonly<Record<MessageButton, string>> = {
  acknowledge: 'aver.acknowledge',
  assign: 'aver.assign',
  unassign: 'aver.unassign',
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** "Acknowledged by Dana · 14:02" and "Assigned to Lee" as small TextBlocks (times in each viewer's zone). */
export function checkStateBlocks(message: Message): Array<Record<string, unknown>> {
  if (!message.checkState) return [];
  const lines = checkStateLines(message.checkState, {
    person: (p) => `**${escapeTeamsText(p.name, 100)}**`,
    time: (t) => (RFC3339.test(t.iso) ? `{{TIME(${t.iso})}}` : escapeTeamsText(t.clock, 20)),
    text: (s) => escapeTeamsText(s, 100),
  });
  return lines.map((text) => ({ type: 'TextBlock', text, size: 'Small', wrap: true, spacing: 'Small' }));
}

/** The message's buttons as Universal Actions (Action.Execute, card 1.4 and later), before "Open in Aver". */
export function executeActions(message: Message): Array<Record<string, unknown>> {
  const actions = message.actions;
  if (!actions) return [];
  return actions.buttons.map((b) => ({
    type: 'Action.Execute',
    title: BUTTON_LABELS[b],
    verb: TEAMS_VERBS[b],
    data: { check: actions.check },
    ...(b === 'acknowledge' ? { style: 'positive' } : {}),
  }));
}
