import { expect } from 'chai';
import { createRequire } from 'node:module';
import type { CheckPerson, CheckState } from '../../src/model/check-state.js';
import { buildMessage, type Message } from '../../src/present/message.js';
import { withCheckActions } from '../../src/present/check-actions.js';
import { applyCheckAction } from '../../src/store/check-rule.js';
import { formatSlackMessage } from '../../src/receivers/slack/format.js';
import { formatTeamsCard } from '../../src/receivers/teams/format.js';

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

const T = Date.UTC(2026, 11, 1, 14, 2, 0);
const DANA: CheckPerson = { platform: 'slack', id: 'U0DANA', name: 'dana' };
const LEE: CheckPerson = { platform: 'teams', id: '6f1c0b8e-aaaa', name: 'Lee *Park* <at>x</at>' };

function message(status: string, eventId = 'ev-2'): Message {
  return buildMessage({
    event: { eventId, type: 'LiveCheck', id: 'chk-1', groupId: 'g', status, receivedAt: T, unknownType: false, unknownStatus: false, raw: {} },
    labels: {}, history: [], config: { aver: { links: { check: 'https://aver.example/checks/{id}' } } },
  });
}

const acked = (eventId: string): CheckState => ({ acknowledged: { by: DANA, at: T + 60_000, eventId, status: 'InReview' } });
const buttons = (m: Message) => m.actions?.buttons ?? [];

describe('withCheckActions: the buttons and the state a message carries', () => {
  it('attention and action get the buttons; good and info none; a receiver without actions: nothing at all', () => {
    const on = { entityKey: 'LiveCheck:chk-1', state: null, buttons: ['acknowledge', 'assign'] as const };
    expect(buttons(withCheckActions(message('Rejected'), on))).to.deep.equal(['acknowledge', 'assign']);
    expect(buttons(withCheckActions(message('AwaitingReview'), on))).to.deep.equal(['acknowledge', 'assign']);
    expect(withCheckActions(message('Completed'), on).actions).to.equal(undefined);
    expect(withCheckActions(message('Created'), on).actions).to.equal(undefined);
    expect(withCheckActions(message('Rejected'), { ...on, buttons: ['assign'] }).actions).to.deep.equal({ check: 'LiveCheck:chk-1', buttons: ['assign'] });
    expect(withCheckActions(message('Rejected'), { ...on, state: acked('ev-1'), buttons: [] })).to.deep.equal(message('Rejected'));
  });

  it('Acknowledge goes once this status is acknowledged and comes back on a later one, with the earlier state shown', () => {
    const now = withCheckActions(message('InReview', 'ev-1'), { entityKey: 'LiveCheck:chk-1', state: acked('ev-1'), buttons: ['acknowledge', 'assign'] });
    expect(buttons(now)).to.deep.equal(['assign']);
    expect(now.checkState?.acknowledged).to.deep.include({ by: DANA, current: true });
    const later = withCheckActions(message('Rejected', 'ev-2'), { entityKey: 'LiveCheck:chk-1', state: acked('ev-1'), buttons: ['acknowledge', 'assign'] });
    expect(buttons(later)).to.deep.equal(['acknowledge', 'assign']);
    expect(later.checkState?.acknowledged).to.deep.include({ current: false, status: { code: 'InReview', words: 'in review' } });
    const done = withCheckActions(message('Completed', 'ev-3'), { entityKey: 'LiveCheck:chk-1', state: acked('ev-1'), buttons: ['acknowledge', 'assign'] });
    expect(done.actions, 'no buttons on a clean Completed').to.equal(undefined);
    expect(done.checkState?.acknowledged?.by).to.deep.equal(DANA);
  });

  it('Unassign only while someone is assigned', () => {
    const state: CheckState = { assigned: { to: LEE, by: DANA, at: T } };
    expect(buttons(withCheckActions(message('Rejected'), { entityKey: 'k', state, buttons: ['assign'] }))).to.deep.equal(['assign', 'unassign']);
  });
});

describe('the state and buttons as Slack and Teams draw them', () => {
  const state: CheckState = { ...acked('ev-1'), assigned: { to: LEE, by: DANA, at: T } };
  const m = withCheckActions(message('Rejected'), { entityKey: 'LiveCheck:chk-1', state, buttons: ['acknowledge', 'assign'], display: { timeZone: 'Europe/Berlin', locale: 'en-GB' } });

  it('Slack: a context line with a mention and a date token (15:03 in Berlin as the fallback), the buttons before Open in Aver', () => {
    const body = formatSlackMessage(m).attachments[0].blocks!;
    const text = JSON.stringify(body);
    expect(text).to.include(':white_check_mark: Acknowledged by <@U0DANA> · <!date^1796133780^{time}|15:03>, when it was in review');
    // A Teams person in Slack: by name, every marker and bracket made inert.
    expect(text).to.include(':bust_in_silhouette: Assigned to Lee \u2217Park\u2217 &lt;at&gt;x&lt;/at&gt;');
    const actions = body.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value?: string; text: { text: string } }> };
    expect(actions.elements.map((e) => [e.action_id, e.text.text, e.value])).to.deep.equal([
      ['aver_acknowledge', 'Acknowledge', 'LiveCheck:chk-1'], ['aver_assign', 'Assign to me', 'LiveCheck:chk-1'], ['aver_unassign', 'Unassign', 'LiveCheck:chk-1'],
      ['open_in_aver', 'Open in Aver', undefined],
    ]);
  });

  it('Teams: TextBlocks with TIME() and escaped names, Action.Execute buttons Microsoft\'s parser takes', () => {
    const card = formatTeamsCard(m);
    const text = JSON.stringify(card);
    expect(text).to.include('Acknowledged by **dana** · {{TIME(2026-12-01T14:03:00Z)}}, when it was in review');
    expect(text).to.include('Assigned to **Lee \\\\*Park\\\\* ‹at›x‹/at›**');
    expect((card.actions as Array<{ type: string; title: string; verb?: string }>).map((a) => [a.type, a.title, a.verb])).to.deep.equal([
      ['Action.Execute', 'Acknowledge', 'aver.acknowledge'], ['Action.Execute', 'Assign to me', 'aver.assign'], ['Action.Execute', 'Unassign', 'aver.unassign'],
      ['Action.OpenUrl', 'Open in Aver', undefined],
    ]);
    const ac = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    ac.parse(card, context);
    expect(Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message)).to.deep.equal([]);
  });
});

describe('applyCheckAction (the rule both stores apply)', () => {
  const base = { entityKey: 'LiveCheck:chk-1', actor: DANA, at: T, via: 'button' as const, receiver: 'r', channel: 'C1', eventId: 'ev-1', status: 'Rejected' };
  const table: Array<[string, CheckState, Parameters<typeof applyCheckAction>[1], boolean]> = [
    ['acknowledge a fresh check', {}, { ...base, kind: 'acknowledge' }, true],
    ['acknowledge the same status again', acked('ev-1'), { ...base, kind: 'acknowledge', actor: LEE }, false],
    ['acknowledge a later status', acked('ev-1'), { ...base, kind: 'acknowledge', eventId: 'ev-2' }, true],
    ['assign to me', {}, { ...base, kind: 'assign' }, true],
    ['assign the one assigned', { assigned: { to: DANA, by: LEE, at: T } }, { ...base, kind: 'assign', assignee: DANA }, false],
    ['assign someone else', { assigned: { to: DANA, by: LEE, at: T } }, { ...base, kind: 'assign', assignee: LEE }, true],
    ['unassign nobody', acked('ev-1'), { ...base, kind: 'unassign' }, false],
    ['unassign', { assigned: { to: DANA, by: LEE, at: T } }, { ...base, kind: 'unassign' }, true],
  ];
  for (const [what, state, action, changed] of table) {
    it(`${what}: ${changed ? 'changes' : 'changes nothing'}`, () => {
      const r = applyCheckAction(state, action);
      expect(r.changed).to.equal(changed);
      if (!changed) expect(r.state).to.equal(state);
    });
  }
});
