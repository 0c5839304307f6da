import { expect } from 'chai';
import nock from 'nock';
import { createAverApiClient, TOKEN_LIFETIME_MS, TOKEN_REFRESH_BEFORE_MS } from '../../src/aver/api-client.js';
import type { AverApiConfig } from '../../src/model/config.js';
import { BridgeError } from '../../src/errors.js';
import { fakeClock } from '../helpers/clock.js';
import { averApiConfig } from '../helpers/config.js';
import { averApiFixture as fixture } from '../helpers/fixtures.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { memoryLogger } from '../helpers/logger.js';

const BASE = 'http://aver.test/api';
const KEY = 'key-7f2a9c41';
const SECRET = 'secret-d81e5b0f77';
const BASIC = 'Basic ' + Buffer.from(`${KEY}:${SECRET}`).toString('base64');
const CHECK_ID = '51771bd7-a5b5-4ab9-913c-f1dc15429f11';
const WATCHLIST_ID = 'f4d8f910-8a7b-42f0-ba40-2b2c17cb9118';

function setup(over: Partial<AverApiConfig> = {}) {
  const clock = fakeClock();
  const log = memoryLogger('trace');
  const client = createAverApiClient(averApiConfig({ baseUrl: BASE, key: KEY, secret: SECRET, ...over }), { fetch: globalThis.fetch, clock, logger: log.logger });
  return { client, clock, log };
}

async function rejection(p: Promise<unknown>): Promise<BridgeError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(BridgeError);
    return err as BridgeError;
  }
  throw new Error('expected the call to reject, but it resolved');
}

function expectNoSecrets(text: string, tokens: string[] = []) {
  for (const secret of [KEY, SECRET, BASIC.slice(6), ...tokens]) expect(text).not.to.include(secret);
}

describe('createAverApiClient', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('gets a token with HTTP Basic key:secret and calls with Bearer', async () => {
    const { client } = setup();
    const scope = nock(BASE)
      .get('/auth/token').matchHeader('authorization', BASIC).reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('check'));
    const check = await client.getCheck(CHECK_ID);
    expect(check).to.deep.equal(fixture('check'));
    scope.done();
  });

  it('reuses one token across calls, including concurrent first calls', async () => {
    const { client } = setup();
    const scope = nock(BASE)
      .get('/auth/token').once().reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('check-results'))
      .get(`/watchlist/${WATCHLIST_ID}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('watchlist'))
      .get(`/watchlist/${WATCHLIST_ID}/results`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('watchlist-results'));
    const [a, b] = await Promise.all([client.getCheck(CHECK_ID), client.getCheckResults(CHECK_ID)]);
    const c = await client.getWatchlist(WATCHLIST_ID);
    const d = await client.getWatchlistResults(WATCHLIST_ID);
    expect([a.id, b.id, c.id, d.id]).to.deep.equal([CHECK_ID, CHECK_ID, WATCHLIST_ID, WATCHLIST_ID]);
    scope.done();
  });

  it('keeps the token until shortly before expiry, then refreshes it with POST /auth/refresh', async () => {
    const { client, clock } = setup();
    const scope = nock(BASE)
      .get('/auth/token').once().reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).times(2).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('check'))
      .post('/auth/refresh', { token: 'tok-1' }).reply(200, { token: 'tok-2' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-2').reply(200, fixture('check'));
    await client.getCheck(CHECK_ID);
    clock.advance(TOKEN_LIFETIME_MS - TOKEN_REFRESH_BEFORE_MS - 1000);
    await client.getCheck(CHECK_ID);
    clock.advance(2000);
    await client.getCheck(CHECK_ID);
    scope.done();
  });

  it('shares one refresh among concurrent callers', async () => {
    const { client, clock } = setup();
    const scope = nock(BASE)
      .get('/auth/token').once().reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('check'))
      .post('/auth/refresh', { token: 'tok-1' }).once().reply(200, { token: 'tok-2' })
      .get(`/check/${CHECK_ID}`).times(3).matchHeader('authorization', 'Bearer tok-2').reply(200, fixture('check'));
    await client.getCheck(CHECK_ID);
    clock.advance(TOKEN_LIFETIME_MS - 60_000);
    await Promise.all([client.getCheck(CHECK_ID), client.getCheck(CHECK_ID), client.getCheck(CHECK_ID)]);
    scope.done();
  });

  it('asks for a new token, not a refresh, once the token has expired', async () => {
    const { client, clock } = setup();
    const scope = nock(BASE)
      .get('/auth/token').matchHeader('authorization', BASIC).reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture('check'))
      .get('/auth/token').matchHeader('authorization', BASIC).reply(200, { token: 'tok-2' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-2').reply(200, fixture('check'));
    await client.getCheck(CHECK_ID);
    clock.advance(TOKEN_LIFETIME_MS + 1);
    await client.getCheck(CHECK_ID);
    scope.done();
  });

  it('falls back to a new token when the refresh fails', async () => {
    const { client, clock } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .post('/auth/refresh', { token: 'tok-1' }).reply(500, 'boom')
      .get('/auth/token').matchHeader('authorization', BASIC).reply(200, { token: 'tok-2' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-2').reply(200, fixture('check'));
    await client.getCheck(CHECK_ID);
    clock.advance(TOKEN_LIFETIME_MS - 60_000);
    await client.getCheck(CHECK_ID);
    scope.done();
  });

  it('answers a 401 on a data call with one new token and one retry', async () => {
    const { client } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}/results`).matchHeader('authorization', 'Bearer tok-1').reply(401)
      .get('/auth/token').matchHeader('authorization', BASIC).reply(200, { token: 'tok-2' })
      .get(`/check/${CHECK_ID}/results`).matchHeader('authorization', 'Bearer tok-2').reply(200, fixture('check-results'));
    const results = await client.getCheckResults(CHECK_ID);
    expect(results.status).to.equal('Rejected');
    scope.done();
  });

  it('gives up with aver_api_unauthorized when the retry is also refused', async () => {
    const { client, log } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/watchlist/${WATCHLIST_ID}`).reply(401)
      .get('/auth/token').reply(200, { token: 'tok-2' })
      .get(`/watchlist/${WATCHLIST_ID}`).reply(401);
    const err = await rejection(client.getWatchlist(WATCHLIST_ID));
    expect(err.code).to.equal('aver_api_unauthorized');
    scope.done();
    expectNoSecrets(err.message + JSON.stringify(err) + log.text(), ['tok-1', 'tok-2']);
  });

  it('reports a rejected key and secret as aver_api_unauthorized without naming them', async () => {
    const { client, log } = setup();
    const scope = nock(BASE).get('/auth/token').reply(401, { message: 'invalid credentials' });
    const err = await rejection(client.getCheck(CHECK_ID));
    expect(err.code).to.equal('aver_api_unauthorized');
    expect(err.message).to.include('aver.api.key');
    scope.done();
    expectNoSecrets(err.message + String(err.stack) + log.text());
  });

  it('maps other HTTP failures to aver_api_http_<status>', async () => {
    const { client } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).reply(503, 'Service Unavailable')
      .get(`/watchlist/${WATCHLIST_ID}/results`).reply(404, { message: 'not found' });
    expect((await rejection(client.getCheck(CHECK_ID))).code).to.equal('aver_api_http_503');
    expect((await rejection(client.getWatchlistResults(WATCHLIST_ID))).code).to.equal('aver_api_http_404');
    scope.done();
  });

  it('gives up with aver_api_timeout after timeoutMs', async () => {
    const { client } = setup({ timeoutMs: 50 });
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).delay(3000).reply(200, fixture('check'));
    const err = await rejection(client.getCheck(CHECK_ID));
    expect(err.code).to.equal('aver_api_timeout');
    scope.done();
  });

  it('gives up with aver_api_aborted when the caller aborts', async () => {
    const { client } = setup();
    nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).delay(3000).reply(200, fixture('check'));
    const ac = new AbortController();
    const p = client.getCheck(CHECK_ID, ac.signal);
    setTimeout(() => ac.abort(), 20);
    expect((await rejection(p)).code).to.equal('aver_api_aborted');
  });

  it('reports a body that is not JSON, and a network failure, as aver_api_error', async () => {
    const { client } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).reply(200, '<html>maintenance</html>', { 'content-type': 'text/html' })
      .get(`/watchlist/${WATCHLIST_ID}`).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    expect((await rejection(client.getCheck(CHECK_ID))).code).to.equal('aver_api_error');
    expect((await rejection(client.getWatchlist(WATCHLIST_ID))).code).to.equal('aver_api_error');
    scope.done();
  });

  it('reports a token response without a token as aver_api_error', async () => {
    const { client } = setup();
    const scope = nock(BASE).get('/auth/token').reply(200, { notAToken: true });
    expect((await rejection(client.getCheck(CHECK_ID))).code).to.equal('aver_api_error');
    scope.done();
  });

  it('escapes ids into one path segment', async () => {
    const { client } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get('/check/a%2F..%2Fb').reply(200, { id: 'a/../b' });
    expect((await client.getCheck('a/../b')).id).to.equal('a/../b');
    scope.done();
  });

  describe('ids that could leave their path segment (a real HTTP server sees what is sent)', () => {
    let aver: FakeHttp;
    let client: ReturnType<typeof createAverApiClient>;
    beforeEach(async () => {
      nock.enableNetConnect('127.0.0.1');
      aver = await startFakeHttp((req) => (req.path === '/api/auth/token' ? { body: { token: 'tok-1' } } : { body: { id: 'answered' } }));
      client = createAverApiClient(averApiConfig({ baseUrl: `${aver.url}/api`, key: KEY, secret: SECRET }), { fetch: globalThis.fetch, clock: fakeClock(), logger: memoryLogger('trace').logger });
    });
    afterEach(async () => aver.close());

    const calls = (c: typeof client, id: string) => [c.getCheck(id), c.getCheckResults(id), c.getWatchlist(id), c.getWatchlistResults(id)];

    for (const id of ['..', '.', '']) {
      it(`refuses the id ${JSON.stringify(id)} with aver_api_invalid_id, calling nothing with the token`, async () => {
        for (const call of calls(client, id)) expect((await rejection(call)).code).to.equal('aver_api_invalid_id');
        expect(aver.requests.map((r) => r.path)).to.deep.equal([]);
      });
    }

    for (const id of ['...', '%2e%2e', '.%2E', '..\\', '..;', '?x=1', '#top', 'a\\..\\b', ' .. ']) {
      it(`keeps the id ${JSON.stringify(id)} inside /check/ and /watchlist/`, async () => {
        for (const call of calls(client, id)) await call;
        const paths = aver.requests.filter((r) => r.path !== '/api/auth/token').map((r) => r.path);
        const seg = encodeURIComponent(id);
        expect(paths).to.deep.equal([`/api/check/${seg}`, `/api/check/${seg}/results`, `/api/watchlist/${seg}`, `/api/watchlist/${seg}/results`]);
        for (const p of paths) expect(decodeURIComponent(p.split('/')[3])).to.equal(id);
      });
    }
  });

  it('logs neither key, secret nor token through a whole token life cycle', async () => {
    const { client, clock, log } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-secret-1' })
      .get(`/check/${CHECK_ID}`).reply(401)
      .get('/auth/token').reply(200, { token: 'tok-secret-2' })
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .post('/auth/refresh', { token: 'tok-secret-2' }).reply(502)
      .get('/auth/token').reply(200, { token: 'tok-secret-3' })
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'));
    await client.getCheck(CHECK_ID);
    clock.advance(TOKEN_LIFETIME_MS - 60_000);
    await client.getCheck(CHECK_ID);
    scope.done();
    expect(log.lines().length).to.be.greaterThan(0);
    expectNoSecrets(log.text(), ['tok-secret-1', 'tok-secret-2', 'tok-secret-3']);
  });
});
