import { expect } from 'chai';
import { WebClient } from '@slack/web-api';
import { slackLogger } from '../../../src/receivers/slack/deliver.js';
import { DeliveryClient } from '../../../src/receivers/slack/delivery-client.js';
import { startFakeHttp, type FakeAnswer, type FakeHttp } from '../../helpers/fake-http.js';
import { silentLogger } from '../../helpers/logger.js';

const TOKEN = 'xoxb-test-0000-secret';
const OPTIONS = { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: slackLogger(silentLogger, 'test') };

/** What a chat call sends, as the far end sees it. */
function sent(fake: FakeHttp, i: number) {
  const r = fake.requests[i];
  const { 'user-agent': ua, accept, authorization, 'content-type': type } = r.headers;
  return { method: r.method, path: r.path, ua, accept, authorization, type, raw: r.raw };
}

/** What a call threw, as slackErrorToResult and the receiver read it. */
function thrown(err: unknown) {
  const e = err as Record<string, unknown> & Error;
  return {
    name: e.name, code: e.code, message: e.message, data: e.data, statusCode: e.statusCode, retryAfter: e.retryAfter, body: e.body,
    original: e.original && String((e.original as Error).message),
  };
}

async function outcome(call: () => Promise<unknown>) {
  try {
    return { result: await call() };
  } catch (err) {
    return { error: thrown(err) };
  }
}

describe('DeliveryClient', () => {
  let fake: FakeHttp;
  let answer: FakeAnswer;
  beforeEach(async () => {
    answer = {};
    fake = await startFakeHttp(() => answer);
  });
  afterEach(() => fake.close());

  const clients = () => ({
    sdk: new WebClient(TOKEN, { ...OPTIONS, slackApiUrl: `${fake.url}/api/` }),
    ours: new DeliveryClient(TOKEN, { ...OPTIONS, slackApiUrl: `${fake.url}/api/` }),
  });

  it('sends chat.postMessage and chat.update as the WebClient does: the same URL, headers and form body', async () => {
    const { sdk, ours } = clients();
    answer = { body: { ok: true, channel: 'C1', ts: '1.2' } };
    const post = {
      channel: 'C1', text: 'a & b <@U1> ✅', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*x* "y"\n' } }],
      attachments: [{ color: 'good', blocks: [] }], unfurl_links: false, unfurl_media: false, thread_ts: undefined,
    };
    expect(await ours.chat.postMessage(post)).to.deep.equal(await sdk.chat.postMessage(post));
    const update = { channel: 'C1', ts: '1.2', text: 'edited', blocks: [] };
    await sdk.chat.update(update);
    await ours.chat.update(update);
    expect(sent(fake, 1)).to.deep.equal(sent(fake, 0));
    expect(sent(fake, 3)).to.deep.equal(sent(fake, 2));
    expect(sent(fake, 1)).to.include({ path: '/api/chat.postMessage', authorization: `Bearer ${TOKEN}`, type: 'application/x-www-form-urlencoded' });
  });

  const answers: Array<[string, FakeAnswer]> = [
    ['ok: false', { body: { ok: false, error: 'channel_not_found' } }],
    ['429 with Retry-After', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } }],
    ['429 without Retry-After', { status: 429, body: { ok: false } }],
    ['HTTP 500', { status: 500, body: { ok: false, error: 'oops' } }],
    ['HTTP 404', { status: 404, body: 'no such method' }],
    ['a redirect', { status: 302, headers: { location: 'http://elsewhere.test/' }, body: {} }],
    ['ok: true with warnings', { body: { ok: true, channel: 'C1', ts: '1.2', response_metadata: { warnings: ['missing_charset'] } } }],
  ];
  for (const [what, a] of answers) {
    it(`answers ${what} as the WebClient does`, async () => {
      const { sdk, ours } = clients();
      answer = a;
      const args = { channel: 'C1', text: 'x' };
      const expected = await outcome(() => sdk.chat.postMessage(args));
      const got = await outcome(() => ours.chat.postMessage(args));
      // The SDK's request error names the URL it could not follow: the same, minus where fetch keeps it.
      if (what === 'a redirect') expect(got.error).to.include({ name: 'WebAPIRequestError', code: expected.error!.code });
      else expect(got).to.deep.equal(expected);
    });
  }

  it('gives up after its timeout with the request error the WebClient throws then', async () => {
    answer = 'hang';
    const ours = new DeliveryClient(TOKEN, { ...OPTIONS, slackApiUrl: `${fake.url}/api/`, timeout: 50 });
    const sdk = new WebClient(TOKEN, { ...OPTIONS, slackApiUrl: `${fake.url}/api/`, timeout: 50 });
    const got = await outcome(() => ours.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(got).to.deep.equal(await outcome(() => sdk.chat.postMessage({ channel: 'C1', text: 'x' })));
    expect(got.error).to.include({ name: 'WebAPIRequestError', original: 'The operation was aborted due to timeout' });
  });

  it('reports a network error as a request error with the cause', async () => {
    const port = new URL(fake.url).port;
    await fake.close();
    const ours = new DeliveryClient(TOKEN, { ...OPTIONS, slackApiUrl: `http://127.0.0.1:${port}/api/` });
    const got = await outcome(() => ours.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(got.error).to.include({ name: 'WebAPIRequestError', code: 'slack_webapi_request_error' });
    expect(got.error!.original).to.match(/ECONNREFUSED/);
    fake = await startFakeHttp();
  });

  it('leaves every other method to the WebClient', async () => {
    const { ours } = clients();
    answer = { body: { ok: true, team_id: 'T1' } };
    expect(await ours.auth.test()).to.include({ ok: true, team_id: 'T1' });
    expect(fake.requests[0]).to.include({ path: '/api/auth.test' });
  });
});
