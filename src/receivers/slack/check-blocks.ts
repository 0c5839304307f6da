import type { Button } from '@slack/types';
import type { CheckPerson } from '../../model/check-state.js';
import { BUTTON_LABELS, checkStateLines, type MessageButton } from '../../present/check-actions.js';
import type { Message } from '../../present/message.js';
import { fit, slackDate } from './format.js';

/** The action ids of the buttons (app.ts listens for them); each button's value is the check's entity key. */
export const SLACK_ACTION_IDS: Readonly<Record<MessageButton, string>> = {
  acknowledge: 'aver_acknowledge',
  assign: 'aver_assign',
  unassign: 'aver_unassign',
};

/** Slack's limit on a button's value. */
const BUTTON_VALUE_MAX = 2000;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A person in Slack: a Slack user as a mention (shown as their name, notifying nobody in an edit), anyone else by name. */
function slackPerson(p: CheckPerson): string {
  return p.platform === 'slack' && SLACK_USER_ID.test(p.id) ? `<@${p.id}>` : fit(p.name, 100);
}

/** "Acknowledged by @dana · 14:02", "Assigned to @lee" (mrkdwn, one line each), or undefined without a state. */
export function checkStateText(message: Message): string | undefined {
  if (!message.checkState) return undefined;
  const lines = checkStateLines(message.checkState, {
    person: slackPerson,
    time: (t) => slackDate(t.at, '{time}', t.clock),
    text: (s) => fit(s, 100),
  });
  return lines.map((l, i) => `${i === 0 && message.checkState?.acknowledged ? ':white_check_mark:' : ':bust_in_silhouette:'} ${l}`).join('\n');
}

/** The message's buttons (Acknowledge, Assign to me, Unassign), each carrying the check; none for a key too long. */
export function actionButtons(message: Message): Button[] {
  const actions = message.actions;
  if (!actions || actions.check.length > BUTTON_VALUE_MAX) return [];
  return actions.buttons.map((b): Button => ({
    type: 'button',
    action_id: SLACK_ACTION_IDS[b],
    text: { type: 'plain_text', text: BUTTON_LABELS[b] },
    value: actions.check,
    ...(b === 'acknowledge' ? { style: 'primary' as const } : {}),
  }));
}
