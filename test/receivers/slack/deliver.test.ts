import { expect } from 'chai';
import nock from 'nock';
import { pino } from 'pino';
import type { AverEvent } from '../../../src/model/event.js';
import type { SlackConfig } from '../../../src/model/config.js';
import { BridgeError } from '../../../src/errors.js';
import type { DeliveryResult } from '../../../src/receivers/receiver.js';
import type { MessageRef, StatusChange } from '../../../src/model/job.js';
import {
  createSlackClient,
  createSlackReceiver,
  slackLogger,
  verifySlackToken,
  type SlackReceiverConfig,
} from '../../../src/receivers/slack/deliver.js';
import { testConfig } from '../../helpers/config.js';
import { ctx, event, job as kitJob } from '../../helpers/fixtures.js';
import { silentLogger as logger } from '../../helpers/logger.js';
import { SEVERITY_LOOK } from '../../../src/present/severity.js';

const API = 'http://slack.test';
const TOKEN = 'xoxb-test-0000-secret';
const slack: SlackConfig = { botToken: TOKEN, apiUrl: `${API}/api/`, verifyToken: true };
const config = testConfig();

function receiverConfig(over: Partial<SlackReceiverConfig['slack']> = {}, pacing?: SlackReceiverConfig['pacing']): SlackReceiverConfig {
  return {
    name: 'kyc-slack',
    slack: { channel: 'C0123456789', mention: { Rejected: ['<!subteam^S0123>'], Failed: ['<!here>'] }, updates: 'thread', ...over },
    ...(pacing ? { pacing } : {}),
  };
}

/** A fresh receiver with its own client, as after a restart. */
function receiver(over: Partial<SlackReceiverConfig['slack']> = {}, pacing?: SlackReceiverConfig['pacing']) {
  return createSlackReceiver(receiverConfig(over, pacing), { client: createSlackClient(slack, logger), config, logger });
}

const job = (e: AverEvent) => kitJob(e, { receiver: 'kyc-slack', destinationKey: 'slack:C0123456789' });

/** The WebClient sends form bodies with JSON-encoded objects; nock hands them over parsed or as text. */
function form(body: unknown): Record<string, string> {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  return body as Record<string, string>;
}

function slackApi() {
  return nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
}

const FIRST_TS = '1715938200.000100';

describe('createSlackReceiver', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('has kind slack, a destination per channel and Slack pacing (overridable)', () => {
    const r = receiver();
    expect(r.kind).to.equal('slack');
    expect(r.name).to.equal('kyc-slack');
    expect(r.destinationKey(job(event('Created')))).to.equal('slack:C0123456789');
    expect(r.pacing).to.deep.equal({ ratePerSecond: 1, burst: 3 });
    expect(receiver({}, { burst: 5 }).pacing).to.deep.equal({ ratePerSecond: 1, burst: 5 });
  });

  describe('first message', () => {
    for (const status of ['Created', 'InReview', 'Completed', 'Rejected', 'Failed']) {
      it(`posts ${status} with chat.postMessage: channel, text and the attachment with the blocks`, async () => {
        let sent: Record<string, string> = {};
        const scope = slackApi()
          .post('/api/chat.postMessage', (body) => {
            sent = form(body);
            return sent.channel === 'C0123456789';
          })
          .reply(200, { ok: true, channel: 'C0123456789', ts: FIRST_TS });
        const e = event(status);
        const result = await receiver().deliver(job(e), ctx(null, [{ status, at: e.receivedAt }]));
        scope.done();
        expect(result).to.deep.equal({ ok: true, messageRef: { channel: 'C0123456789', messageId: FIRST_TS } });
        const attachments = JSON.parse(sent.attachments);
        expect(attachments).to.have.length(1);
        const severity = ({ Completed: 'good', Rejected: 'attention', Failed: 'attention', InReview: 'action' } as const)[status as 'Completed'] ?? 'info';
        expect(attachments[0].color).to.equal(SEVERITY_LOOK[severity].color);
        const blocks = JSON.parse(sent.blocks);
        expect(blocks[0].type).to.equal('header');
        expect(blocks[0].text.text).to.match(new RegExp(`^${SEVERITY_LOOK[severity].emoji} Live check .*: chk-1 · Acme onboarding$`));
        expect(attachments[0].blocks.find((b: { type: string }) => b.type === 'actions').elements[0].url).to.equal('https://aver.example/checks/chk-1');
        const mention = { Rejected: '<!subteam^S0123> ', Failed: '<!here> ' }[status] ?? '';
        expect(sent.text.startsWith(`${mention}${blocks[0].text.text}`)).to.equal(true);
        expect(sent.unfurl_links).to.equal('false');
      });
    }
  });

  describe('later statuses', () => {
    const previous: MessageRef = { channel: 'C0123456789', messageId: FIRST_TS };
    const history: StatusChange[] = [
      { status: 'InReview', at: Date.UTC(2024, 4, 17, 9, 0) },
      { status: 'Rejected', at: Date.UTC(2024, 4, 17, 9, 30) },
    ];

    it('updates: thread — edits the first message and replies in its thread with the mentions, across a restart', async () => {
      const first = slackApi().post('/api/chat.postMessage').reply(200, { ok: true, channel: 'C0123456789', ts: FIRST_TS });
      const posted = await receiver().deliver(job(event('InReview')), ctx(null, history.slice(0, 1)));
      first.done();
      expect(posted.ok && posted.messageRef).to.deep.equal(previous);

      let updated: Record<string, string> = {};
      let reply: Record<string, string> = {};
      const scope = slackApi()
        .post('/api/chat.update', (b) => {
          updated = form(b);
          return updated.channel === 'C0123456789' && updated.ts === FIRST_TS;
        })
        .reply(200, { ok: true, channel: 'C0123456789', ts: FIRST_TS })
        .post('/api/chat.postMessage', (b) => {
          reply = form(b);
          return reply.thread_ts === FIRST_TS && reply.channel === 'C0123456789';
        })
        .reply(200, { ok: true, channel: 'C0123456789', ts: '1715938300.000200' });
      const restarted = receiver();
      const result = await restarted.deliver(job(event('Rejected')), ctx(posted.ok ? posted.messageRef! : null, history));
      scope.done();
      expect(result).to.deep.equal({ ok: true, messageRef: previous });
      expect(updated.text).to.equal('🔴 Live check rejected: chk-1 · Acme onboarding');
      expect(updated.blocks).to.include('Live check rejected');
      expect(updated.attachments).to.include('History');
      expect(reply.text).to.equal('<!subteam^S0123> 🔴 Live check rejected: chk-1 · Acme onboarding');
      expect(reply.reply_broadcast).to.equal('true');
      expect(reply.attachments).to.equal(undefined);
      expect(reply.blocks).to.equal(undefined);
    });

    const replyFor = async (status: string, over: Partial<SlackReceiverConfig['slack']> = {}) => {
      let reply: Record<string, string> = {};
      const scope = slackApi()
        .post('/api/chat.update').reply(200, { ok: true })
        .post('/api/chat.postMessage', (b) => {
          reply = form(b);
          return reply.thread_ts === FIRST_TS;
        })
        .reply(200, { ok: true, channel: 'C0123456789', ts: '1715938300.000200' });
      const result = await receiver(over).deliver(job(event(status)), ctx(previous, [{ status: 'Created', at: 1 }, { status, at: 2 }]));
      scope.done();
      expect(result.ok).to.equal(true);
      return reply;
    };

    it('thread: an AwaitingReview reply is broadcast to the channel (reply_broadcast), a clean Completed stays in the thread', async () => {
      const review = await replyFor('AwaitingReview');
      expect(review.reply_broadcast).to.equal('true');
      expect(review.text).to.equal('🟠 Live check awaiting review: chk-1 · Acme onboarding');
      expect((await replyFor('Completed')).reply_broadcast).to.equal('false');
      expect((await replyFor('AwaitingAutomation')).reply_broadcast).to.equal('false');
    });

    it('thread: broadcast follows the receiver\'s broadcast: list', async () => {
      expect((await replyFor('Completed', { broadcast: ['good'] })).reply_broadcast).to.equal('true');
      expect((await replyFor('Rejected', { broadcast: ['good'] })).reply_broadcast).to.equal('false');
      expect((await replyFor('Rejected', { broadcast: [] })).reply_broadcast).to.equal('false');
    });

    it('updates: edit — only edits, with the status history, and no reply', async () => {
      let updated: Record<string, string> = {};
      const scope = slackApi()
        .post('/api/chat.update', (b) => {
          updated = form(b);
          return updated.ts === FIRST_TS;
        })
        .reply(200, { ok: true, channel: 'C0123456789', ts: FIRST_TS });
      const result = await receiver({ updates: 'edit' }).deliver(job(event('Rejected')), ctx(previous, history));
      scope.done();
      expect(result).to.deep.equal({ ok: true, messageRef: previous });
      expect(JSON.parse(updated.attachments)[0].color).to.equal(SEVERITY_LOOK.attention.color);
      expect(updated.attachments).to.include('*History:* In review');
      expect(updated.text.startsWith('<!subteam^S0123> ')).to.equal(true);
    });

    it('updates: new — posts a new message every time', async () => {
      const scope = slackApi()
        .post('/api/chat.postMessage', (b) => form(b).thread_ts === undefined && form(b).channel === 'C0123456789')
        .reply(200, { ok: true, channel: 'C0123456789', ts: '1715938400.000300' });
      const result = await receiver({ updates: 'new' }).deliver(job(event('Rejected')), ctx(previous, history));
      scope.done();
      expect(result).to.deep.equal({ ok: true, messageRef: { channel: 'C0123456789', messageId: '1715938400.000300' } });
    });

    it('posts anew when the first message was deleted (message_not_found), and returns the new ref', async () => {
      const scope = slackApi()
        .post('/api/chat.update')
        .reply(200, { ok: false, error: 'message_not_found' })
        .post('/api/chat.postMessage', (b) => form(b).thread_ts === undefined)
        .reply(200, { ok: true, channel: 'C0123456789', ts: '1715938500.000400' });
      const result = await receiver().deliver(job(event('Rejected')), ctx(previous, history));
      scope.done();
      expect(result).to.deep.equal({ ok: true, messageRef: { channel: 'C0123456789', messageId: '1715938500.000400' } });
    });

    it('posts anew in the configured channel when the first message lives in another one', async () => {
      const scope = slackApi()
        .post('/api/chat.postMessage', (b) => form(b).channel === 'C0123456789')
        .reply(200, { ok: true, channel: 'C0123456789', ts: '1715938600.000500' });
      const result = await receiver().deliver(job(event('Rejected')), ctx({ channel: 'C0OLD', messageId: FIRST_TS }, history));
      scope.done();
      expect(result.ok).to.equal(true);
    });

    it('reports a failed thread reply after a successful edit, so the retry edits and replies again', async () => {
      const scope = slackApi()
        .post('/api/chat.update').reply(200, { ok: true })
        .post('/api/chat.postMessage').reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '7' });
      const result = await receiver().deliver(job(event('Rejected')), ctx(previous, history));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: true, retryAfterMs: 7000, code: 'rateLimited' });
    });
  });

  describe('errors', () => {
    const table: Array<{ error: string; retryable: boolean; code: string; reason: RegExp }> = [
      { error: 'channel_not_found', retryable: false, code: 'channel_not_found', reason: /not found.*invite the bot/ },
      { error: 'not_in_channel', retryable: false, code: 'not_in_channel', reason: /invite it with \/invite @aver-bridge/ },
      { error: 'is_archived', retryable: false, code: 'is_archived', reason: /archived/ },
      { error: 'invalid_auth', retryable: false, code: 'authError', reason: /bot token.*OAuth & Permissions/ },
      { error: 'account_inactive', retryable: false, code: 'authError', reason: /reinstall/ },
      { error: 'token_revoked', retryable: false, code: 'authError', reason: /revoked/ },
      { error: 'msg_too_long', retryable: false, code: 'msg_too_long', reason: /too long/ },
      { error: 'invalid_blocks', retryable: false, code: 'invalid_blocks', reason: /blocks/ },
      { error: 'something_new', retryable: false, code: 'clientError', reason: /something_new/ },
      { error: 'internal_error', retryable: true, code: 'serverError', reason: /internal_error/ },
    ];
    for (const row of table) {
      it(`maps ${row.error} to ${row.retryable ? 'retryable' : 'not retryable'} ${row.code}`, async () => {
        const scope = slackApi().post('/api/chat.postMessage').reply(200, { ok: false, error: row.error });
        const result = await receiver().deliver(job(event('Created')), ctx(null, []));
        scope.done();
        expect(result).to.deep.include({ ok: false, retryable: row.retryable, code: row.code });
        expect((result as { reason: string }).reason).to.match(row.reason);
        expect(JSON.stringify(result)).not.to.include(TOKEN);
      });
    }

    it('maps 429 to retryable after Retry-After', async () => {
      const scope = slackApi().post('/api/chat.postMessage').reply(429, '', { 'Retry-After': '30' });
      const result = await receiver().deliver(job(event('Created')), ctx(null, []));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: true, retryAfterMs: 30_000, code: 'rateLimited' });
    });

    for (const status of [500, 502, 503]) {
      it(`maps HTTP ${status} to retryable serverError`, async () => {
        const scope = slackApi().post('/api/chat.postMessage').reply(status, 'upstream trouble');
        const result = await receiver().deliver(job(event('Created')), ctx(null, []));
        scope.done();
        expect(result).to.deep.include({ ok: false, retryable: true, code: 'serverError' });
      });
    }

    it('maps HTTP 404 to non-retryable clientError', async () => {
      const scope = slackApi().post('/api/chat.postMessage').reply(404, 'no such method');
      const result = await receiver().deliver(job(event('Created')), ctx(null, []));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: false, code: 'clientError' });
    });

    it('maps a network error to retryable, without the token in the reason', async () => {
      // An Error, as node:http gives (nock passes a plain object on to fetch only).
      const scope = slackApi().post('/api/chat.postMessage').replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      const result = await receiver().deliver(job(event('Created')), ctx(null, []));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: true, code: 'serverError' });
      expect((result as { reason: string }).reason).to.match(/could not reach Slack/);
      expect(JSON.stringify(result)).not.to.include(TOKEN);
    });

    it('gives up as a retryable timeout when the delivery signal aborts mid-call', async () => {
      const abort = new AbortController();
      const scope = slackApi()
        .post('/api/chat.postMessage')
        .reply(() => {
          abort.abort();
          return [200, { ok: true, channel: 'C0123456789', ts: FIRST_TS }];
        });
      const result = await receiver().deliver(job(event('Created')), ctx(null, [], abort.signal));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: true, failure: 'timeout', code: 'timeout' });
    });

    it('makes no call when the signal has already aborted', async () => {
      const abort = new AbortController();
      abort.abort();
      const result = await receiver().deliver(job(event('Created')), ctx(null, [], abort.signal));
      expect(result).to.deep.include({ ok: false, retryable: true, failure: 'timeout', code: 'timeout' });
    });
  });

  describe('channel by #name', () => {
    it('resolves once with conversations.list across pages, at start, and posts to the id', async () => {
      const scope = slackApi()
        .post('/api/conversations.list', (b) => {
          const f = form(b);
          return f.types === 'public_channel,private_channel' && f.exclude_archived === 'true' && f.cursor === undefined;
        })
        .reply(200, { ok: true, channels: [{ id: 'C1', name: 'general' }], response_metadata: { next_cursor: 'page2' } })
        .post('/api/conversations.list', (b) => form(b).cursor === 'page2')
        .reply(200, { ok: true, channels: [{ id: 'C9KYC', name: 'kyc-ops' }], response_metadata: { next_cursor: '' } })
        .post('/api/chat.postMessage', (b) => form(b).channel === 'C9KYC')
        .times(2)
        .reply(200, { ok: true, channel: 'C9KYC', ts: FIRST_TS });
      const r = receiver({ channel: '#kyc-ops' });
      expect(r.channelId()).to.equal(undefined);
      await r.start();
      expect(r.channelId()).to.equal('C9KYC');
      expect(r.destinationKey(job(event('Created')))).to.equal('slack:#kyc-ops');
      expect((await r.deliver(job(event('Created')), ctx(null, []))).ok).to.equal(true);
      expect((await r.deliver(job(event('Completed', { id: 'chk-2' })), ctx(null, []))).ok).to.equal(true);
      scope.done();
    });

    it('fails start with slack_channel_not_found, and deliveries with a reason to act on', async () => {
      const scope = slackApi()
        .post('/api/conversations.list')
        .times(2)
        .reply(200, { ok: true, channels: [{ id: 'C1', name: 'general' }], response_metadata: { next_cursor: '' } });
      const r = receiver({ channel: '#kyc-ops' });
      try {
        await r.start();
        expect.fail('start should have thrown');
      } catch (err) {
        expect(err).to.be.instanceOf(BridgeError);
        expect((err as BridgeError).code).to.equal('slack_channel_not_found');
        expect((err as Error).message).to.include('#kyc-ops').and.include('/invite @aver-bridge');
      }
      const result: DeliveryResult = await r.deliver(job(event('Created')), ctx(null, []));
      scope.done();
      expect(result).to.deep.include({ ok: false, retryable: false, code: 'slack_channel_not_found' });
    });
  });
});

describe('verifySlackToken', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('answers the team and bot user for a good token', async () => {
    const scope = slackApi().post('/api/auth.test').reply(200, { ok: true, team: 'Acme', team_id: 'T1', user_id: 'U1', bot_id: 'B1' });
    expect(await verifySlackToken(createSlackClient(slack, logger))).to.deep.equal({ teamId: 'T1', team: 'Acme', botUserId: 'U1', botId: 'B1' });
    scope.done();
  });

  it('throws slack_auth_failed with a hint, and without the token, for a bad one', async () => {
    const scope = slackApi().post('/api/auth.test').reply(200, { ok: false, error: 'invalid_auth' });
    try {
      await verifySlackToken(createSlackClient(slack, logger));
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as BridgeError).code).to.equal('slack_auth_failed');
      expect((err as Error).message).to.include('OAuth & Permissions').and.not.include(TOKEN);
    }
    scope.done();
  });

  it('throws slack_unreachable when Slack cannot be reached', async () => {
    const scope = slackApi().post('/api/auth.test').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    try {
      await verifySlackToken(createSlackClient(slack, logger));
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as BridgeError).code).to.equal('slack_unreachable');
    }
    scope.done();
  });
});

describe('slackLogger', () => {
  it("maps the Slack SDK's levels one down onto pino, and builds a line only when its level is on", () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = { write: (l: string) => void lines.push(JSON.parse(l)) };
    let stringified = 0;
    const costly = { toJSON: () => { stringified++; return { big: true }; } };

    const atInfo = slackLogger(pino({ level: 'info' }, sink), 'slack-web-api');
    atInfo.debug('http request body:', costly);
    atInfo.info('apiCall end', costly);
    atInfo.warn('slow', costly);
    expect(stringified, 'debug, info and warn lines are off at info: nothing stringified').to.equal(0);
    atInfo.error('failed:', costly);
    expect(stringified).to.equal(1);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 40, component: 'slack-web-api', msg: 'failed: {"big":true}' });

    const atTrace = slackLogger(pino({ level: 'trace' }, sink), 'slack-bolt');
    atTrace.debug('detail', new Error('boom'));
    expect(lines[1]).to.include({ level: 10, component: 'slack-bolt', msg: 'detail boom' });
  });
});
