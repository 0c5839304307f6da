import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { request as httpRequest, type Server } from 'node:http';
import { expect } from 'chai';
import Koa from 'koa';
import nock from 'nock';
import type { ChatCommands, CheckActionAnswer, CheckActionRequest, RouteAnswer, StatusAnswer } from '../../../src/model/chat-commands.js';
import type { SlackConfig } from '../../../src/model/config.js';
import { renderErrors } from '../../../src/http/render-error.js';
import { createSlackEvents, type SlackEvents } from '../../../src/receivers/slack/app.js';
import { fakeClock } from '../../helpers/clock.js';
import { silentLogger } from '../../helpers/logger.js';

const SECRET = 'signing-secret-for-tests';
const NOW_MS = Date.UTC(2024, 4, 17, 10, 0, 0);
const NOW_S = NOW_MS / 1000;
const slack: SlackConfig = { botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: 'http://slack.test/api/', verifyToken: false };
const clock = fakeClock(NOW_MS);

/** Our own ChatCommands interface, doubled at the edge of the Slack module; it records what it was asked. */
class RecordingCommands implements ChatCommands {
  calls: Array<[string, unknown]> = [];
  routes(receiverNames: string[]): RouteAnswer[] {
    this.calls.push(['routes', receiverNames]);
    return [
      { receiver: 'kyc-slack', matchers: ['status=~"Rejected|Failed"', 'group="Acme <onboarding>"'], isDefault: false },
      { receiver: 'kyc-slack', matchers: [], isDefault: true },
    ];
  }
  async act(request: CheckActionRequest): Promise<CheckActionAnswer> {
    this.calls.push(['act', request]);
    return { outcome: 'notHere' };
  }
  async status(id: string, receiverNames: string[]): Promise<StatusAnswer | null> {
    this.calls.push(['status', id]);
    // The real one answers only about checks routed to one of the asking channel's receivers.
    if (id !== 'chk-1' || !receiverNames.includes('kyc-slack')) return null;
    return {
      type: 'LiveCheck',
      id: 'chk-1',
      groupId: 'grp-1',
      group: 'Acme <!channel>',
      status: 'Rejected',
      history: [
        { status: 'InReview', at: NOW_MS - 600_000 },
        { status: 'Rejected', at: NOW_MS - 60_000 },
      ],
      details: { available: true, statusReason: 'FacialVerificationFailed', warnings: ['WatchlistHitsFound'] },
      deliveries: [{ receiver: 'kyc-slack', state: 'done', attempts: 1, lastReason: null }],
    };
  }
  async test(receiverNames: string[]): Promise<{ eventId: string; entityId: string }> {
    this.calls.push(['test', receiverNames]);
    return { eventId: 'ev-test-1', entityId: 'sample-123' };
  }
}

function sign(body: string, ts: number, secret = SECRET): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
}

function commandBody(text: string, channel = 'C0123456789'): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'acme',
    channel_id: channel,
    channel_name: 'kyc-ops',
    user_id: 'U0001',
    user_name: 'alice',
    command: '/aver',
    text,
    api_app_id: 'A0001',
    response_url: 'http://slack.test/commands/1234',
    trigger_id: '1.2.3',
  }).toString();
}

describe('createSlackEvents (POST /slack/events)', () => {
  let server: Server;
  let url: string;
  let commands: RecordingCommands;
  let events: SlackEvents;

  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    commands = new RecordingCommands();
    events = createSlackEvents({
      slack,
      commands,
      receiversForChannel: (id) => (id === 'C0123456789' ? ['kyc-slack'] : []),
      logger: silentLogger,
      clock,
    });
    const koa = new Koa();
    // As in production: the one renderer turns the middleware's refusals into error bodies.
    koa.use(renderErrors(silentLogger));
    koa.use(async (ctx, next) => {
      if (ctx.path === '/slack/events') return events.middleware(ctx, next);
      ctx.status = 404;
    });
    server = koa.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    nock.cleanAll();
    nock.enableNetConnect();
  });

  async function send(body: string, opts: { ts?: number; signature?: string; type?: string } = {}) {
    const ts = opts.ts ?? NOW_S;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': opts.type ?? 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': opts.signature ?? sign(body, ts),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
  }

  async function aver(text: string, channel?: string): Promise<{ response_type: string; text: string }> {
    const res = await send(commandBody(text, channel));
    expect(res.status, res.text).to.equal(200);
    expect(res.type).to.include('application/json');
    const json = res.json();
    expect(json.response_type).to.equal('ephemeral');
    return json;
  }

  describe('/aver with a valid signature', () => {
    it('help lists every subcommand', async () => {
      const r = await aver('help');
      for (const c of ['help', 'routes', 'status <id>', 'test']) expect(r.text).to.include(`/aver ${c.replace('<', '&lt;').replace('>', '&gt;')}`);
      expect(commands.calls).to.deep.equal([]);
    });

    it('an empty command answers with help', async () => {
      expect((await aver('')).text).to.include('/aver routes');
    });

    it('routes names the rules that deliver to this channel, escaped', async () => {
      const r = await aver('routes');
      expect(commands.calls).to.deep.equal([['routes', ['kyc-slack']]]);
      expect(r.text).to.include('*kyc-slack*: `status=~"Rejected|Failed"` and `group="Acme &lt;onboarding&gt;"`');
      expect(r.text).to.include('*kyc-slack*: everything no other route takes');
    });

    it('routes in a channel no receiver posts to says so, without asking', async () => {
      const r = await aver('routes', 'C0THER');
      expect(r.text).to.include('No receiver of this bridge posts to this channel');
      expect(commands.calls).to.deep.equal([]);
    });

    it('status <id> shows the status, history, details and deliveries, escaped', async () => {
      const r = await aver('status chk-1');
      expect(commands.calls).to.deep.equal([['status', 'chk-1']]);
      expect(r.text).to.include(':x: *LiveCheck* chk-1: *Rejected*');
      expect(r.text).to.include('Group: Acme &lt;!channel&gt; (grp-1)');
      expect(r.text).to.match(/History: InReview <!date\^\d+\^\{time\}\|09:50 UTC> → Rejected/);
      expect(r.text).to.include('Reason: Facial verification failed');
      expect(r.text).to.include('Warnings: Watchlist hits found');
      expect(r.text).to.include('• *kyc-slack*: done, 1 attempt');
      expect(r.text).not.to.include('<!channel>');
    });

    it('status of an unknown id says nothing was routed here, escaping the id', async () => {
      const r = await aver('status <!channel>');
      expect(commands.calls).to.deep.equal([['status', '<!channel>']]);
      expect(r.text).to.equal('Nothing about &lt;!channel&gt; was routed to this channel.');
    });

    it('status in a channel no receiver posts to gives the unknown id\'s answer', async () => {
      expect((await aver('status chk-1', 'C0THER')).text).to.equal('Nothing about chk-1 was routed to this channel.');
    });

    it('status without an id explains the usage', async () => {
      expect((await aver('status')).text).to.include('Usage: `/aver status &lt;id&gt;`');
      expect(commands.calls).to.deep.equal([]);
    });

    it('test sends a sample event to the receivers of this channel', async () => {
      const r = await aver('test');
      expect(commands.calls).to.deep.equal([['test', ['kyc-slack']]]);
      expect(r.text).to.include('sample-123').and.include('*kyc-slack*');
    });

    it('an unknown subcommand answers with help', async () => {
      const r = await aver('frobnicate now');
      expect(r.text).to.include('Unknown command frobnicate').and.include('/aver status');
      expect(commands.calls).to.deep.equal([]);
    });
  });

  describe('refused requests', () => {
    it('answers 401 to a bad signature, and runs nothing', async () => {
      const res = await send(commandBody('test'), { signature: sign(commandBody('test'), NOW_S, 'another-secret') });
      expect(res.status).to.equal(401);
      expect(res.json().error.code).to.equal('slack_signature_invalid');
      expect(commands.calls).to.deep.equal([]);
    });

    it('answers 401 to a body changed after signing', async () => {
      const res = await send(commandBody('test'), { signature: sign(commandBody('help'), NOW_S) });
      expect(res.status).to.equal(401);
      expect(commands.calls).to.deep.equal([]);
    });

    it('answers 401 to a correctly signed but stale request (more than 5 minutes old)', async () => {
      const res = await send(commandBody('test'), { ts: NOW_S - 301 });
      expect(res.status).to.equal(401);
      expect(res.json().error).to.deep.include({ code: 'slack_signature_invalid' });
      expect(res.json().error.message).to.include('stale');
      expect(commands.calls).to.deep.equal([]);
    });

    it('answers 401 to a timestamp far in the future', async () => {
      const res = await send(commandBody('test'), { ts: NOW_S + 301 });
      expect(res.status).to.equal(401);
    });

    it('answers 401 without the signature headers', async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: commandBody('help') });
      expect(res.status).to.equal(401);
      expect((await res.json()).error.code).to.equal('slack_signature_invalid');
    });

    it('answers 400 to a signed body that is not JSON', async () => {
      const res = await send('{"type":', { type: 'application/json' });
      expect(res.status).to.equal(400);
      expect(res.json().error).to.deep.equal({ code: 'slack_body_invalid', message: 'The body is not valid JSON or form data.' });
    });

    // Found by the fuzz run (test/fault/fuzz.process.test.ts): Bolt read into each of these and threw, a 500 with an error line.
    for (const [what, body, type] of [
      ['an event that is null', JSON.stringify({ type: 'event_callback', event: null }), 'application/json'],
      ['an event whose channel is null', JSON.stringify({ type: 'event_callback', event: { type: 'message', channel: null } }), 'application/json'],
      ['an event whose item is a string', JSON.stringify({ type: 'event_callback', event: { type: 'reaction_added', item: 'x' } }), 'application/json'],
      ['a team id naming a prototype property', commandBody('help').replace('team_id=T0001', 'team_id=__proto__'), undefined],
      ['a command without text', commandBody('help').replace(/(^|&)text=[^&]*/, ''), undefined],
      ['a command repeated (a list, not text)', `${commandBody('help')}&command=%2Faver`, undefined],
      ['an interaction without a user', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'open_in_aver' }], team: { id: 'T1' } }))}`, undefined],
      ['an interaction whose channel is null', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'open_in_aver' }], user: { id: 'U1' }, channel: null }))}`, undefined],
    ] as const) {
      it(`answers 400 to a signed body with ${what}, running nothing`, async () => {
        const res = await send(body, type ? { type } : {});
        expect(res.status, res.text).to.equal(400);
        expect(res.json().error.code).to.equal('slack_body_invalid');
        expect(commands.calls).to.deep.equal([]);
      });
    }

    it('answers 405 with Allow: POST to another method', async () => {
      const res = await fetch(url);
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.equal('POST');
      expect((await res.json()).error.code).to.equal('method_not_allowed');
    });

    it('answers 413 to a chunked body that grows over 1 MB, before checking its signature', async () => {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (r) => {
          let body = '';
          r.on('data', (c) => { body += c; });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        const chunk = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 20; i++) req.write(chunk);
        req.end();
      });
      expect(res.status).to.equal(413);
      expect(JSON.parse(res.body).error.code).to.equal('payload_too_large');
    });

    it('answers 413 to a body over 1 MB', async () => {
      const body = commandBody('x'.repeat(1024 * 1024 + 10));
      const res = await send(body);
      expect(res.status).to.equal(413);
      expect(res.json().error.code).to.equal('payload_too_large');
    });
  });

  describe('Slack housekeeping', () => {
    it('answers url_verification with the challenge', async () => {
      const body = JSON.stringify({ token: 't', challenge: 'c-3f1a9', type: 'url_verification' });
      const res = await send(body, { type: 'application/json' });
      expect(res.status).to.equal(200);
      expect(res.json()).to.deep.equal({ challenge: 'c-3f1a9' });
    });

    it('does not answer url_verification with a bad signature', async () => {
      const body = JSON.stringify({ token: 't', challenge: 'c-3f1a9', type: 'url_verification' });
      const res = await send(body, { type: 'application/json', signature: 'v0=00' });
      expect(res.status).to.equal(401);
    });

    it('answers ssl_check with an empty 200', async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=t' });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('');
    });

    it('acknowledges a click on "Open in Aver"', async () => {
      const payload = JSON.stringify({
        type: 'block_actions',
        team: { id: 'T0001' },
        user: { id: 'U0001' },
        api_app_id: 'A0001',
        token: 't',
        container: { type: 'message' },
        trigger_id: '1.2.3',
        channel: { id: 'C0123456789' },
        actions: [{ type: 'button', action_id: 'open_in_aver', block_id: 'b', action_ts: '1' }],
      });
      const res = await send(new URLSearchParams({ payload }).toString());
      expect(res.status).to.equal(200);
    });

    it('acknowledges an Events API callback it has no listener for (Bolt acks events itself)', async () => {
      const body = JSON.stringify({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0001', event: { type: 'reaction_added', user: 'U1' }, event_id: 'Ev1', event_time: 1 });
      const res = await send(body, { type: 'application/json' });
      expect(res.status).to.equal(200);
    });

    it('answers 500 with only the status text when a listener fails before acknowledging', async () => {
      events.app.command('/boom', async () => { throw new Error('kaboom: internals'); });
      const res = await send(commandBody('help').replace('command=%2Faver', 'command=%2Fboom'));
      expect(res.status).to.equal(500);
      expect(res.json().error).to.deep.equal({ code: 'slack_event_failed', message: 'Internal Server Error' });
    });

    it('answers 404 to a signed command nothing handles', async () => {
      const res = await send(commandBody('help').replace('command=%2Faver', 'command=%2Fother'));
      expect(res.status).to.equal(404);
      expect(res.json().error.code).to.equal('slack_event_unhandled');
      expect(commands.calls).to.deep.equal([]);
    });
  });

  it('refuses to start without a signing secret, saying where to find it', () => {
    expect(() => createSlackEvents({ slack: { ...slack, signingSecret: undefined }, commands, receiversForChannel: () => [], logger: silentLogger, clock }))
      .to.throw(/Signing Secret/);
  });
});
