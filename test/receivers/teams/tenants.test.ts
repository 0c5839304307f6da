import { expect } from 'chai';
import Koa from 'koa';
import nock from 'nock';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/clock.js';
import type { ChatCommands } from '../../../src/model/chat-commands.js';
import type { TeamsConfig } from '../../../src/model/config.js';
import { renderErrors } from '../../../src/http/render-error.js';
import { createTeamsBot } from '../../../src/receivers/teams/bot.js';
import { resolveTeamsChannel, type TeamsChannelSpec } from '../../../src/receivers/teams/resolve-channel.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { Store, TeamsInstallation } from '../../../src/store/store.js';
import { memoryLogger } from '../../helpers/logger.js';

const OURS = '0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10';
const THEIRS = '7d3c9f28-1a4b-4e2d-8c6f-5b9a0e1d2c34';
const SERVICE = 'http://teams-emea.test';
const enc = encodeURIComponent;

function inst(tenantId: string, team: string, teamName: string, channelId: string, channelName: string, over: Partial<TeamsInstallation> = {}): TeamsInstallation {
  return { teamId: team, teamName, channelId, channelName, serviceUrl: `${SERVICE}/${tenantId}/`, tenantId, reference: {}, removed: false, updatedAt: 1, ...over };
}

/** Two tenants, each with a team named "Compliance" that has an "Alerts" channel. */
const ourAlerts = inst(OURS, '19:teamA@thread.tacv2', 'Compliance', '19:alertsA@thread.tacv2', 'Alerts');
const ourGeneral = inst(OURS, '19:teamA@thread.tacv2', 'Compliance', '19:teamA@thread.tacv2', 'General');
const theirAlerts = inst(THEIRS, '19:teamB@thread.tacv2', 'Compliance', '19:alertsB@thread.tacv2', 'Alerts', { updatedAt: 2 });
const renamed = (i: TeamsInstallation) => ({ ...i, teamName: 'Compliance (old)', updatedAt: 3 });
const byName: TeamsChannelSpec = { team: 'Compliance', channel: 'Alerts' };

describe('resolveTeamsChannel across tenants', () => {
  const table: Array<[string, TeamsInstallation[], string[], TeamsChannelSpec, string | RegExp]> = [
    ['one allowed tenant: its channel, never the other tenant\'s of the same name', [ourGeneral, ourAlerts, theirAlerts], [OURS], byName, ourAlerts.channelId],
    ['one allowed tenant, its team renamed: unknown, not the other tenant\'s', [renamed(ourGeneral), renamed(ourAlerts), theirAlerts], [OURS], byName, /has not been added to team "Compliance" in an allowed tenant/],
    ['no list, one tenant known: resolves', [ourGeneral, ourAlerts], [], byName, ourAlerts.channelId],
    ['no list, two tenants with the name: refused', [ourGeneral, ourAlerts, theirAlerts], [], byName, /added in 2 tenants: list yours in teams\.allowedTenants/],
    ['no list, ours renamed: refused, not the other tenant\'s', [renamed(ourGeneral), renamed(ourAlerts), theirAlerts], [], byName, /added in 2 tenants/],
    ['no list, ours removed: refused, not the other tenant\'s', [{ ...ourAlerts, removed: true }, theirAlerts], [], byName, /added in 2 tenants/],
    ['two allowed tenants with the name: refused as ambiguous', [ourAlerts, theirAlerts], [OURS, THEIRS], byName, /matches 2 channels/],
    ['a channel id in a tenant not allowed: no installation of it is used', [ourAlerts, theirAlerts], [OURS], { channelId: theirAlerts.channelId }, theirAlerts.channelId],
  ];
  for (const [what, installations, allowed, spec, expected] of table) {
    it(what, () => {
      const r = resolveTeamsChannel(spec, installations, allowed);
      if (typeof expected === 'string') {
        expect(r).to.deep.include({ ok: true, channelId: expected });
        if (r.ok && r.installation) expect(r.installation.tenantId).to.equal(OURS);
      } else {
        expect(r.ok).to.equal(false);
        expect(!r.ok && r.reason).to.match(expected);
      }
    });
  }
});

describe('the Teams bot with teams.allowedTenants', () => {
  let store: Store;
  let server: Server;
  let url: string;
  let logs: ReturnType<typeof memoryLogger>;
  const asked: string[] = [];
  const commands: ChatCommands = {
    routes: (names) => { asked.push('routes'); return names.map((receiver) => ({ receiver, matchers: [], isDefault: true })); },
    status: async (id) => { asked.push(`status ${id}`); return null; },
    test: async () => { asked.push('test'); return { eventId: 'e', entityId: 'x' }; },
    act: async (request) => { asked.push(request.kind); return { outcome: 'notHere' }; },
  };
  const teams: TeamsConfig = { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '', serviceUrl: `${SERVICE}/`, auth: {}, allowedTenants: [OURS], allowInsecureDevMode: false };

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    asked.length = 0;
    store = await openSqliteStore(':memory:');
    await store.migrate();
    logs = memoryLogger('info');
    const bot = createTeamsBot({ teams, store, commands, receiversForConversation: () => ['alerts'], logger: logs.logger, clock: systemClock });
    const app = new Koa();
    app.use(renderErrors(logs.logger));
    app.use(bot.middleware);
    server = app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await new Promise((done) => server.close(done));
    await store.close();
  });

  function activity(tenantId: string, over: Record<string, unknown>) {
    return {
      channelId: 'msteams', serviceUrl: `${SERVICE}/`, id: '55', from: { id: '29:user' }, recipient: { id: '28:bot', name: 'Aver' },
      conversation: { id: '19:teamX@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId },
      channelData: { team: { id: '19:teamX@thread.tacv2', name: 'Compliance' }, channel: { id: '19:teamX@thread.tacv2' }, tenant: { id: tenantId } },
      ...over,
    };
  }
  const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('records an installation from an allowed tenant (any case of its id)', async () => {
    const channels = nock(SERVICE).get(`/v3/teams/${enc('19:teamX@thread.tacv2')}/conversations`).reply(200, { conversations: [{ id: '19:teamX@thread.tacv2' }] });
    expect((await post(activity(OURS.toUpperCase(), { type: 'installationUpdate', action: 'add' }))).status).to.equal(200);
    channels.done();
    expect((await store.listInstallations()).map((i) => i.teamName)).to.deep.equal(['Compliance']);
  });

  it('ignores an installation from another tenant: nothing recorded, the connector not called, one warn line', async () => {
    const channels = nock(SERVICE).get(() => true).reply(200, { conversations: [] });
    expect((await post(activity(THEIRS, { type: 'installationUpdate', action: 'add' }))).status).to.equal(200);
    expect(channels.isDone()).to.equal(false);
    expect(await store.listInstallations()).to.deep.equal([]);
    expect(logs.records().map((l) => [l.level, l.msg, l.tenantId])).to.deep.equal([[40, 'ignored a Teams activity from a tenant not in teams.allowedTenants', THEIRS]]);
  });

  it('answers no command from another tenant', async () => {
    const reply = nock(SERVICE).post(() => true).reply(200, { id: 'r1' });
    const mention = activity(THEIRS, {
      type: 'message', text: '<at>Aver</at> status chk-1',
      entities: [{ type: 'mention', text: '<at>Aver</at>', mentioned: { id: '28:bot', name: 'Aver' } }],
    });
    expect((await post(mention)).status).to.equal(200);
    expect(reply.isDone()).to.equal(false);
    expect(asked).to.deep.equal([]);
  });

  it('ignores an activity that names no tenant', async () => {
    const noTenant = activity('', { type: 'conversationUpdate', channelData: { eventType: 'teamRenamed', team: { id: '19:teamX@thread.tacv2', name: 'X' } } });
    delete (noTenant.conversation as { tenantId?: string }).tenantId;
    expect((await post(noTenant)).status).to.equal(200);
    expect(logs.records().map((l) => l.msg)).to.deep.equal(['ignored a Teams activity from a tenant not in teams.allowedTenants']);
  });
});
