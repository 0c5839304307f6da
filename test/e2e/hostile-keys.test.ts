import { expect } from 'chai';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { escapeSlack } from '../../src/receivers/slack/format.js';

const AUTH = { authorization: 's3cret-value' };

/** Values that name a property of Object.prototype: a lookup through a plain object finds a function, or the prototype. */
const HOSTILE = [
  { field: 'status', value: 'toString' },
  { field: 'status', value: 'constructor' },
  { field: 'groupId', value: '__proto__' },
  { field: 'groupId', value: 'constructor' },
  { field: 'groupId', value: 'hasOwnProperty' },
  { field: 'type', value: 'valueOf' },
] as const;

describe('webhooks whose fields name Object.prototype properties (toString, __proto__, constructor…)', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let workflow: FakeHttp;
  let t: TestBridge;
  beforeEach(async () => {
    slack = await startFakeSlack();
    workflow = await startFakeHttp(() => ({ status: 202 }));
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
slack:
  botToken: xoxb-test-token-0000
  signingSecret: slack-signing-secret-for-tests
  apiUrl: ${slack.apiUrl}
receivers:
  - name: kyc-slack
    slack: { channel: C0123456789, updates: new, mention: { Rejected: ["<!here>"] } }
  - name: ops-workflow
    teamsWorkflow: { url: "${workflow.url}/workflows/abc/triggers/manual/paths/invoke" }
route:
  receiver: kyc-slack
  routes:
    - receiver: kyc-slack
      continue: true
    - receiver: ops-workflow
delivery: { maxAge: 1h }
`);
  });
  afterEach(async () => {
    await t.stop();
    await workflow.close();
    await slack.close();
  });

  for (const { field, value } of HOSTILE) {
    it(`stores, routes and delivers ${field} "${value}" to Slack and a Workflow once, with no retry or dead letter`, async () => {
      const message = { type: 'LiveCheck', id: `chk-${field}-${value}`, groupId: 'grp-eu', status: 'Completed', [field]: value };
      const answer = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: message }, AUTH);
      expect(answer.status).to.equal(202);
      const { eventId } = answer.json;

      const post = await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'chat.postMessage');
      const wf = await waitFor(() => workflow.requests[0], 'workflow post');
      const jobs = await waitFor(async () => {
        const js = await t.bridge.store.jobsForEvent(eventId);
        return js.length === 2 && js.every((j) => j.state === 'done') ? js : undefined;
      }, 'both jobs delivered');
      expect(jobs.map((j) => j.attempts)).to.deep.equal([1, 1]);

      // The value is shown as text: never a function's source, "[object Object]" or "undefined".
      const slackText = JSON.stringify(post.body);
      const cardText = JSON.stringify(wf.body);
      // As each channel writes it: `__proto__` reads the same in Slack with look-alike underscores (escapeSlack).
      expect(slackText).to.include(escapeSlack(value));
      expect(cardText).to.include(value.replace(/_/g, '\\\\_'));
      for (const text of [slackText, cardText]) expect(text).not.to.match(/native code|\[object Object\]|undefined/);
      const stored = await t.bridge.store.getEvent(eventId);
      expect(stored?.event[field]).to.equal(value);
      expect(stored?.labels?.[field]).to.equal(value);
      if (field === 'groupId') expect(stored?.labels?.group).to.equal(value);
      expect(await t.bridge.store.listJobs({ state: 'dead', limit: 10 })).to.deep.equal([]);
    });
  }
});
