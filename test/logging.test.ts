import { expect } from 'chai';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createLogger } from '../src/logger.js';
import { postWebhook, startBridge, waitFor, type TestBridge } from './helpers/bridge.js';
import { memoryStream } from './helpers/logger.js';

const WEBHOOK_SECRET = 'whsec-LOGTEST-0001';
const NEXT_SECRET = 'whsec-LOGTEST-0002';
const WRONG_SECRET = 'wrong-LOGTEST-0003';
const SLACK_TOKEN = 'xoxb-1111111111-2222222222-LOGTESTabcdefghij';
const SLACK_SIGNING = 'sign-LOGTEST-0004';
const HOOK_TOKEN = 'hooktok-LOGTEST-0005';
const URL_TOKEN = 'urltok-LOGTEST-0006';
const SECRETS = [WEBHOOK_SECRET, NEXT_SECRET, WRONG_SECRET, SLACK_TOKEN, SLACK_SIGNING, HOOK_TOKEN, URL_TOKEN];

/** The production logger (with its redaction), at trace level, writing into memory. */
function captureLogger() {
  const out = memoryStream();
  return { ...out, logger: createLogger('trace', out.stream) };
}

/**
 * Outside our walls, on 127.0.0.1: Slack's auth.test, and a webhook receiver
 * that fails an event's first attempt (echoing its token back, as a careless
 * server might) and accepts the second.
 */
async function fakeOutside() {
  const seen = new Map<string, number>();
  const requests: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers });
      if (req.url === '/slack/api/auth.test') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, url: 'https://t.example/', team: 'T', user: 'bot', team_id: 'T1', user_id: 'U1', bot_id: 'B1' }));
        return;
      }
      const id = String(req.headers['x-aver-bridge-event-id']);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n === 1) res.writeHead(500, { 'content-type': 'text/plain' }).end(`bad token ${String(req.headers['x-token'])} at ${req.url}`);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { port, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('logging: one line per accepted event and per delivery attempt, never a secret', () => {
  let outside: Awaited<ReturnType<typeof fakeOutside>>;
  let t: TestBridge;
  let log: ReturnType<typeof captureLogger>;
  const bodies: string[] = [];

  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    outside = await fakeOutside();
    log = captureLogger();
    t = await startBridge(`
aver:
  webhook:
    secrets: ["\${WH_SECRET}", "${NEXT_SECRET}"]
slack:
  botToken: "\${SLACK_BOT_TOKEN}"
  signingSecret: ${SLACK_SIGNING}
  apiUrl: http://127.0.0.1:${outside.port}/slack/api/
delivery:
  backoff: { base: 20ms, cap: 50ms }
  pollInterval: 20ms
receivers:
  - name: audit-hook
    webhook: { url: "http://127.0.0.1:${outside.port}/hook/${URL_TOKEN}?sig=${URL_TOKEN}", headers: { x-token: "\${HOOK_TOKEN}" } }
route:
  receiver: audit-hook
`, { logger: log.logger, env: { WH_SECRET: WEBHOOK_SECRET, SLACK_BOT_TOKEN: SLACK_TOKEN, HOOK_TOKEN } });
  });
  after(async () => {
    await t.stop();
    await outside.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  async function post(body: unknown, headers: Record<string, string>) {
    const res = await postWebhook(`${t.url}/webhooks/aver`, body, headers);
    bodies.push(JSON.stringify(res.json));
    return res;
  }

  it('the fakes were really used: Slack auth.test with the token, the receiver with its header', async () => {
    const res = await post({ statusMessage: { type: 'LiveCheck', id: 'log-0', groupId: 'g', status: 'Completed' } }, { authorization: WEBHOOK_SECRET });
    expect(res.status).to.equal(202);
    await waitFor(() => outside.requests.filter((r) => r.url.startsWith('/hook/')).length >= 2, 'two attempts at the receiver');
    expect(outside.requests.find((r) => r.url === '/slack/api/auth.test')?.headers.authorization).to.equal(`Bearer ${SLACK_TOKEN}`);
    expect(outside.requests.find((r) => r.url.startsWith('/hook/'))?.headers['x-token']).to.equal(HOOK_TOKEN);
  });

  it('logs one "event accepted" line per accepted event, and one line per delivery attempt, each with the eventId', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const res = await post({ statusMessage: { type: 'LiveCheck', id: `log-${i}`, groupId: 'g', status: 'Rejected' } }, { authorization: i === 2 ? NEXT_SECRET : WEBHOOK_SECRET });
      expect(res.status).to.equal(202);
      ids.push(res.json.eventId);
    }
    const delivered = (id: string) => log.records().some((l) => l.eventId === id && l.msg === 'delivered');
    await waitFor(() => ids.every(delivered), 'every event delivered');
    for (const id of ids) {
      const mine = log.records().filter((l) => l.eventId === id);
      expect(mine.filter((l) => l.msg === 'event accepted'), id).to.have.length(1);
      const attempts = mine.filter((l) => l.attempt !== undefined && /deliver/.test(l.msg));
      // The receiver fails the first attempt and accepts the second: two attempts, two lines.
      expect(attempts.map((l) => [l.attempt, l.msg])).to.deep.equal([[1, 'delivery failed; will retry'], [2, 'delivered']]);
      expect(attempts[0].reason).to.be.a('string').and.contain('500');
      for (const l of attempts) expect(l.receiver).to.equal('audit-hook');
    }
  });

  it('a duplicate is logged as such, not as a second accepted event', async () => {
    const body = { statusMessage: { type: 'LiveCheck', id: 'log-dup', groupId: 'g', status: 'Completed' } };
    const first = await post(body, { authorization: WEBHOOK_SECRET });
    const again = await post(body, { authorization: WEBHOOK_SECRET });
    expect(again.status).to.equal(200);
    const mine = log.records().filter((l) => l.eventId === first.json.eventId);
    expect(mine.filter((l) => l.msg === 'event accepted')).to.have.length(1);
    expect(mine.filter((l) => l.msg === 'duplicate webhook')).to.have.length(1);
  });

  it('no secret appears in any log line or error body, whatever was posted', async () => {
    // Rejected requests that carry secrets in every place they could be echoed from.
    await post({ statusMessage: { type: 'LiveCheck', id: 'x', groupId: 'g', status: 'Completed' } }, { authorization: WRONG_SECRET });
    await post({ statusMessage: { type: 'LiveCheck', id: 'x', groupId: 'g', status: 'Completed' } }, { authorization: `${WEBHOOK_SECRET} ` });
    await post({ statusMessage: { type: `${WEBHOOK_SECRET}\u0007`, id: 12, groupId: SLACK_TOKEN, status: '' } }, { authorization: WEBHOOK_SECRET });
    await post(`{"statusMessage": "${WEBHOOK_SECRET}`, { authorization: WEBHOOK_SECRET });
    await post({ statusMessage: {} }, { authorization: WEBHOOK_SECRET, 'content-type': 'text/plain' });
    await post({ statusMessage: {} }, { authorization: WEBHOOK_SECRET, cookie: `session=${WEBHOOK_SECRET}` });
    const failed = await fetch(`${t.url}/webhooks/aver`, { method: 'GET', headers: { authorization: WEBHOOK_SECRET } });
    bodies.push(await failed.text());
    // A Slack request signed with nothing: refused without echoing the signing secret.
    const slack = await fetch(`${t.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: SLACK_TOKEN }) });
    bodies.push(await slack.text());

    expect(bodies.length).to.be.greaterThan(8);
    expect(log.records().length).to.be.greaterThan(20);
    const everything = `${log.text()}\n${bodies.join('\n')}`;
    for (const s of SECRETS) expect(everything, `"${s}" leaked`).to.not.contain(s);
    // Partial leaks: the distinctive middle of each secret.
    for (const s of SECRETS) expect(everything).to.not.contain(s.slice(4, -4));
  });
});

describe('logging: every refused webhook at warn, with no secret', () => {
  let t: TestBridge;
  let log: ReturnType<typeof captureLogger>;
  const webhook = { statusMessage: { type: 'LiveCheck', id: 'refused-1', groupId: 'g', status: 'Completed' } };

  before(async () => {
    log = captureLogger();
    t = await startBridge(`
aver:
  webhook:
    secrets: ["${WEBHOOK_SECRET}"]
    maxBodyBytes: 256
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`, { logger: log.logger });
  });
  after(() => t.stop());

  const refusals = () => log.records().filter((l) => l.level === 40 && l.msg.startsWith('webhook refused'));

  it('a webhook with a wrong secret: one warn line naming the status, code and remote address, and no secret', async () => {
    const res = await postWebhook(`${t.url}/webhooks/aver`, webhook, { authorization: WRONG_SECRET });
    expect(res.status).to.equal(401);
    const lines = refusals();
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ status: 401, code: 'unauthorized', remoteAddress: '127.0.0.1', path: '/webhooks/aver', msg: 'webhook refused: 401 unauthorized' });
    expect(log.text()).to.not.contain(WRONG_SECRET).and.not.contain(WEBHOOK_SECRET);
  });

  it('415, 413, 400 and 422 each get their line too, with neither body nor header value', async () => {
    const url = `${t.url}/webhooks/aver`;
    const auth = { authorization: WEBHOOK_SECRET };
    expect((await postWebhook(url, webhook, { ...auth, 'content-type': 'text/plain' })).status).to.equal(415);
    expect((await postWebhook(url, { statusMessage: { type: 'x'.repeat(400) } }, auth)).status).to.equal(413);
    expect((await postWebhook(url, '{"statusMessage": BODY-LOGTEST', auth)).status).to.equal(400);
    expect((await postWebhook(url, { statusMessage: { type: 'LiveCheck', id: 'BODY-LOGTEST', status: 'Completed' } }, auth)).status).to.equal(422);
    expect(refusals().map((l) => `${String(l.status)} ${String(l.code)}`)).to.deep.equal(['401 unauthorized', '415 unsupported_media_type', '413 payload_too_large', '400 invalid_json', '422 schema_violation']);
    expect(log.text()).to.not.contain('BODY-LOGTEST').and.not.contain(WEBHOOK_SECRET);
  });
});
