import { expect } from 'chai';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp } from '../helpers/fake-http.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { averApiFixture as fixture } from '../helpers/fixtures.js';

const CHECK = fixture('check');
const RESULTS = fixture('check-results');
/** Personal data in the fixtures that must never reach chat or logs by default. */
const PII = ['Jolene', 'Marlowe-Quist', 'jolene.marlow@example.org', '04/17/1987', 'D9472261', '4821 Larkspur Lane'];
const CHANNEL = '19:compliance@thread.tacv2';

describe('Aver API enrichment end to end', () => {
  let aver: Awaited<ReturnType<typeof startFakeHttp>>;
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let connector: Awaited<ReturnType<typeof startFakeHttp>>;
  let t: TestBridge;
  let averUp = true;

  beforeEach(async () => {
    averUp = true;
    aver = await startFakeHttp((req) => {
      if (!averUp) return { status: 503, body: { message: 'down' } };
      if (req.path === '/api/auth/token') return { body: { token: 'aver-token-1' } };
      if (req.headers.authorization !== 'Bearer aver-token-1') return { status: 401 };
      if (req.path === `/api/check/${RESULTS.id}`) return { body: CHECK };
      if (req.path === `/api/check/${RESULTS.id}/results`) return { body: RESULTS };
      return { status: 404 };
    });
    slack = await startFakeSlack();
    connector = await startFakeHttp((req) =>
      req.method === 'POST' && req.path === '/v3/conversations' ? { status: 201, body: { id: `${CHANNEL};messageid=1`, activityId: '1' } } : { status: 200, body: { id: '1' } });
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
  api: { baseUrl: "${aver.url}/api", key: aver-key, secret: aver-api-secret-value, timeout: 1s }
slack: { botToken: xoxb-enrich, apiUrl: "${slack.apiUrl}", verifyToken: false }
server: { host: 127.0.0.1 }
teams: { appId: "", serviceUrl: "${connector.url}/" }
receivers:
  - name: ops
    console: {}
  - name: compliance-slack
    slack: { channel: C0COMPLIANCE }
  - name: compliance-teams
    teams: { channelId: "${CHANNEL}" }
route:
  receiver: ops
  routes:
    - matchers: ['warnings =~ ".*WatchlistHitsFound.*"']
      receiver: compliance-slack
      continue: true
    - matchers: ['warnings =~ ".*WatchlistHitsFound.*"']
      receiver: compliance-teams
`);
  });
  afterEach(async () => {
    await t.stop();
    await Promise.all([aver.close(), slack.close(), connector.close()]);
  });

  const post = (status = 'Rejected') =>
    postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: RESULTS.id, groupId: RESULTS.groupId, status } }, { authorization: 's3cret-value' });

  it('routes a Rejected check by its warnings and names the reason and warnings in Slack and Teams, without personal data', async () => {
    expect((await post()).status).to.equal(202);
    const message = await waitFor(() => slack.calls.find((c) => c.method === 'chat.postMessage'), 'Slack message');
    const card = await waitFor(() => connector.requests.find((r) => r.path === '/v3/conversations'), 'Teams card');
    const slackText = JSON.stringify(message.body);
    const teamsText = JSON.stringify(card.body);
    for (const text of [slackText, teamsText]) {
      expect(text).to.match(/expired/i);
      expect(text).to.match(/watchlist hits/i);
    }
    const everything = slackText + teamsText + t.logs.text() + JSON.stringify(t.consoleLines);
    for (const pii of PII) expect(everything, pii).to.not.include(pii);
    expect(t.logs.text()).to.not.include('aver-api-secret-value').and.not.include('aver-token-1');
  });

  it('delivers promptly without details when the Aver API is down, and says so', async () => {
    averUp = false;
    expect((await post('Failed')).status).to.equal(202);
    const line = await waitFor(() => t.consoleLines[0], 'console delivery', 5000);
    expect(line.details).to.deep.include({ available: false });
    // Without details the warnings matcher cannot match: only the default receiver gets it.
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).to.have.length(0);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).to.match(/aver_bridge_enrichment_unavailable_total\{code="[^"]+"\} 1/);
  });
});
