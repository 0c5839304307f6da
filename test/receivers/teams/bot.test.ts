import { expect } from 'chai';
import Koa from 'koa';
import nock from 'nock';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCommands } from '../../../src/model/chat-commands.js';
import type { TeamsConfig } from '../../../src/model/config.js';
import { renderErrors } from '../../../src/http/render-error.js';
import { createTeamsBot, teamsAuthDisabled, type TeamsBot } from '../../../src/receivers/teams/bot.js';
import { createTeamsReceiver } from '../../../src/receivers/teams/deliver.js';
import { teamsReceiversForChannel } from '../../../src/receivers/teams/resolve-channel.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { Store } from '../../../src/store/store.js';
import { fakeClock } from '../../helpers/clock.js';
import { testConfig } from '../../helpers/config.js';
import { ctx, event, job } from '../../helpers/fixtures.js';
import { silentLogger as logger } from '../../helpers/logger.js';

const clock = fakeClock();
const SERVICE = 'http://teams-emea.test';
const TEAM = '19:general0@thread.tacv2';
const ALERTS = '19:alerts0@thread.tacv2';
const BOT = '28:bot-id';
const enc = encodeURIComponent;
const teamsNoAuth: TeamsConfig = { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '', serviceUrl: 'http://teams.test/', auth: {}, allowedTenants: [], allowInsecureDevMode: false };

/** A small ChatCommands, recording what it was asked; the real one is the lead's. */
function fakeCommands() {
  const asked: string[] = [];
  const commands: ChatCommands = {
    routes: (names) => {
      asked.push(`routes ${names.join(',')}`);
      return names.map((receiver) => ({ receiver, matchers: ['status="Rejected"'], isDefault: false }));
    },
    status: async (id) => {
      asked.push(`status ${id}`);
      return id === 'chk-1'
        ? { type: 'LiveCheck', id, groupId: 'g', group: 'G [x](https://evil)', status: 'Rejected', history: [{ status: 'Rejected', at: 0 }], details: null, deliveries: [] }
        : null;
    },
    test: async (names) => {
      asked.push(`test ${names.join(',')}`);
      return { eventId: 'ev-test', entityId: 'test-1' };
    },
    act: async (request) => {
      asked.push(`${request.kind} ${request.id}`);
      return { outcome: 'notHere' };
    },
  };
  return { commands, asked };
}

function teamActivity(over: Record<string, unknown> = {}) {
  return {
    channelId: 'msteams',
    serviceUrl: `${SERVICE}/`,
    id: 'f:1',
    timestamp: '2024-05-17T09:30:00.000Z',
    from: { id: '29:user', name: 'Ada', aadObjectId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    recipient: { id: BOT, name: 'Aver' },
    conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { team: { id: TEAM, name: 'Compliance', aadGroupId: 'aad-team' }, channel: { id: TEAM }, tenant: { id: 'tenant-1' } },
    ...over,
  };
}

describe('createTeamsBot', () => {
  let store: Store;
  let server: Server | undefined;

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    store = await openSqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    if (server) await new Promise((done) => server!.close(done));
    server = undefined;
    await store.close();
  });

  async function start(teams: TeamsConfig | undefined, commands = fakeCommands().commands, receivers: string[] = []): Promise<{ url: string; bot: TeamsBot }> {
    const bot = createTeamsBot({ teams, store, commands, receiversForConversation: () => receivers, logger, clock });
    const app = new Koa();
    app.use(renderErrors(logger));
    app.use(bot.middleware);
    app.use((ctx) => { ctx.status = 404; ctx.body = { code: 'not_found' }; });
    server = app.listen(0, '127.0.0.1');
    await new Promise((ready) => server!.once('listening', ready));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bot };
  }

  function post(url: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }

  it('says when authentication is off', () => {
    expect(teamsAuthDisabled(undefined)).to.equal(true);
    expect(teamsAuthDisabled(teamsNoAuth)).to.equal(true);
    expect(teamsAuthDisabled({ ...teamsNoAuth, appId: 'a-b' })).to.equal(false);
  });

  describe('with an app id', () => {
    const teams: TeamsConfig = { ...teamsNoAuth, appId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', appPassword: 'not-used-here' };

    for (const [what, headers] of [['no Authorization header', {}], ['a malformed bearer token', { authorization: 'Bearer not.a.jwt' }]] as const) {
      it(`answers 401 to an activity with ${what}, and records nothing`, async () => {
        const { url } = await start(teams);
        const res = await post(url, { ...teamActivity(), type: 'installationUpdate', action: 'add' }, headers);
        expect(res.status).to.equal(401);
        expect(await store.listInstallations()).to.deep.equal([]);
      });
    }
  });

  it('leaves other paths to the next middleware, refuses other methods, bad JSON and huge bodies', async () => {
    const { url } = await start(undefined);
    expect((await fetch(`${url}/elsewhere`)).status).to.equal(404);
    expect((await fetch(`${url}/api/messages`)).status).to.equal(405);
    expect((await post(url, '{nope')).status).to.equal(400);
    expect((await post(url, 'x'.repeat(2 * 1024 * 1024))).status).to.equal(413);
  });

  it('refuses through the one renderer, each with its code: 405, 400 (not JSON, not an object), 413 (declared or chunked)', async () => {
    const { url } = await start(undefined);
    const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    expect(await code(await fetch(`${url}/api/messages`))).to.deep.equal([405, 'method_not_allowed']);
    expect(await code(await post(url, '{nope'))).to.deep.equal([400, 'invalid_json']);
    expect(await code(await post(url, '[1]'))).to.deep.equal([400, 'teams_bad_activity']);
    expect(await code(await post(url, 'x'.repeat(2 * 1024 * 1024)))).to.deep.equal([413, 'payload_too_large']);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(120));
        controller.close();
      },
    });
    const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit);
    expect(await code(res)).to.deep.equal([413, 'payload_too_large']);
  });

  it('installationUpdate (auth off) records every channel of the team; a team+channel receiver then posts there', async () => {
    const { url } = await start(undefined);
    const connector = nock(SERVICE)
      .get(`/v3/teams/${enc(TEAM)}/conversations`)
      .reply(200, { conversations: [{ id: TEAM }, { id: ALERTS, name: 'Alerts' }] });
    const res = await post(url, { ...teamActivity(), type: 'installationUpdate', action: 'add' });
    expect(res.status).to.equal(200);
    connector.done();
    const installed = await store.listInstallations();
    expect(installed.map((i) => [i.teamName, i.channelName, i.channelId, i.serviceUrl, i.tenantId, i.removed])).to.have.deep.members([
      ['Compliance', 'General', TEAM, `${SERVICE}/`, 'tenant-1', false],
      ['Compliance', 'Alerts', ALERTS, `${SERVICE}/`, 'tenant-1', false],
    ]);
    expect((installed.find((i) => i.channelId === ALERTS)!.reference as { conversation: { id: string } }).conversation.id).to.equal(ALERTS);

    const receivers = [{ name: 'alerts', kind: 'teams' as const, teams: { team: 'Compliance', channel: 'Alerts', updates: 'thread' as const, mention: {} } }];
    expect(teamsReceiversForChannel(receivers, installed, `${ALERTS};messageid=9`, [])).to.deep.equal(['alerts']);

    const config = testConfig({ aver: { groups: {}, links: {} } });
    const receiver = createTeamsReceiver(receivers[0], { adapter: createTeamsBot({ teams: teamsNoAuth, store, commands: fakeCommands().commands, receiversForConversation: () => [], logger, clock }).adapter, teams: teamsNoAuth, store, config, logger });
    const post1 = nock(SERVICE)
      .post('/v3/conversations', (body) => body.channelData.channel.id === ALERTS && body.channelData.tenant.id === 'tenant-1')
      .reply(201, { id: `${ALERTS};messageid=77`, activityId: '77' });
    const delivery = job(event('Completed', { eventId: 'e1', groupId: 'g', receivedAt: 0 }), { receiver: 'alerts', destinationKey: 'x', labels: {} });
    const result = await receiver.deliver(delivery, ctx());
    post1.done();
    expect(result).to.deep.include({ ok: true });

    // Removed: the installations are marked gone and the receiver stops resolving.
    const removed = await post(url, { ...teamActivity(), type: 'installationUpdate', action: 'remove' });
    expect(removed.status).to.equal(200);
    expect((await store.listInstallations()).every((i) => i.removed)).to.equal(true);
    const after = await receiver.deliver(delivery, ctx());
    expect(after).to.deep.include({ ok: false, retryable: false, code: 'channelNotFound' });
  });

  it('falls back to the General channel when the channel list cannot be read', async () => {
    const { url } = await start(undefined);
    const connector = nock(SERVICE).get(`/v3/teams/${enc(TEAM)}/conversations`).reply(403, { error: { code: 'Forbidden', message: 'no' } });
    const res = await post(url, { ...teamActivity(), type: 'conversationUpdate', membersAdded: [{ id: BOT }], channelData: { ...teamActivity().channelData, eventType: 'teamMemberAdded' } });
    expect(res.status).to.equal(200);
    connector.done();
    expect((await store.listInstallations()).map((i) => [i.channelId, i.channelName])).to.deep.equal([[TEAM, 'General']]);
  });

  it('follows channel and team changes', async () => {
    const { url } = await start(undefined);
    await store.putInstallation({ teamId: TEAM, teamName: 'Compliance', channelId: TEAM, channelName: 'General', serviceUrl: `${SERVICE}/`, tenantId: 'tenant-1', reference: {}, removed: false, updatedAt: 1 });
    const update = (eventType: string, channelData: Record<string, unknown>) =>
      post(url, { ...teamActivity(), type: 'conversationUpdate', channelData: { ...channelData, eventType, tenant: { id: 'tenant-1' } } });
    expect((await update('channelCreated', { team: { id: TEAM }, channel: { id: ALERTS, name: 'Alerts' } })).status).to.equal(200);
    expect((await update('teamRenamed', { team: { id: TEAM, name: 'Compliance EU' } })).status).to.equal(200);
    let all = await store.listInstallations();
    expect(all.map((i) => [i.teamName, i.channelName, i.removed])).to.have.deep.members([['Compliance EU', 'General', false], ['Compliance EU', 'Alerts', false]]);
    expect((await update('channelDeleted', { team: { id: TEAM }, channel: { id: ALERTS, name: 'Alerts' } })).status).to.equal(200);
    all = await store.listInstallations();
    expect(all.find((i) => i.channelId === ALERTS)?.removed).to.equal(true);
    expect(all.find((i) => i.channelId === TEAM)?.removed).to.equal(false);
    expect((await update('teamDeleted', { team: { id: TEAM } })).status).to.equal(200);
    expect((await store.listInstallations()).every((i) => i.removed)).to.equal(true);
  });

  describe('commands by @mention', () => {
    function message(text: string) {
      return {
        ...teamActivity({ conversation: { id: `${ALERTS};messageid=55`, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' } }),
        type: 'message',
        id: '55',
        text: `<at>Aver</at> ${text}`,
        entities: [{ type: 'mention', text: '<at>Aver</at>', mentioned: { id: BOT, name: 'Aver' } }],
        channelData: { team: { id: TEAM }, channel: { id: ALERTS }, tenant: { id: 'tenant-1' } },
      };
    }

    async function ask(text: string, receivers: string[] = ['alerts']) {
      const fake = fakeCommands();
      const { url } = await start(undefined, fake.commands, receivers);
      let reply: { text?: string; textFormat?: string; replyToId?: string } = {};
      const scope = nock(SERVICE)
        .post(`/v3/conversations/${enc(`${ALERTS};messageid=55`)}/activities/55`, (body) => {
          reply = body;
          return true;
        })
        .reply(200, { id: 'r1' });
      const res = await post(url, message(text));
      expect(res.status).to.equal(200);
      scope.done();
      return { reply, asked: fake.asked };
    }

    it('help lists the commands and the channel id', async () => {
      const { reply } = await ask('help');
      expect(reply.textFormat).to.equal('markdown');
      for (const c of ['help', 'routes', 'status', 'test']) expect(reply.text).to.include(`**${c}`);
      expect(reply.text).to.include(ALERTS);
    });

    it('routes asks for this channel\'s receivers', async () => {
      const { reply, asked } = await ask('routes');
      expect(asked).to.deep.equal(['routes alerts']);
      expect(reply.text).to.include('**alerts**: status="Rejected"');
    });

    it('status <id> answers with escaped Aver strings', async () => {
      const { reply, asked } = await ask('status chk-1');
      expect(asked).to.deep.equal(['status chk-1']);
      expect(reply.text).to.include('Rejected');
      // Markdown escaped, and the bare URL made inert (look-alike slashes) so Teams does not link it.
      expect(reply.text).to.include('G \\[x\\](https:∕∕evil)');
    });

    it('test sends a sample event to this channel\'s receivers', async () => {
      const { reply, asked } = await ask('test');
      expect(asked).to.deep.equal(['test alerts']);
      expect(reply.text).to.include('test-1');
    });

    it('says when no receiver posts to the channel', async () => {
      const { reply, asked } = await ask('test', []);
      expect(asked).to.deep.equal([]);
      expect(reply.text).to.include('No receiver of this bridge posts to this channel');
    });
  });
});
