import { expect } from 'chai';
import { ConfigError } from '../../src/errors.js';
import type { ReceiverConfig } from '../../src/model/config.js';
import { configFrom } from '../helpers/config.js';

const BASE = `
aver:
  webhook:
    secrets: ["s3cret-value"]
slack:
  botToken: xoxb-test
  verifyToken: false
teams:
  appId: ""
  allowInsecureDevMode: true
route: { receiver: a }
receivers:
`;

function receiver(entry: string): ReceiverConfig {
  return configFrom(`${BASE}  - ${entry}\n`).receivers[0];
}

describe('actions: (the Acknowledge and Assign buttons, and webhooks that follow them)', () => {
  it('is off unless set: no key at all in the loaded receiver', () => {
    const slack = receiver('{ name: a, slack: { channel: C0123 } }');
    expect(slack.kind === 'slack' && 'actions' in slack.slack).to.equal(false);
    const hook = receiver('{ name: a, webhook: { url: "https://cases.example/in" } }');
    expect(hook.kind === 'webhook' && 'actions' in hook.webhook).to.equal(false);
    const off = receiver('{ name: a, teams: { channelId: "19:a@thread.tacv2", actions: false } }');
    expect(off.kind === 'teams' && 'actions' in off.teams).to.equal(false);
  });

  it('takes a list (kept in a fixed order) or true for every button', () => {
    const listed = receiver('{ name: a, slack: { channel: C0123, actions: [assign, acknowledge] } }');
    expect(listed.kind === 'slack' && listed.slack.actions).to.deep.equal(['acknowledge', 'assign']);
    const all = receiver('{ name: a, teams: { channelId: "19:a@thread.tacv2", actions: true } }');
    expect(all.kind === 'teams' && all.teams.actions).to.deep.equal(['acknowledge', 'assign']);
    const hook = receiver('{ name: a, webhook: { url: "https://cases.example/in", actions: true } }');
    expect(hook.kind === 'webhook' && hook.webhook.actions).to.equal(true);
  });

  it('refuses a button it does not know, naming the key and its line', () => {
    try {
      configFrom(`${BASE}  - name: a\n    slack: { channel: C0123, actions: [acknowledge, escalate] }\n`);
      expect.fail('the config should have been refused');
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      expect(err.problems.some((p) => p.path.startsWith('receivers[0].slack.actions') && p.line === 14 && p.message.includes('"acknowledge", "assign"'))).to.equal(true);
    }
  });
});
