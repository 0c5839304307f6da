import { expect } from 'chai';
import * as AC from 'adaptivecards';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { startFakeSlack } from '../helpers/fake-slack.js';

const CHANNEL = '19:alerts0@thread.tacv2';
const ELSEWHERE = '19:general0@thread.tacv2';
const TENANT = '0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10';
const ADA = { id: '29:1ada', name: 'Ada Lovelace', aadObjectId: '6f1c0b8e-0000-4000-8000-0000000000ad' };
const LEE = { id: '29:1lee', name: 'Lee Park', aadObjectId: '6f1c0b8e-0000-4000-8000-00000000a1ee' };
const AUTH = { authorization: 's3cret-value' };

/** Microsoft's own parser's warnings and errors for a card. */
function cardProblems(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  return Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message);
}

type Card = { body: unknown[]; actions?: Array<{ type: string; title: string; verb?: string; data?: { check?: string } }> };

describe('Acknowledge and assign from Teams: Action.Execute invokes and @mention commands', () => {
  let connector: FakeHttp;
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let t: TestBridge;

  beforeEach(async () => {
    connector = await startFakeHttp((req) => {
      if (req.method === 'POST' && req.path === '/v3/conversations') return { status: 201, body: { id: `${CHANNEL};messageid=1001`, activityId: '1001' } };
      if (req.method === 'PUT') return { status: 200, body: { id: '1001' } };
      if (req.method === 'POST') return { status: 201, body: { id: '2002' } };
      return { status: 404 };
    });
    slack = await startFakeSlack();
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
  links: { check: "https://app.goaver.test/checks/{id}" }
server: { host: 127.0.0.1 }
teams:
  appId: ""
  serviceUrl: ${connector.url}/
slack:
  botToken: xoxb-test-token-0000
  apiUrl: ${slack.apiUrl}
  verifyToken: false
receivers:
  - name: compliance-teams
    teams: { channelId: "${CHANNEL}", actions: [acknowledge, assign] }
  - name: general-teams
    teams: { channelId: "${ELSEWHERE}", actions: true }
  - name: kyc-slack
    slack: { channel: C0KYC000001, actions: true }
route:
  receiver: general-teams
  routes:
    - { receiver: compliance-teams, matchers: ['type = "LiveCheck"'], continue: true }
    - { receiver: kyc-slack, matchers: ['type = "LiveCheck"'] }
`);
  });
  afterEach(async () => {
    await t.stop();
    await connector.close();
    await slack.close();
  });

  /** An activity as Teams posts it (dev mode: no token) in a thread of `channel`. */
  function activity(channel: string, over: Record<string, unknown>) {
    return {
      channelId: 'msteams', serviceUrl: `${connector.url}/`, id: 'f:8801', timestamp: new Date().toISOString(), locale: 'en-GB',
      from: ADA, recipient: { id: '28:bot', name: 'Aver' },
      conversation: { id: `${channel};messageid=1001`, conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: { channel: { id: channel }, team: { id: '19:team0@thread.tacv2' }, tenant: { id: TENANT }, source: { name: 'message' } },
      ...over,
    };
  }

  /** A click on one of the card's Action.Execute buttons, as the `adaptiveCard/action` invoke Teams sends. */
  async function invoke(channel: string, verb: string, check: string, from = ADA) {
    const body = activity(channel, {
      type: 'invoke', name: 'adaptiveCard/action', from, replyToId: '1001',
      value: { action: { type: 'Action.Execute', id: verb, verb, data: { check } }, trigger: 'manual' },
    });
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { statusCode: number; type: string; value: unknown } };
  }

  /** Asks by @mention in the thread of `channel`; resolves with the bot's reply text. */
  async function ask(channel: string, text: string, id: string, mentions: Array<{ id: string; name: string; aadObjectId?: string }> = []): Promise<string> {
    const conversation = `${channel};messageid=1001`;
    const body = activity(channel, {
      type: 'message', id, text: `<at>Aver</at> ${text}${mentions.map((m) => ` <at>${m.name}</at>`).join('')}`, from: LEE,
      entities: [{ type: 'mention', text: '<at>Aver</at>', mentioned: { id: '28:bot', name: 'Aver' } },
        ...mentions.map((m) => ({ type: 'mention', text: `<at>${m.name}</at>`, mentioned: m }))],
    });
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).to.equal(200);
    const reply = await waitFor(() => connector.requests.find((r) => r.method === 'POST' && r.path === `/v3/conversations/${encodeURIComponent(conversation)}/activities/${id}`), `the reply to "${text}"`);
    return String(reply.body.text);
  }

  const puts = () => connector.requests.filter((r) => r.method === 'PUT');

  it('an Acknowledge invoke answers 200 with the card showing who acknowledged, and the card is updated for everyone (and the Slack message)', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-9', groupId: 'g', status: 'Rejected' } }, AUTH)).status).to.equal(202);
    const created = await waitFor(() => connector.on('/v3/conversations')[0], 'the card posted');
    const posted = created.body.activity.attachments[0].content as Card;
    expect(posted.actions?.map((a) => [a.type, a.title])).to.deep.equal([
      ['Action.Execute', 'Acknowledge'], ['Action.Execute', 'Assign to me'], ['Action.OpenUrl', 'Open in Aver'],
    ]);
    expect(posted.actions?.[0]).to.deep.include({ verb: 'aver.acknowledge', data: { check: 'LiveCheck:chk-9' } });
    expect(cardProblems(posted)).to.deep.equal([]);
    await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'the Slack message');

    const refused = await invoke(ELSEWHERE, 'aver.acknowledge', 'LiveCheck:chk-9');
    expect(refused).to.deep.equal({ status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Nothing about chk-9 was routed to this channel.' } });
    expect(await t.bridge.store.getCheckState('LiveCheck:chk-9')).to.equal(null);

    const answer = await invoke(CHANNEL, 'aver.acknowledge', 'LiveCheck:chk-9');
    expect(answer.status).to.equal(200);
    expect(answer.body.statusCode).to.equal(200);
    expect(answer.body.type).to.equal('application/vnd.microsoft.card.adaptive');
    const card = answer.body.value as Card;
    expect(JSON.stringify(card.body)).to.match(/Acknowledged by \*\*Ada Lovelace\*\* · \{\{TIME\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\)\}\}/);
    expect(card.actions?.map((a) => a.title)).to.deep.equal(['Assign to me', 'Open in Aver']);
    expect(cardProblems(card)).to.deep.equal([]);
    expect((await t.bridge.store.getCheckState('LiveCheck:chk-9'))?.acknowledged?.by).to.deep.equal({ platform: 'teams', id: ADA.aadObjectId, name: 'Ada Lovelace' });

    const put = await waitFor(() => puts()[0], 'the card updated (updateActivity)');
    expect(put.path).to.equal(`/v3/conversations/${encodeURIComponent(`${CHANNEL};messageid=1001`)}/activities/1001`);
    expect(JSON.stringify(put.body.attachments[0].content.body)).to.include('Acknowledged by **Ada Lovelace**');
    const update = await waitFor(() => slack.calls.find((c) => c.method === 'chat.update'), 'the Slack message updated');
    expect(JSON.stringify(update.body.attachments)).to.include('Acknowledged by Ada Lovelace · <!date^');
    expect(connector.requests.filter((r) => r.method === 'POST' && r.path.includes('/activities')), 'no thread reply for a state change').to.deep.equal([]);

    const again = await invoke(CHANNEL, 'aver.acknowledge', 'LiveCheck:chk-9', LEE);
    expect(again.body.type, 'already acknowledged: the card as it is').to.equal('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify((again.body.value as Card).body)).to.include('Acknowledged by **Ada Lovelace**');
  });

  it('@Aver assign with an @mention, then status, show who is on the check; unassign clears it', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-9', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
    await waitFor(() => connector.on('/v3/conversations')[0], 'the card posted');
    expect(await ask(CHANNEL, 'ack chk-9', '71')).to.equal('Acknowledged chk-9: its messages show it shortly.');
    expect(await ask(CHANNEL, 'assign chk-9', '72', [ADA])).to.equal('Assigned chk-9 to Ada Lovelace: its messages show it shortly.');
    expect(await ask(ELSEWHERE, 'assign chk-9', '73')).to.equal('Nothing about chk-9 was routed to this channel.');
    const status = await ask(CHANNEL, 'status chk-9', '74');
    expect(status).to.include('Acknowledged by **Lee Park**').and.include('Assigned to **Ada Lovelace** (by Lee Park');
    const state = await t.bridge.store.getCheckState('LiveCheck:chk-9');
    expect(state?.assigned?.to).to.deep.equal({ platform: 'teams', id: ADA.aadObjectId, name: 'Ada Lovelace' });
    await waitFor(() => puts().find((p) => JSON.stringify(p.body).includes('Assigned to **Ada Lovelace**')), 'the card showing the assignment');

    const unassigned = await invoke(CHANNEL, 'aver.unassign', 'LiveCheck:chk-9');
    expect((unassigned.body.value as Card).actions?.map((a) => a.title)).to.deep.equal(['Assign to me', 'Open in Aver']);
    expect(JSON.stringify((unassigned.body.value as Card).body)).not.to.include('Assigned to');
  });
});
