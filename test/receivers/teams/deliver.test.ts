import { expect } from 'chai';
import nock from 'nock';
import { randomUUID } from 'node:crypto';
import type { AverEvent } from '../../../src/model/event.js';
import type { TeamsConfig } from '../../../src/model/config.js';
import type { MessageRef } from '../../../src/model/job.js';
import { createTeamsAdapter } from '../../../src/receivers/teams/adapter.js';
import { createTeamsReceiver, parseMention, type TeamsReceiverConfig } from '../../../src/receivers/teams/deliver.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { Store, TeamsInstallation } from '../../../src/store/store.js';
import { testConfig } from '../../helpers/config.js';
import { ctx, event, job as kitJob } from '../../helpers/fixtures.js';
import { silentLogger as logger } from '../../helpers/logger.js';
import type { CardJson, SentActivity } from '../../helpers/teams-card.js';

const SERVICE = 'http://teams.test';
const CHANNEL = '19:abc123@thread.tacv2';
const teamsNoAuth: TeamsConfig = { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '', serviceUrl: `${SERVICE}/`, auth: {}, allowedTenants: [], allowInsecureDevMode: false };
const config = testConfig();

/** Conversation ids as they appear in connector URL paths. */
const enc = encodeURIComponent;

const job = (e: AverEvent) => kitJob(e, { receiver: 'kyc-teams', destinationKey: `teams:${CHANNEL}` });

function rc(over: Partial<TeamsReceiverConfig['teams']> = {}, pacing?: TeamsReceiverConfig['pacing']): TeamsReceiverConfig {
  return { name: 'kyc-teams', teams: { channelId: CHANNEL, updates: 'thread', mention: {}, ...over }, ...(pacing ? { pacing } : {}) };
}

const FIRST = '1715938200000';
const FIRST_REF: MessageRef = { channel: `${CHANNEL};messageid=${FIRST}`, messageId: FIRST, extra: { serviceUrl: `${SERVICE}/` } };

describe('createTeamsReceiver', () => {
  let store: Store;
  beforeEach(async () => {
    nock.disableNetConnect();
    store = await openSqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await store.close();
  });

  function receiver(r = rc(), teams = teamsNoAuth) {
    return createTeamsReceiver(r, { adapter: createTeamsAdapter(teams), teams, store, config, logger });
  }

  it('has kind teams, a destination per channel and Teams pacing (overridable)', () => {
    const r = receiver();
    expect(r.kind).to.equal('teams');
    expect(r.destinationKey(job(event('Created')))).to.equal(`teams:${CHANNEL}`);
    expect(r.pacing).to.deep.equal({ ratePerSecond: 7, burst: 7, perHour: 1800 });
    expect(receiver(rc({}, { burst: 2 })).pacing).to.deep.equal({ ratePerSecond: 7, burst: 2, perHour: 1800 });
  });

  it('starts a new thread in the channel (POST v3/conversations) and records the activity id', async () => {
    let sent!: { activity: SentActivity };
    const scope = nock(SERVICE)
      .post('/v3/conversations', (body) => {
        sent = body;
        return body.isGroup === true && body.channelData?.channel?.id === CHANNEL;
      })
      .reply(201, { id: `${CHANNEL};messageid=${FIRST}`, activityId: FIRST });
    const e = event('Rejected');
    const result = await receiver().deliver(job(e), ctx(null, [{ status: 'Rejected', at: e.receivedAt }]));
    scope.done();
    expect(result).to.deep.equal({ ok: true, messageRef: FIRST_REF });
    const activity = sent.activity;
    expect(activity.type).to.equal('message');
    expect(activity.summary).to.equal('🔴 Live check rejected: chk-1 · Acme onboarding');
    expect(activity.attachments[0].content.body[0].items![0].text).to.equal('🔴 Live check rejected: chk-1 · Acme onboarding');
    expect(activity.attachments).to.have.length(1);
    expect(activity.attachments[0].contentType).to.equal('application/vnd.microsoft.card.adaptive');
    expect(activity.attachments[0].content.version).to.equal('1.5');
    expect(activity.attachments[0].content.body[0].style).to.equal('attention');
    expect(activity.attachments[0].content.actions![0].url).to.equal('https://aver.example/checks/chk-1');
  });

  /** A later status in a thread: the PUT of the first card, and the reply when there is one. */
  async function later(status: string, r = rc()) {
    const thread = `/v3/conversations/${enc(`${CHANNEL};messageid=${FIRST}`)}/activities/${FIRST}`;
    let card: SentActivity | undefined;
    let reply: (Omit<SentActivity, 'attachments'> & { text?: string; attachments?: unknown; entities?: unknown[] }) | undefined;
    const put = nock(SERVICE).put(thread, (body) => {
      card = body;
      return body.id === FIRST;
    }).reply(200, { id: FIRST });
    // The reply is optional: a status that needs nobody only updates the card.
    nock(SERVICE).post(thread, (body) => {
      reply = body;
      return body.replyToId === FIRST;
    }).optionally().reply(201, { id: '1715938299999' });
    const result = await receiver(r).deliver(job(event(status)), ctx(FIRST_REF, [{ status: 'InReview', at: 1 }, { status, at: 2 }]));
    put.done();
    nock.cleanAll();
    expect(result).to.deep.equal({ ok: true });
    return { card: card!, reply };
  }

  it('thread: a later status updates the first card (PUT) and replies in its thread (POST to <channel>;messageid=<id>) with one short line', async () => {
    const { card, reply } = await later('AwaitingReview');
    expect(card.attachments[0].content.body[0].style).to.equal('warning');
    expect(card.attachments[0].content.body[0].items![0].text).to.equal('🟠 Live check awaiting review: chk-1 · Acme onboarding');
    expect(reply).to.deep.include({ type: 'message', text: '🟠 Live check awaiting review: chk-1 · Acme onboarding', textFormat: 'markdown', replyToId: FIRST });
    expect(reply!.attachments ?? []).to.deep.equal([]);
  });

  it('thread: a status outside broadcast: only updates the card, unless someone is to be mentioned', async () => {
    const quiet = await later('Completed');
    expect(quiet.card.attachments[0].content.body[0].style).to.equal('good');
    expect(quiet.reply).to.equal(undefined);
    expect((await later('Completed', rc({ broadcast: ['good'] }))).reply?.text).to.equal('🟢 Live check completed: chk-1 · Acme onboarding');
    expect((await later('Rejected', rc({ broadcast: [] }))).reply).to.equal(undefined);
    const mentioned = await later('Completed', rc({ mention: { Completed: ['Ada <29:1abc>'] } }));
    expect(mentioned.reply?.text).to.equal('<at>Ada</at> 🟢 Live check completed: chk-1 · Acme onboarding');
    expect(mentioned.reply?.entities).to.deep.equal([{ type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:1abc', name: 'Ada' } }]);
  });

  it('edit: only updates the first card', async () => {
    const scope = nock(SERVICE)
      .put(`/v3/conversations/${enc(`${CHANNEL};messageid=${FIRST}`)}/activities/${FIRST}`, (body) => body.attachments[0].content.body[0].style === 'warning')
      .reply(200, { id: FIRST });
    const result = await receiver(rc({ updates: 'edit' })).deliver(job(event('InReview')), ctx(FIRST_REF));
    scope.done();
    expect(result).to.deep.equal({ ok: true });
  });

  it('new: starts a new thread every time', async () => {
    const scope = nock(SERVICE)
      .post('/v3/conversations', (body) => body.channelData.channel.id === CHANNEL)
      .reply(201, { id: `${CHANNEL};messageid=222`, activityId: '222' });
    const result = await receiver(rc({ updates: 'new' })).deliver(job(event('Completed')), ctx(FIRST_REF));
    scope.done();
    expect(result).to.deep.equal({ ok: true, messageRef: { channel: `${CHANNEL};messageid=222`, messageId: '222', extra: { serviceUrl: `${SERVICE}/` } } });
  });

  it('uses the serviceUrl of the message it updates', async () => {
    const other = 'http://teams-emea.test';
    const scope = nock(other)
      .put(`/v3/conversations/${enc(`${CHANNEL};messageid=${FIRST}`)}/activities/${FIRST}`, () => true)
      .reply(200, { id: FIRST });
    const result = await receiver(rc({ updates: 'edit' })).deliver(job(event('InReview')), ctx({ ...FIRST_REF, extra: { serviceUrl: `${other}/` } }));
    scope.done();
    expect(result).to.deep.equal({ ok: true });
  });

  it('mentions people and tags given as "Name <id>" for the status', async () => {
    let card!: CardJson;
    const scope = nock(SERVICE)
      .post('/v3/conversations', (body) => {
        card = body.activity.attachments[0].content;
        return true;
      })
      .reply(201, { id: `${CHANNEL};messageid=${FIRST}`, activityId: FIRST });
    const r = receiver(rc({ mention: { Rejected: ['Compliance Reviewers <MzY5NjE2ODY=>', 'Ada <29:1abc>', 'Someone'] } }));
    await r.deliver(job(event('Rejected')), ctx(null));
    scope.done();
    expect(card.msteams!.entities).to.deep.equal([
      { type: 'mention', text: '<at>Compliance Reviewers</at>', mentioned: { id: 'MzY5NjE2ODY=', name: 'Compliance Reviewers', type: 'tag' } },
      { type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:1abc', name: 'Ada' } },
    ]);
    expect(parseMention('Bob <0f8fad5b-d9cb-469f-a165-70867728950e>')).to.include({ type: 'person', name: 'Bob' });
  });

  describe('errors', () => {
    const table: Array<{ status: number; retryable: boolean; code: string; reason: RegExp; headers?: Record<string, string>; retryAfterMs?: number }> = [
      { status: 429, retryable: true, code: 'rateLimited', reason: /429/, headers: { 'Retry-After': '7' }, retryAfterMs: 7000 },
      { status: 412, retryable: true, code: 'serverError', reason: /412/ },
      { status: 500, retryable: true, code: 'serverError', reason: /500/ },
      { status: 502, retryable: true, code: 'serverError', reason: /502/ },
      { status: 503, retryable: true, code: 'serverError', reason: /503/ },
      { status: 504, retryable: true, code: 'serverError', reason: /504/ },
      { status: 401, retryable: false, code: 'authError', reason: /removed from the team or lacks permission/ },
      { status: 403, retryable: false, code: 'authError', reason: /removed from the team or lacks permission/ },
      { status: 404, retryable: false, code: 'conversationNotFound', reason: /conversation gone/ },
      { status: 400, retryable: false, code: 'clientError', reason: /Teams rejected the card for channel .* \(400: BadSyntax: nope\)/ },
      { status: 409, retryable: false, code: 'clientError', reason: /409/ },
    ];
    for (const row of table) {
      it(`${row.status} → ${row.retryable ? 'retry' : 'give up'} (${row.code}), with no retry of its own`, async () => {
        // Exactly one request: botbuilder's HTTP pipeline would otherwise retry 429 and 5xx itself.
        const scope = nock(SERVICE)
          .post('/v3/conversations')
          .once()
          .reply(row.status, { error: { code: 'BadSyntax', message: 'nope' } }, row.headers ?? {});
        const result = await receiver().deliver(job(event('Completed')), ctx(null));
        scope.done();
        expect(nock.pendingMocks()).to.deep.equal([]);
        expect(result).to.deep.include({ ok: false, retryable: row.retryable, code: row.code });
        if (result.ok) return;
        expect(result.reason).to.match(row.reason);
        expect(result.retryAfterMs).to.equal(row.retryAfterMs);
      });
    }

    it('a failed update of an earlier card is mapped the same way', async () => {
      const scope = nock(SERVICE)
        .put(`/v3/conversations/${enc(`${CHANNEL};messageid=${FIRST}`)}/activities/${FIRST}`)
        .reply(404, { error: { code: 'NotFound', message: 'gone' } });
      const result = await receiver().deliver(job(event('Completed')), ctx(FIRST_REF));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: false, code: 'conversationNotFound' });
    });

    it('a network error is retryable', async () => {
      const scope = nock(SERVICE).post('/v3/conversations').replyWithError('socket hang up');
      const result = await receiver().deliver(job(event('Completed')), ctx(null));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: true, code: 'serverError' });
    });

    it('an aborted delivery (timeout) is retryable', async () => {
      nock(SERVICE).post('/v3/conversations').reply(201, { id: `${CHANNEL};messageid=1`, activityId: '1' });
      const controller = new AbortController();
      controller.abort();
      const result = await receiver().deliver(job(event('Completed')), ctx(null, [], controller.signal));
      expect(result).to.deep.include({ ok: false, retryable: true, failure: 'timeout', code: 'timeout' });
    });
  });

  describe('team + channel names', () => {
    function installation(over: Partial<TeamsInstallation> = {}): TeamsInstallation {
      return {
        teamId: '19:general@thread.tacv2', teamName: 'Compliance', channelId: '19:alerts@thread.tacv2', channelName: 'Alerts',
        serviceUrl: 'http://teams-emea.test/', tenantId: 'tenant-1', reference: {}, removed: false, updatedAt: 1, ...over,
      };
    }

    it('an unknown team or channel is not retryable, and says to add the bot to the team', async () => {
      const result = await receiver(rc({ channelId: undefined, team: 'Compliance', channel: 'Alerts' })).deliver(job(event('Completed')), ctx(null));
      expect(result).to.deep.include({ ok: false, retryable: false, failure: 'clientError', code: 'channelNotFound' });
      if (result.ok) return;
      expect(result.reason).to.include('"Alerts"').and.include('"Compliance"').and.include('add the bot to the team');
    });

    it('resolves the channel from the recorded installations and posts through its serviceUrl and tenant', async () => {
      await store.putInstallation(installation());
      await store.putInstallation(installation({ channelId: '19:general@thread.tacv2', channelName: 'General' }));
      const scope = nock('http://teams-emea.test')
        .post('/v3/conversations', (body) => body.channelData.channel.id === '19:alerts@thread.tacv2' && body.channelData.tenant.id === 'tenant-1')
        .reply(201, { id: '19:alerts@thread.tacv2;messageid=5', activityId: '5' });
      const r = receiver(rc({ channelId: undefined, team: 'compliance', channel: 'ALERTS' }));
      expect(r.destinationKey(job(event('Completed')))).to.equal('teams:compliance/ALERTS');
      await r.start!();
      expect(r.destinationKey(job(event('Completed')))).to.equal('teams:19:alerts@thread.tacv2');
      const result = await r.deliver(job(event('Completed')), ctx(null));
      scope.done();
      expect(result).to.deep.equal({ ok: true, messageRef: { channel: '19:alerts@thread.tacv2;messageid=5', messageId: '5', extra: { serviceUrl: 'http://teams-emea.test/' } } });
    });

    it('posts into a group chat directly (chats have no threads)', async () => {
      const chat = '19:meeting_chat@thread.v2';
      await store.putInstallation(installation({
        teamId: chat, teamName: 'Ops chat', channelId: chat, channelName: 'Ops chat',
        reference: { conversation: { id: chat, conversationType: 'groupChat' } },
      }));
      const scope = nock('http://teams-emea.test')
        .post(`/v3/conversations/${enc(chat)}/activities`, (body) => body.attachments[0].content.version === '1.5' && !body.replyToId)
        .reply(201, { id: 'm-1' });
      const result = await receiver(rc({ channelId: chat })).deliver(job(event('Completed')), ctx(null));
      scope.done();
      expect(result).to.deep.equal({ ok: true, messageRef: { channel: chat, messageId: 'm-1', extra: { serviceUrl: 'http://teams-emea.test/' } } });
    });

    it('a removed installation no longer resolves', async () => {
      await store.putInstallation(installation());
      await store.removeInstallation('19:general@thread.tacv2', 2);
      const result = await receiver(rc({ channelId: undefined, team: 'Compliance', channel: 'Alerts' })).deliver(job(event('Completed')), ctx(null));
      expect(result).to.deep.include({ ok: false, retryable: false, failure: 'clientError', code: 'channelNotFound' });
    });
  });

  describe('with an app id', () => {
    const appId = randomUUID();
    const secret = `pw-${randomUUID()}`;
    const teams: TeamsConfig = { ...teamsNoAuth, appId, appPassword: secret };

    it('gets a token from the login endpoint and sends it to the connector', async () => {
      const login = nock('https://login.microsoftonline.com')
        .post('/botframework.com/oauth2/v2.0/token', (body) => body.client_id === appId && body.client_secret === secret
          && body.grant_type === 'client_credentials' && body.scope === 'https://api.botframework.com/.default')
        .query(true)
        .reply(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'test-access-token' });
      const connector = nock(SERVICE, { reqheaders: { authorization: 'Bearer test-access-token' } })
        .post('/v3/conversations', (body) => body.channelData.channel.id === CHANNEL)
        .reply(201, { id: `${CHANNEL};messageid=${FIRST}`, activityId: FIRST });
      const result = await receiver(rc(), teams).deliver(job(event('Completed')), ctx(null));
      login.done();
      connector.done();
      expect(result).to.deep.equal({ ok: true, messageRef: FIRST_REF });
    });

    it('a refused token is not retryable and the reason holds no secret', async () => {
      const other = { ...teams, appId: randomUUID() };
      const login = nock('https://login.microsoftonline.com')
        .post('/botframework.com/oauth2/v2.0/token')
        .query(true)
        .reply(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
      const result = await receiver(rc(), other).deliver(job(event('Completed')), ctx(null));
      login.done();
      expect(result).to.deep.include({ ok: false, retryable: false, code: 'authError' });
      expect(JSON.stringify(result)).not.to.include(secret);
    });
  });
});
