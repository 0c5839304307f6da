import { expect } from 'chai';
import * as AC from 'adaptivecards';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp } from '../helpers/fake-http.js';

const CHANNEL = '19:abc123@thread.tacv2';

/** Parses a card with Microsoft's own parser and returns its warnings and errors. */
function parseCard(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  return problems;
}

describe('Teams end to end: webhook → bridge → fake Bot Connector and Workflows', () => {
  let connector: Awaited<ReturnType<typeof startFakeHttp>>;
  let workflow: Awaited<ReturnType<typeof startFakeHttp>>;
  let t: TestBridge;
  beforeEach(async () => {
    connector = await startFakeHttp((req) => {
      if (req.method === 'POST' && req.path === '/v3/conversations') return { status: 201, body: { id: `${CHANNEL};messageid=1001`, activityId: '1001' } };
      if (req.method === 'PUT') return { status: 200, body: { id: '1001' } };
      if (req.method === 'POST') return { status: 201, body: { id: '2002' } };
      return { status: 404 };
    });
    workflow = await startFakeHttp(() => ({ status: 202 }));
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { check: "https://app.goaver.test/checks/{id}" }
teams:
  appId: ""
  serviceUrl: ${connector.url}/
receivers:
  - name: compliance-teams
    teams: { channelId: "${CHANNEL}", updates: thread }
  - name: ops-workflow
    teamsWorkflow: { url: "${workflow.url}/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG" }
route:
  receiver: compliance-teams
  routes:
    - receiver: compliance-teams
      continue: true
    - receiver: ops-workflow
`);
  });
  afterEach(async () => {
    await t.stop();
    await connector.close();
    await workflow.close();
  });

  it('posts an Adaptive Card in a new thread, then updates it and replies in the thread', async () => {
    const hook = `${t.url}/webhooks/aver`;
    const auth = { authorization: 's3cret-value' };
    expect((await postWebhook(hook, { statusMessage: { type: 'LiveCheck', id: 'chk-9', groupId: 'grp-eu', status: 'InReview' } }, auth)).status).to.equal(202);
    const created = await waitFor(() => connector.requests.find((r) => r.method === 'POST' && r.path === '/v3/conversations'), 'createConversation');
    expect(created.body.channelData.channel.id).to.equal(CHANNEL);
    const attachment = created.body.activity.attachments[0];
    expect(attachment.contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(attachment.content.version).to.equal('1.5');
    expect(parseCard(attachment.content)).to.deep.equal([]);
    expect(JSON.stringify(attachment.content)).to.include('chk-9').and.include('EU onboarding').and.include('https://app.goaver.test/checks/chk-9');

    const wf = await waitFor(() => workflow.requests[0], 'workflow post');
    expect(wf.path).to.include('/workflows/abc');
    expect(wf.body.type).to.equal('message');
    expect(wf.body.attachments[0].contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(parseCard(wf.body.attachments[0].content)).to.deep.equal([]);

    expect((await postWebhook(hook, { statusMessage: { type: 'LiveCheck', id: 'chk-9', groupId: 'grp-eu', status: 'Rejected' } }, auth)).status).to.equal(202);
    const thread = encodeURIComponent(`${CHANNEL};messageid=1001`);
    const put = await waitFor(() => connector.requests.find((r) => r.method === 'PUT'), 'updateActivity');
    expect(put.path).to.equal(`/v3/conversations/${thread}/activities/1001`);
    expect(JSON.stringify(put.body.attachments[0].content)).to.include('Rejected');
    const reply = await waitFor(() => connector.requests.find((r) => r.method === 'POST' && r.path.startsWith(`/v3/conversations/${thread}/activities`)), 'thread reply');
    expect(reply.body.replyToId ?? reply.path).to.include('1001');
    expect(t.logs.text()).to.not.include('SECRETSIG');
  });
});
