import { expect } from 'chai';
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import nock from 'nock';
import { systemClock } from '../../../src/clock.js';
import type { ChatCommands } from '../../../src/model/chat-commands.js';
import type { TeamsConfig } from '../../../src/model/config.js';
import { renderErrors } from '../../../src/http/render-error.js';
import { createTeamsBot } from '../../../src/receivers/teams/bot.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { Store } from '../../../src/store/store.js';
import { startFakeHttp, type FakeHttp } from '../../helpers/fake-http.js';
import { memoryLogger } from '../../helpers/logger.js';

const SERVICE = 'http://teams-emea.test/';
const TEAM = '19:general0@thread.tacv2';
const ISSUER = 'https://api.botframework.com';
const APP_ID = randomUUID();
const KID = 'signing-key-1';
const acted: string[] = [];
const commands: ChatCommands = {
  routes: () => [], status: async () => null, test: async () => ({ eventId: 'e', entityId: 'x' }),
  act: async (request) => { acted.push(`${request.kind} ${request.type}:${request.id} by ${request.actor.id}`); return { outcome: 'notHere' }; },
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT as the Bot Framework signs one (RS256 with the key published under KID), or forged by `over`. */
function jwt(key: KeyObject, over: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: KID, ...over.header };
  const claims = { iss: ISSUER, aud: APP_ID, serviceurl: SERVICE, nbf: now - 60, iat: now - 60, exp: now + 3600, ...over.claims };
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** An activity botbuilder can authenticate and our bot handles without calling the connector. */
function renamed(name: string) {
  return {
    type: 'conversationUpdate',
    channelId: 'msteams',
    serviceUrl: SERVICE,
    id: 'f:1',
    from: { id: '29:user' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { eventType: 'teamRenamed', team: { id: TEAM, name }, tenant: { id: 'tenant-1' } },
  };
}

/** Runs `work` while catching what anything writes to stdout and stderr (botbuilder prints with console.error). */
async function printedDuring<T>(work: () => Promise<T>): Promise<{ result: T; printed: string }> {
  const printed: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = ((chunk: unknown) => { printed.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { result: await work(), printed: printed.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('Teams bot tokens (POST /api/messages with an app id, keys from a fake OpenID endpoint)', () => {
  const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let metadata: FakeHttp;
  let store: Store;
  let server: Server;
  let url: string;
  let logs: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    // A fresh URL per test: botbuilder caches each metadata URL's keys for the life of the process.
    metadata = await startFakeHttp((req) => {
      if (req.path === '/openid') return { body: { issuer: ISSUER, jwks_uri: `${metadata.url}/keys`, id_token_signing_alg_values_supported: ['RS256'] } };
      if (req.path === '/keys') return { body: { keys: [{ kty: 'RSA', use: 'sig', kid: KID, ...signer.publicKey.export({ format: 'jwk' }), endorsements: ['msteams'] }] } };
      return { status: 404 };
    });
    const teams: TeamsConfig = {
      appId: APP_ID, appPassword: 'not-used-here', appType: 'MultiTenant', tenantId: '', serviceUrl: SERVICE, allowedTenants: [], allowInsecureDevMode: false,
      auth: {
        ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
        ToChannelFromBotOAuthScope: ISSUER,
        ToBotFromChannelTokenIssuer: ISSUER,
        OAuthUrl: ISSUER,
        ToBotFromChannelOpenIdMetadataUrl: `${metadata.url}/openid`,
        ToBotFromEmulatorOpenIdMetadataUrl: `${metadata.url}/emulator/openid`,
        CallerId: 'urn:botframework:azure',
        ValidateAuthority: 'true',
      },
    };
    store = await openSqliteStore(':memory:');
    await store.migrate();
    await store.putInstallation({ teamId: TEAM, teamName: 'Compliance', channelId: TEAM, channelName: 'General', serviceUrl: SERVICE, tenantId: 'tenant-1', reference: {}, removed: false, updatedAt: 1 });
    logs = memoryLogger('info');
    const bot = createTeamsBot({ teams, store, commands, receiversForConversation: () => [], logger: logs.logger, clock: systemClock });
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
    await metadata.close();
    await store.close();
  });

  const post = (token: string, body: unknown = renamed('Compliance EU')) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const teamName = async () => (await store.listInstallations())[0].teamName;

  it('takes an activity signed with the published key (the fixture botbuilder accepts)', async () => {
    const { result: res, printed } = await printedDuring(() => post(jwt(signer.privateKey)));
    expect(res.status, await res.clone().text()).to.equal(200);
    expect(await teamName()).to.equal('Compliance EU');
    expect(printed).to.equal('');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const forged: Array<[string, () => string]> = [
    ['a bad signature (another key, the published key id)', () => jwt(stranger.privateKey)],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT', kid: KID })}.${b64({ iss: ISSUER, aud: APP_ID, serviceurl: SERVICE, exp: now() + 3600 })}.`],
    ['HS256 keyed with the public key', () => {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: KID })}.${b64({ iss: ISSUER, aud: APP_ID, serviceurl: SERVICE, exp: now() + 3600 })}`;
      const secret = signer.publicKey.export({ format: 'pem', type: 'spki' });
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    }],
    ['a future nbf', () => jwt(signer.privateKey, { claims: { nbf: now() + 3600 } })],
    ['an expired token', () => jwt(signer.privateKey, { claims: { nbf: now() - 7200, exp: now() - 3600 } })],
    ['a good signature for another bot', () => jwt(signer.privateKey, { claims: { aud: randomUUID() } })],
    ['not a JWT', () => 'not.a.jwt'],
  ];
  /** A click on a card's Acknowledge button (Action.Execute), as Teams posts the invoke. */
  const clicked = () => ({
    ...renamed('x'), type: 'invoke', name: 'adaptiveCard/action', id: 'f:2',
    from: { id: '29:user', name: 'Ada', aadObjectId: '6f1c0b8e-0000-4000-8000-0000000000ad' },
    channelData: { channel: { id: TEAM }, tenant: { id: 'tenant-1' } },
    value: { action: { type: 'Action.Execute', verb: 'aver.acknowledge', data: { check: 'LiveCheck:chk-1' } }, trigger: 'manual' },
  });

  it('takes an Action.Execute invoke only with a valid token: acts as its sender, answers with an invoke response', async () => {
    acted.length = 0;
    const forgedRes = await printedDuring(() => post(jwt(stranger.privateKey), clicked()));
    expect(forgedRes.result.status).to.equal(401);
    expect(acted, 'a forged click changes nothing').to.deep.equal([]);
    const { result: res } = await printedDuring(() => post(jwt(signer.privateKey), clicked()));
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Nothing about chk-1 was routed to this channel.' });
    expect(acted).to.deep.equal(['acknowledge LiveCheck:chk-1 by 6f1c0b8e-0000-4000-8000-0000000000ad']);
  });

  for (const [what, token] of forged) {
    it(`answers ${what} with 401, one warn line and nothing on stdout or stderr`, async () => {
      const { result: res, printed } = await printedDuring(() => post(token()));
      expect(res.status).to.equal(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('teams_token_invalid');
      expect(printed).to.equal('');
      const lines = logs.records();
      expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([[40, 'refused a Teams request without a valid token']]);
      expect(JSON.stringify(lines)).not.to.match(/\bat .+\.js:\d+/);
      expect(await teamName()).to.equal('Compliance');
    });
  }

  // Found by the fuzz run (test/fault/fuzz.process.test.ts): botbuilder printed the signing key to stderr on these.
  it('answers a good signature on an activity of a channel the key is not endorsed for with 401, one warn line, nothing printed', async () => {
    const { result: res, printed } = await printedDuring(() => post(jwt(signer.privateKey), { ...renamed('Elsewhere'), channelId: 'slack' }));
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('teams_token_invalid');
    expect(printed).to.equal('');
    expect(logs.records().map((l) => [l.level, l.msg])).to.deep.equal([[40, 'refused a Teams request without a valid token']]);
    expect(await teamName()).to.equal('Compliance');
  });

  // Found by the fuzz run: botbuilder called channelId.trim() (and the bot entity.type.toLowerCase()) on whatever came: a 500 and an error line.
  for (const [what, activity] of [
    ['a channelId that is a list', { ...renamed('X'), channelId: [] }],
    ['a channelId that is a number', { ...renamed('X'), channelId: 42 }],
    ['no channelId', { ...renamed('X'), channelId: undefined }],
    ['a mention entity whose type is not text', { ...renamed('X'), type: 'message', text: 'status x', entities: [{ type: 1, mentioned: 'x' }] }],
    ['a tenant id that is a number', { ...renamed('X'), channelData: { eventType: 'teamRenamed', team: { id: TEAM, name: 'X' }, tenant: { id: 42 } } }],
  ] as const) {
    it(`answers a signed activity with ${what} with 400 teams_bad_activity, nothing printed, no error line`, async () => {
      const { result: res, printed } = await printedDuring(() => post(jwt(signer.privateKey), activity));
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('teams_bad_activity');
      expect(printed).to.equal('');
      expect(logs.records().filter((l) => l.level >= 50)).to.deep.equal([]);
      expect(await teamName()).to.equal('Compliance');
    });
  }
});
