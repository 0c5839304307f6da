import { expect } from 'chai';
import * as AC from 'adaptivecards';
import { parseConfig } from '../../src/config/load.js';
import { previewReceiver } from '../../src/receivers/preview.js';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { startFakeSlack } from '../helpers/fake-slack.js';

const CHANNEL = '19:abc123@thread.tacv2';
const AUTH = { authorization: 's3cret-value' };
/** An id that tries to mention everyone, format and link, in Slack and in Teams. */
const HOSTILE_ID = 'chk-7 <!channel> <at>All</at> *bold* [x](https://evil.example)';

function parseCard(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  return Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message);
}

const TEMPLATES = `
templates:
  kyc:
    headline: "KYC {{ id }} is {{ status }}"
    facts:
      - { title: Group, value: "{{ group }}" }
  looping:
    headline: "{% for i in (1..100000000) %}{{ id }}{% endfor %}"
`;

function slackYaml(apiUrl: string): string {
  return `
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
slack: { botToken: xoxb-test-token-0000, apiUrl: ${apiUrl} }
${TEMPLATES}
receivers:
  - name: kyc-slack
    template: kyc
    slack: { channel: C0123456789, updates: new }
  - name: plain-slack
    slack: { channel: C0999999999, updates: new }
  - name: looping-slack
    template: looping
    slack: { channel: C0555555555, updates: new }
route:
  receiver: kyc-slack
  routes:
    - { receiver: kyc-slack, continue: true }
    - { receiver: plain-slack, continue: true }
    - { receiver: looping-slack }
`;
}

describe('message templates end to end: webhook → bridge → fake Slack', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let t: TestBridge;
  beforeEach(async () => {
    slack = await startFakeSlack();
    t = await startBridge(slackYaml(slack.apiUrl));
  });
  afterEach(async () => {
    await t.stop();
    await slack.close();
  });

  const postTo = (channel: string) => waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage' && c.body.channel === channel), `chat.postMessage to ${channel}`);

  it('a receiver with template: shows its headline (escaped), the others the default; the preview says the same', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: HOSTILE_ID, groupId: 'grp-eu', status: 'AwaitingReview' } }, AUTH)).status).to.equal(202);
    const templated = await postTo('C0123456789');
    const header = (templated.body.blocks as Array<{ text: { text: string } }>)[0].text.text;
    // A plain_text header: entities escaped (no mention), markers literal (no formatting there).
    expect(header).to.equal('🟠 KYC chk-7 &lt;!channel&gt; &lt;at&gt;All&lt;/at&gt; *bold* [x](https://evil.example) is AwaitingReview');
    // mrkdwn: markers and links as lookalikes too.
    expect(templated.body.text).to.equal('🟠 KYC chk-7 &lt;!channel&gt; &lt;at&gt;All&lt;/at&gt; ∗bold∗ [x](https:∕∕evil․example) is AwaitingReview');
    expect(JSON.stringify(templated.body)).to.not.contain('<!channel>');
    expect(JSON.stringify([templated.body.text, templated.body.attachments])).to.not.contain('*bold*').and.not.contain('https://evil.example');
    expect(JSON.stringify(templated.body.attachments)).to.contain('*Group:* EU onboarding');

    const plain = await postTo('C0999999999');
    expect((plain.body.blocks as Array<{ text: { text: string } }>)[0].text.text).to.match(/^🟠 Live check awaiting review: /);

    // The preview of the same event is what was posted, but for the time it was received and the event id.
    const config = parseConfig(slackYaml(slack.apiUrl), 'same.yaml', {});
    const preview = (await previewReceiver(config, 'kyc-slack', { type: 'LiveCheck', id: HOSTILE_ID, groupId: 'grp-eu', group: 'EU onboarding', status: 'AwaitingReview' }, { now: Date.now() }))!;
    // The Web API client sends a form: the fake reads its booleans back as "false".
    const volatile = (v: unknown) => JSON.stringify(v).replace(/<!date\^\d+\^[^>]*>/g, 'DATE').replace(/event [^\s"]+/g, 'event ID').replace(/"(true|false)"/g, '$1');
    expect(volatile(preview.payload)).to.equal(volatile(templated.body));
  });

  it('a template that fails at delivery sends the default message, logged once at warn; the delivery succeeds', async () => {
    for (const id of ['chk-a', 'chk-b']) {
      expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'grp-eu', status: 'Rejected' } }, AUTH)).status).to.equal(202);
    }
    await waitFor(() => slack.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0555555555').length === 2 || undefined, 'both messages');
    const sent = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0555555555');
    expect(sent.map((c) => c.body.text)).to.deep.equal(['🔴 Live check rejected: chk-a · EU onboarding', '🔴 Live check rejected: chk-b · EU onboarding']);
    const warnings = t.logs.records().filter((r) => r.msg.startsWith('message template failed to render'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ level: 40, receiver: 'looping-slack', template: 'looping' });
    const jobs = await t.bridge.store.listJobs({ state: 'dead', limit: 10 });
    expect(jobs).to.deep.equal([]);
  });
});

describe('message templates end to end: webhook → bridge → fake Bot Connector and Workflows', () => {
  let connector: FakeHttp;
  let workflow: FakeHttp;
  let t: TestBridge;
  let yaml: string;
  beforeEach(async () => {
    connector = await startFakeHttp((req) => {
      if (req.method === 'POST' && req.path === '/v3/conversations') return { status: 201, body: { id: `${CHANNEL};messageid=1001`, activityId: '1001' } };
      return { status: 201, body: { id: '2002' } };
    });
    workflow = await startFakeHttp(() => ({ status: 202 }));
    yaml = `
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
server: { host: 127.0.0.1 }
teams: { appId: "", serviceUrl: "${connector.url}/" }
${TEMPLATES}
receivers:
  - name: kyc-teams
    template: kyc
    teams: { channelId: "${CHANNEL}" }
  - name: kyc-workflow
    template: kyc
    teamsWorkflow: { url: "${workflow.url}/workflows/abc" }
route:
  receiver: kyc-teams
  routes:
    - { receiver: kyc-teams, continue: true }
    - { receiver: kyc-workflow }
`;
    t = await startBridge(yaml);
  });
  afterEach(async () => {
    await t.stop();
    await connector.close();
    await workflow.close();
  });

  it('the card shows the template\'s headline (escaped) in the bot\'s and the Workflows\' card; the preview says the same', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: HOSTILE_ID, groupId: 'grp-eu', status: 'Rejected' } }, AUTH)).status).to.equal(202);
    const created = await waitFor(() => connector.on('/v3/conversations')[0], 'createConversation');
    const wf = await waitFor(() => workflow.requests[0], 'workflow post');
    for (const card of [created.body.activity.attachments[0].content, wf.body.attachments[0].content]) {
      expect(parseCard(card)).to.deep.equal([]);
      const items = card.body[0].items as Array<{ type: string; text?: string; facts?: unknown[] }>;
      expect(items[0].text).to.equal('🔴 KYC chk-7 ‹!channel› ‹at›All‹/at› \\*bold\\* \\[x\\](https:∕∕evil․example) is Rejected');
      expect(items.find((i) => i.type === 'FactSet')?.facts).to.deep.equal([{ title: 'Group', value: 'EU onboarding' }]);
      expect(JSON.stringify(card.body)).to.not.contain('<at>').and.not.contain('https://evil.example');
    }
    expect(created.body.activity.summary).to.equal('🔴 KYC chk-7 ‹!channel› ‹at›All‹/at› *bold* [x](https://evil.example) is Rejected');

    const config = parseConfig(yaml, 'same.yaml', {});
    const preview = (await previewReceiver(config, 'kyc-teams', { type: 'LiveCheck', id: HOSTILE_ID, groupId: 'grp-eu', group: 'EU onboarding', status: 'Rejected' }, { now: Date.now() }))!;
    const volatile = (v: unknown) => JSON.stringify(v).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIME').replace(/event [^\s"]+/g, 'event ID');
    const { type, attachments, summary } = created.body.activity as { type: string; attachments: unknown; summary: string };
    const sent = { type, attachments, summary };
    const shown = preview.payload as Record<string, unknown>;
    expect(volatile({ type: shown.type, attachments: shown.attachments, summary: shown.summary })).to.equal(volatile(sent));
  });
});
