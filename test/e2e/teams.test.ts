import { expect } from 'chai';
import * as AC from 'adaptivecards';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';

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
server: { host: 127.0.0.1 }
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

const OURS = '0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10';
const THEIRS = '7d3c9f28-1a4b-4e2d-8c6f-5b9a0e1d2c34';
const AUTH = { authorization: 's3cret-value' };

/** A fake Bot Connector for one tenant's team "Compliance" (General and Alerts); new threads get message id 1001. */
function tenantConnector(team: string, alerts: string) {
  return startFakeHttp((req) => {
    if (req.method === 'GET' && req.path === `/v3/teams/${encodeURIComponent(team)}/conversations`) {
      return { body: { conversations: [{ id: team }, { id: alerts, name: 'Alerts' }] } };
    }
    if (req.method === 'POST' && req.path === '/v3/conversations') return { status: 201, body: { id: `${req.body.channelData.channel.id};messageid=1001`, activityId: '1001' } };
    if (req.method === 'POST') return { status: 201, body: { id: 'reply-1' } };
    return { status: 404 };
  });
}

/** An activity as Teams posts it (dev mode: no token) for `tenant`'s team. */
function teamActivity(serviceUrl: string, tenant: string, team: string, over: Record<string, unknown>) {
  return {
    channelId: 'msteams', serviceUrl: `${serviceUrl}/`, id: '55', from: { id: '29:user', name: 'Ada' }, recipient: { id: '28:bot', name: 'Aver' },
    conversation: { id: team, conversationType: 'channel', isGroup: true, tenantId: tenant },
    channelData: { team: { id: team, name: 'Compliance' }, channel: { id: team }, tenant: { id: tenant } },
    ...over,
  };
}

async function postActivity(t: TestBridge, activity: unknown): Promise<void> {
  const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  expect(res.status).to.equal(200);
}

describe('Teams end to end: two tenants, each with a team "Compliance" and a channel "Alerts"', () => {
  const TEAM_A = '19:teamA@thread.tacv2';
  const ALERTS_A = '19:alertsA@thread.tacv2';
  const TEAM_B = '19:teamB@thread.tacv2';
  const ALERTS_B = '19:alertsB@thread.tacv2';
  let ours: FakeHttp;
  let theirs: FakeHttp;
  let t: TestBridge | undefined;

  beforeEach(async () => {
    ours = await tenantConnector(TEAM_A, ALERTS_A);
    theirs = await tenantConnector(TEAM_B, ALERTS_B);
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
    await ours.close();
    await theirs.close();
  });

  async function start(allowedTenants: string): Promise<TestBridge> {
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
server: { host: 127.0.0.1 }
teams:
  appId: ""
  serviceUrl: ${ours.url}/
${allowedTenants}
receivers:
  - name: compliance-teams
    teams: { team: Compliance, channel: Alerts }
route:
  receiver: compliance-teams
`);
    // Both tenants add the bot to their team; then our team is renamed, and theirs still has the name.
    await postActivity(t, teamActivity(ours.url, OURS, TEAM_A, { type: 'installationUpdate', action: 'add' }));
    await postActivity(t, teamActivity(theirs.url, THEIRS, TEAM_B, { type: 'installationUpdate', action: 'add' }));
    return t;
  }

  const renameOurs = (bridge: TestBridge) => postActivity(bridge, teamActivity(ours.url, OURS, TEAM_A, {
    type: 'conversationUpdate', channelData: { eventType: 'teamRenamed', team: { id: TEAM_A, name: 'Compliance (old)' }, tenant: { id: OURS } },
  }));

  async function deadLetter(bridge: TestBridge, id: string) {
    return waitFor(async () => (await bridge.bridge.store.listJobs({ state: 'dead', limit: 20 })).find((j) => j.entityKey === `LiveCheck:${id}`), `dead letter of ${id}`);
  }

  it('with teams.allowedTenants: delivers to our channel only, and after a rename never to theirs', async () => {
    const bridge = await start(`  allowedTenants: ["${OURS}"]`);
    expect(theirs.requests, 'their connector is never called').to.deep.equal([]);
    const tenants = (await bridge.bridge.store.listInstallations()).map((i) => i.tenantId);
    expect(tenants, 'ours is recorded').to.include(OURS);
    expect(tenants, 'their installation is not even recorded').to.not.include(THEIRS);
    expect((await postWebhook(`${bridge.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
    const created = await waitFor(() => ours.on('/v3/conversations')[0], 'the thread in our Alerts channel');
    expect(created.body.channelData.channel.id).to.equal(ALERTS_A);
    expect(created.body.channelData.tenant.id).to.equal(OURS);

    await renameOurs(bridge);
    expect((await postWebhook(`${bridge.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-2', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
    expect((await deadLetter(bridge, 'chk-2')).lastReason).to.include('has not been added to team "Compliance" in an allowed tenant');
    expect(theirs.requests).to.deep.equal([]);
    expect(ours.on('/v3/conversations')).to.have.length(1);
  });

  it('without a list: refuses the name (a dead letter saying why), before and after a rename, and never posts to theirs', async () => {
    const bridge = await start('');
    expect((await postWebhook(`${bridge.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
    expect((await deadLetter(bridge, 'chk-1')).lastReason).to.include('the bot has been added in 2 tenants: list yours in teams.allowedTenants');
    await renameOurs(bridge);
    expect((await postWebhook(`${bridge.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-2', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
    expect((await deadLetter(bridge, 'chk-2')).lastReason).to.include('added in 2 tenants');
    expect(theirs.on('/v3/conversations')).to.deep.equal([]);
    expect(ours.on('/v3/conversations')).to.deep.equal([]);
  });
});

describe('Teams end to end: @Aver status answers only where the check was routed', () => {
  const TEAM_A = '19:teamA@thread.tacv2';
  const ALERTS_A = '19:alertsA@thread.tacv2';
  let ours: FakeHttp;
  let t: TestBridge;

  beforeEach(async () => {
    ours = await tenantConnector(TEAM_A, ALERTS_A);
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
server: { host: 127.0.0.1 }
teams:
  appId: ""
  serviceUrl: ${ours.url}/
  allowedTenants: ["${OURS}"]
receivers:
  - name: alerts-teams
    teams: { channelId: "${ALERTS_A}" }
  - name: general-teams
    teams: { channelId: "${TEAM_A}" }
route:
  receiver: alerts-teams
  routes:
    - matchers: ['status = "Rejected"']
      receiver: general-teams
`);
    await postActivity(t, teamActivity(ours.url, OURS, TEAM_A, { type: 'installationUpdate', action: 'add' }));
  });
  afterEach(async () => {
    await t.stop();
    await ours.close();
  });

  /** Asks `text` by @mention in a thread of `channel`; resolves with the bot's reply text. */
  async function ask(channel: string, text: string, id: string): Promise<string> {
    const conversation = `${channel};messageid=${id}`;
    await postActivity(t, teamActivity(ours.url, OURS, TEAM_A, {
      type: 'message', id, text: `<at>Aver</at> ${text}`,
      conversation: { id: conversation, conversationType: 'channel', isGroup: true, tenantId: OURS },
      entities: [{ type: 'mention', text: '<at>Aver</at>', mentioned: { id: '28:bot', name: 'Aver' } }],
      channelData: { team: { id: TEAM_A }, channel: { id: channel }, tenant: { id: OURS } },
    }));
    const reply = await waitFor(() => ours.requests.find((r) => r.path === `/v3/conversations/${encodeURIComponent(conversation)}/activities/${id}`), `the reply to "${text}"`);
    return String(reply.body.text);
  }

  it('shows the check in the channel it was routed to; elsewhere the same answer as an unknown id', async () => {
    expect((await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-9', groupId: 'g', status: 'InReview' } }, AUTH)).status).to.equal(202);
    await waitFor(() => ours.on('/v3/conversations')[0], 'the delivery to Alerts');
    const here = await ask(ALERTS_A, 'status chk-9', '61');
    expect(here).to.include('chk-9').and.include('alerts-teams');
    expect(here).not.to.include('general-teams');
    // General has a receiver too, but this check was never routed to it.
    expect(await ask(TEAM_A, 'status chk-9', '62')).to.equal('Nothing about chk-9 was routed to this channel.');
    expect(await ask(ALERTS_A, 'status chk-0', '63')).to.equal('Nothing about chk-0 was routed to this channel.');
  });
});
