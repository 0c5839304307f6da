import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeSlack } from '../helpers/fake-slack.js';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';
const BOT_TOKEN = 'xoxb-test-token-0000';

function yaml(apiUrl: string) {
  return `
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { check: "https://app.goaver.test/checks/{id}" }
slack:
  botToken: ${BOT_TOKEN}
  signingSecret: ${SIGNING_SECRET}
  apiUrl: ${apiUrl}
  verifyToken: true
receivers:
  - name: kyc-slack
    slack: { channel: C0123456789, updates: thread, mention: { Rejected: ["<!subteam^S0123>"] } }
route:
  receiver: kyc-slack
`;
}

function signed(body: string, secret = SIGNING_SECRET, ts = Math.floor(Date.now() / 1000)) {
  const sig = 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

describe('Slack end to end: webhook → bridge → fake Slack API', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let t: TestBridge;
  beforeEach(async () => {
    slack = await startFakeSlack();
    t = await startBridge(yaml(slack.apiUrl));
  });
  afterEach(async () => {
    await t.stop();
    await slack.close();
  });

  it('checks the token at start, posts the first status, then edits it and replies in its thread', async () => {
    expect(slack.calls[0].method).to.equal('auth.test');
    const hook = `${t.url}/webhooks/aver`;
    const auth = { authorization: 's3cret-value' };
    expect((await postWebhook(hook, { statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'grp-eu', status: 'InReview' } }, auth)).status).to.equal(202);
    const post = await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'chat.postMessage');
    expect(post.token).to.equal(`Bearer ${BOT_TOKEN}`);
    expect(post.body.channel).to.equal('C0123456789');
    expect(post.body.text).to.equal('🟠 Live check in review: chk-1 · EU onboarding');
    const blocksJson = JSON.stringify([post.body.blocks, post.body.attachments]);
    expect(blocksJson).to.include('chk-1').and.include('EU onboarding').and.include('https://app.goaver.test/checks/chk-1');

    expect((await postWebhook(hook, { statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'grp-eu', status: 'Rejected' } }, auth)).status).to.equal(202);
    const update = await waitFor(() => slack.calls.find((c) => c.method === 'chat.update'), 'chat.update');
    expect(update.body.channel).to.equal('C0123456789');
    const firstTs = '1700000000.000100';
    expect(update.body.ts).to.equal(firstTs);
    expect(JSON.stringify(update.body.attachments)).to.include('Rejected');
    const reply = await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage' && c.body.thread_ts === firstTs), 'thread reply');
    expect(String(reply.body.text)).to.equal('<!subteam^S0123> 🔴 Live check rejected: chk-1 · EU onboarding');
    expect(String(reply.body.reply_broadcast)).to.equal('true');
  });

  it('answers a signed /aver command and refuses a bad signature or a stale timestamp', async () => {
    const body = new URLSearchParams({ command: '/aver', text: 'routes', channel_id: 'C0123456789', user_id: 'U1', team_id: 'T1', response_url: 'http://127.0.0.1:1/unused', trigger_id: 'x', token: 'legacy' }).toString();
    const ok = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: signed(body), body });
    expect(ok.status).to.equal(200);
    const answer = await ok.json();
    expect(answer.response_type).to.equal('ephemeral');
    expect(JSON.stringify(answer)).to.include('kyc-slack');

    const bad = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: signed(body, 'wrong-secret'), body });
    expect(bad.status).to.equal(401);
    const stale = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: signed(body, SIGNING_SECRET, Math.floor(Date.now() / 1000) - 600), body });
    expect(stale.status).to.equal(401);
  });

  it('/aver test pushes a sample event through the pipeline to this channel', async () => {
    const body = new URLSearchParams({ command: '/aver', text: 'test', channel_id: 'C0123456789', user_id: 'U1', team_id: 'T1', response_url: 'http://127.0.0.1:1/unused', trigger_id: 'x', token: 'legacy' }).toString();
    const res = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: signed(body), body });
    expect(res.status).to.equal(200);
    const post = await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'test message');
    expect(post.body.channel).to.equal('C0123456789');
    expect(JSON.stringify(post.body.attachments)).to.match(/test-[0-9a-f]{8}/);
  });
});

describe('Slack message lifecycle across a restart (message refs live in the store)', () => {
  it('edits the first message and replies in its thread after the bridge restarts', async () => {
    const slack = await startFakeSlack();
    const dir = tempDir();
    const auth = { authorization: 's3cret-value' };
    try {
      const first = await startBridge(yaml(slack.apiUrl), { dir: dir.dir });
      expect((await postWebhook(`${first.url}/webhooks/aver`, { statusMessage: { type: 'OfflineCheck', id: 'chk-r', groupId: 'grp-eu', status: 'AwaitingReview' } }, auth)).status).to.equal(202);
      const post = await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'first message');
      await first.bridge.stop();

      const second = await startBridge(yaml(slack.apiUrl), { dir: dir.dir });
      try {
        expect((await postWebhook(`${second.url}/webhooks/aver`, { statusMessage: { type: 'OfflineCheck', id: 'chk-r', groupId: 'grp-eu', status: 'Completed' } }, auth)).status).to.equal(202);
        const update = await waitFor(() => slack.calls.find((c) => c.method === 'chat.update'), 'chat.update after restart');
        const firstTs = '1700000000.000100';
        expect(post.body.thread_ts).to.equal(undefined);
        expect(update.body).to.include({ channel: 'C0123456789', ts: firstTs });
        expect(JSON.stringify(update.body.attachments)).to.include('Completed');
        await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage' && c.body.thread_ts === firstTs), 'thread reply after restart');
        expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === undefined)).to.have.length(1);
      } finally {
        await second.bridge.stop();
      }
    } finally {
      dir.cleanup();
      await slack.close();
    }
  });
});

describe('Slack end to end: /aver status answers only where the check was routed', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let t: TestBridge;
  beforeEach(async () => {
    slack = await startFakeSlack();
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
slack:
  botToken: ${BOT_TOKEN}
  signingSecret: ${SIGNING_SECRET}
  apiUrl: ${slack.apiUrl}
  verifyToken: false
receivers:
  - name: kyc-slack
    slack: { channel: C0123456789 }
  - name: rejected-slack
    slack: { channel: C0REJECTED1 }
route:
  receiver: kyc-slack
  routes:
    - matchers: ['status = "Rejected"']
      receiver: rejected-slack
`);
  });
  afterEach(async () => {
    await t.stop();
    await slack.close();
  });

  async function aver(text: string, channel: string): Promise<string> {
    const body = new URLSearchParams({ command: '/aver', text, channel_id: channel, user_id: 'U1', team_id: 'T1', response_url: 'http://127.0.0.1:1/unused', trigger_id: 'x', token: 'legacy' }).toString();
    const res = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: signed(body), body });
    expect(res.status).to.equal(200);
    return String(((await res.json()) as { text: string }).text);
  }

  it('shows the check in its channel; in another channel (with a receiver or none) and in a DM, the unknown id\'s answer', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-7', groupId: 'grp-eu', status: 'InReview' } }, { authorization: 's3cret-value' })).status).to.equal(202);
    await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'the delivery to C0123456789');
    const here = await aver('status chk-7', 'C0123456789');
    expect(here).to.include('chk-7').and.include('*kyc-slack*');
    expect(here).not.to.include('rejected-slack');
    const unknown = 'Nothing about chk-0 was routed to this channel.';
    expect(await aver('status chk-0', 'C0123456789')).to.equal(unknown);
    for (const elsewhere of ['C0REJECTED1', 'C0NOBODY01', 'D0DIRECT01']) {
      expect(await aver('status chk-7', elsewhere)).to.equal(unknown.replace('chk-0', 'chk-7'));
    }
  });
});
