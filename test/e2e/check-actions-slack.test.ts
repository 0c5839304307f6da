import { expect } from 'chai';
import { verifySlackRequest } from '@slack/bolt';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { startFakeSlack, type SlackCall } from '../helpers/fake-slack.js';
import { blockActionsBody, signedFormHeaders, slashCommandBody } from '../helpers/slack-requests.js';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';
const ADMIN = 'admin-token-0123456789';
const KYC = 'C0KYC000001';
const REJECTED = 'C0REJECTED1';
const OTHER = 'C0OTHER0001';
const AUTH = { authorization: 's3cret-value' };

function yaml(apiUrl: string, cases: string): string {
  return `
aver:
  webhook: { secrets: ["s3cret-value"] }
  links: { check: "https://app.goaver.test/checks/{id}" }
admin: { token: "${ADMIN}" }
slack:
  botToken: xoxb-test-token-0000
  signingSecret: ${SIGNING_SECRET}
  apiUrl: ${apiUrl}
  verifyToken: false
receivers:
  - name: kyc-slack
    slack: { channel: ${KYC}, actions: [acknowledge, assign] }
  - name: rejected-slack
    slack: { channel: ${REJECTED}, actions: true }
  - name: other-slack
    slack: { channel: ${OTHER}, actions: true }
  - name: cases
    webhook: { url: "${cases}/cases", actions: true }
route:
  receiver: other-slack
  routes:
    - { receiver: kyc-slack, matchers: ['type = "LiveCheck"'], continue: true }
    - { receiver: rejected-slack, matchers: ['type = "LiveCheck"', 'status =~ "Rejected|Failed"'], continue: true }
    - { receiver: cases, matchers: ['type = "LiveCheck"'] }
`;
}

/** Every element of every actions block of a Slack message (its attachments' blocks). */
function elementsOf(call: SlackCall): Array<{ action_id?: string; value?: string; text?: { text: string } }> {
  const attachments = call.body.attachments as Array<{ blocks: Array<{ type: string; elements?: unknown[] }> }>;
  return attachments.flatMap((a) => a.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<{ action_id?: string }>));
}

function buttonsOf(call: SlackCall): string[] {
  return elementsOf(call).map((e) => e.text?.text ?? '');
}

const firstPost = (slack: { calls: SlackCall[] }, channel: string) => slack.calls.find((c) => c.method === 'chat.postMessage' && c.body.channel === channel && c.body.thread_ts === undefined);
const updatesOf = (slack: { calls: SlackCall[] }, channel: string) => slack.calls.filter((c) => c.method === 'chat.update' && c.body.channel === channel);

describe('the v0 signature the Slack tests sign with', () => {
  it('is the one Bolt\'s verifySlackRequest (which the bridge runs) accepts', () => {
    const body = blockActionsBody({ actionId: 'aver_acknowledge', value: 'LiveCheck:x', channel: KYC, messageTs: '1.2', responseUrl: 'http://127.0.0.1:1/r' });
    const headers = signedFormHeaders(body, SIGNING_SECRET, 1_700_000_000);
    expect(() => verifySlackRequest({
      signingSecret: SIGNING_SECRET, body, nowMilliseconds: 1_700_000_010_000,
      headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': 1_700_000_000 },
    })).not.to.throw();
  });
});

describe('Acknowledge and assign from Slack: a Rejected check posted to two channels', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let cases: FakeHttp;
  let t: TestBridge;

  beforeEach(async () => {
    slack = await startFakeSlack();
    cases = await startFakeHttp(() => ({ status: 200 }));
    t = await startBridge(yaml(slack.apiUrl, cases.url));
  });
  afterEach(async () => {
    await t.stop();
    await slack.close();
    await cases.close();
  });

  const click = (channel: string, messageTs: string, actionId = 'aver_acknowledge', user = { id: 'U0DANA', username: 'dana', name: 'dana' }) =>
    blockActionsBody({ actionId, value: 'LiveCheck:chk-1', channel, messageTs, user, responseUrl: `${slack.apiUrl.replace(/\/api\/$/, '')}/actions/T0ACME/1/${channel}` });
  const send = (body: string, headers = signedFormHeaders(body, SIGNING_SECRET)) => fetch(`${t.url}/slack/events`, { method: 'POST', headers, body });
  const answersTo = (channel: string) => slack.calls.filter((c) => c.method === `/actions/T0ACME/1/${channel}`);

  it('a signed Acknowledge click in one updates both messages; a bad signature gets 401; a channel the check never reached is refused', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'Rejected' } }, AUTH)).status).to.equal(202);
    const kyc = await waitFor(() => firstPost(slack, KYC), 'the message in #kyc');
    await waitFor(() => firstPost(slack, REJECTED), 'the message in #rejected');
    expect(buttonsOf(kyc)).to.deep.equal(['Acknowledge', 'Assign to me', 'Open in Aver']);
    expect(elementsOf(kyc)[0]).to.deep.include({ action_id: 'aver_acknowledge', value: 'LiveCheck:chk-1' });
    await waitFor(() => cases.on('/cases')[0], 'the status posted to the case system');

    const forged = await send(click(KYC, String(kyc.body.ts ?? '')), signedFormHeaders(click(KYC, '1'), 'wrong-secret'));
    expect(forged.status).to.equal(401);
    const elsewhere = await send(click(OTHER, '1700000099.000100'));
    expect(elsewhere.status).to.equal(200);
    const refusal = await waitFor(() => answersTo(OTHER)[0], 'the answer to the click in a channel the check never reached');
    expect(refusal.body).to.deep.include({ response_type: 'ephemeral', text: 'Nothing about chk-1 was routed to this channel.' });
    expect(await t.bridge.store.getCheckState('LiveCheck:chk-1'), 'neither changed anything').to.equal(null);
    expect(updatesOf(slack, KYC).concat(updatesOf(slack, REJECTED))).to.deep.equal([]);

    const ok = await send(click(KYC, '1700000000.000100'));
    expect(ok.status).to.equal(200);
    for (const channel of [KYC, REJECTED]) {
      const update = await waitFor(() => updatesOf(slack, channel)[0], `the message in ${channel} updated`);
      const text = JSON.stringify(update.body.attachments);
      expect(text, channel).to.include('Acknowledged by <@U0DANA> · <!date^');
      expect(buttonsOf(update), channel).to.deep.equal(['Assign to me', 'Open in Aver']);
      const ref = await t.bridge.store.getMessageRef(channel === KYC ? 'kyc-slack' : 'rejected-slack', 'LiveCheck:chk-1');
      expect(update.body.ts, 'the check\'s first message').to.equal(ref?.messageId);
    }
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts !== undefined), 'no thread reply for a state change').to.deep.equal([]);
    const state = await t.bridge.store.getCheckState('LiveCheck:chk-1');
    expect(state?.acknowledged).to.deep.include({ by: { platform: 'slack', id: 'U0DANA', name: 'dana' }, status: 'Rejected' });

    const told = await waitFor(() => cases.on('/cases').find((r) => r.body.type === 'check.action'), 'the action posted to the case system');
    expect(told.body.action).to.deep.include({ kind: 'acknowledge', via: 'button', receiver: 'kyc-slack', channel: KYC, entityKey: 'LiveCheck:chk-1' });
    expect(told.body.state.acknowledged.by.id).to.equal('U0DANA');
    expect(told.eventId).to.match(/\.action-\d+$/);

    const again = await send(click(KYC, '1700000000.000100', 'aver_acknowledge', { id: 'U0LEE', username: 'lee', name: 'lee' }));
    expect(again.status).to.equal(200);
    expect((await waitFor(() => answersTo(KYC)[0], 'the answer to a second acknowledgement')).body.text).to.match(/^Already acknowledged by <@U0DANA>/);
  });

  it('Assign to me, then Unassign, show on both messages; the metrics and the admin page see them', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'Rejected' } }, AUTH)).status).to.equal(202);
    await waitFor(() => firstPost(slack, REJECTED), 'the message in #rejected');
    expect((await send(click(REJECTED, '1700000000.000200', 'aver_assign', { id: 'U0LEE', username: 'lee', name: 'lee' }))).status).to.equal(200);
    const assigned = await waitFor(() => updatesOf(slack, KYC)[0], 'the #kyc message updated');
    expect(JSON.stringify(assigned.body.attachments)).to.include('Assigned to <@U0LEE>');
    expect(buttonsOf(assigned)).to.deep.equal(['Acknowledge', 'Assign to me', 'Unassign', 'Open in Aver']);
    // Slack has its answer before the bridge acts on a click: each click waits for the one before to be recorded.
    expect((await send(click(KYC, '1700000000.000100', 'aver_acknowledge'))).status).to.equal(200);
    await waitFor(async () => (await t.bridge.store.getCheckState('LiveCheck:chk-1'))?.acknowledged, 'the acknowledgement recorded');
    expect((await send(click(KYC, '1700000000.000100', 'aver_unassign'))).status).to.equal(200);
    const last = await waitFor(() => updatesOf(slack, REJECTED).find((u) => !JSON.stringify(u.body.attachments).includes('Assigned to') && JSON.stringify(u.body.attachments).includes('Acknowledged')), 'the #rejected message without the assignment');
    expect(buttonsOf(last)).to.deep.equal(['Assign to me', 'Open in Aver']);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).to.match(/^aver_bridge_check_time_to_acknowledge_seconds_count 1$/m);
    expect(metrics).to.match(/^aver_bridge_check_acknowledgements_total\{platform="slack",via="button"\} 1$/m);
    expect(metrics).to.match(/^aver_bridge_check_assignments_total\{action="assign",platform="slack",via="button"\} 1$/m);
    expect(metrics).to.match(/^aver_bridge_check_assignments_total\{action="unassign",platform="slack",via="button"\} 1$/m);

    const page = await (await fetch(`${t.url}/admin`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(page).to.include('<b>Assigned</b> to <b>lee</b> by <b>lee</b> (Slack)');
    expect(page).to.include('<b>Acknowledged</b> by <b>dana</b> (Slack)');
    expect(page).to.include('<b>Unassigned</b> by <b>dana</b> (Slack)');
    const api = await (await fetch(`${t.url}/admin/api/events`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as { events: Array<{ actions: Array<{ kind: string; channel: string }> }> };
    expect(api.events[0].actions.map((a) => [a.kind, a.channel])).to.deep.equal([['assign', REJECTED], ['acknowledge', KYC], ['unassign', KYC]]);
  });
});

describe('Acknowledge and assign from Slack: commands, a restart, and a later status that needs people again', () => {
  it('/aver ack and /aver assign record who; after a restart /aver status shows them, and a Rejected shows them with the buttons', async () => {
    const slack = await startFakeSlack();
    const cases = await startFakeHttp(() => ({ status: 200 }));
    const dir = tempDir();
    const aver = async (bridge: TestBridge, text: string, channel = KYC, user = { id: 'U0LEE', name: 'lee' }) => {
      const body = slashCommandBody(text, channel, user);
      const res = await fetch(`${bridge.url}/slack/events`, { method: 'POST', headers: signedFormHeaders(body, SIGNING_SECRET), body });
      expect(res.status).to.equal(200);
      return String(((await res.json()) as { text: string }).text);
    };
    try {
      const first = await startBridge(yaml(slack.apiUrl, cases.url), { dir: dir.dir });
      try {
        expect((await postWebhook(`${first.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-2', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
        const post = await waitFor(() => firstPost(slack, KYC), 'the InReview message');
        expect(buttonsOf(post)).to.deep.equal(['Acknowledge', 'Assign to me', 'Open in Aver']);
        expect(await aver(first, 'ack chk-2', OTHER)).to.equal('Nothing about chk-2 was routed to this channel.');
        expect(await aver(first, 'ack chk-2')).to.equal(':white_check_mark: Acknowledged chk-2: its messages show it shortly.');
        expect(await aver(first, 'assign chk-2 <@U0DANA|dana>')).to.equal(':bust_in_silhouette: Assigned chk-2 to <@U0DANA>: its messages show it shortly.');
        expect(await aver(first, 'assign chk-2 @dana')).to.include('Name the person with an @mention');
        await waitFor(() => updatesOf(slack, KYC).find((u) => JSON.stringify(u.body.attachments).includes('Assigned to <@U0DANA>')), 'the message showing both');
      } finally {
        await first.bridge.stop();
      }

      const second = await startBridge(yaml(slack.apiUrl, cases.url), { dir: dir.dir });
      try {
        const status = await aver(second, 'status chk-2');
        expect(status).to.include('Acknowledged by <@U0LEE>').and.include('(InReview)').and.include('Assigned to <@U0DANA> (by <@U0LEE>');
        expect((await postWebhook(`${second.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-2', groupId: 'g', status: 'Rejected' } }, AUTH)).status).to.equal(202);
        const rejected = await waitFor(() => updatesOf(slack, KYC).find((u) => JSON.stringify(u.body.attachments).includes('rejected')), 'the message edited for Rejected');
        const text = JSON.stringify(rejected.body.attachments);
        expect(text).to.include('Acknowledged by <@U0LEE>').and.include(', when it was in review').and.include('Assigned to <@U0DANA>');
        expect(buttonsOf(rejected), 'the buttons again').to.deep.equal(['Acknowledge', 'Assign to me', 'Unassign', 'Open in Aver']);
        expect(await aver(second, 'unassign chk-2')).to.equal('Unassigned chk-2: its messages show it shortly.');
        expect(await aver(second, 'unassign chk-2')).to.equal('Nobody is assigned.');
      } finally {
        await second.bridge.stop();
      }
    } finally {
      dir.cleanup();
      await slack.close();
      await cases.close();
    }
  });

  it('a receiver without actions: no buttons, and the commands say how to turn them on', async () => {
    const slack = await startFakeSlack();
    const t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
slack:
  botToken: xoxb-test-token-0000
  signingSecret: ${SIGNING_SECRET}
  apiUrl: ${slack.apiUrl}
  verifyToken: false
receivers:
  - name: kyc-slack
    slack: { channel: ${KYC} }
route:
  receiver: kyc-slack
`);
    try {
      expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-3', groupId: 'g', status: 'Rejected' } }, AUTH)).status).to.equal(202);
      const post = await waitFor(() => firstPost(slack, KYC), 'the message');
      expect(JSON.stringify(post.body.attachments), 'no actions block without a link or buttons').not.to.include('"actions"');
      const body = slashCommandBody('ack chk-3', KYC);
      const res = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: signedFormHeaders(body, SIGNING_SECRET), body });
      expect(((await res.json()) as { text: string }).text).to.equal('Acknowledging is not turned on for this channel: give its receiver (*kyc-slack*) `actions: [acknowledge, assign]` in the bridge configuration.');
      expect(await t.bridge.store.getCheckState('LiveCheck:chk-3')).to.equal(null);
    } finally {
      await t.stop();
      await slack.close();
    }
  });
});
