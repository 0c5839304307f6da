import { expect } from 'chai';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';

// Issue 13, finding 11: an entity id of `..` made the enrichment client call other paths of Aver's host with its
// Bearer token (`/api/check/..` is `/api/`). Replayed against a real bridge: webhooks with ids that try to leave
// their path segment are delivered, and Aver's API sees the token only on `/check/{id}` and `/watchlist/{id}`.

const SECRET = 's3cret-value';
const IDS = ['..', '.', '../auth/token', '%2e%2e', '..%2F..', 'a/../../admin', '?x=1', '#top'];

describe('fault: entity ids never take the Aver API token to another path (issue 13, finding 11)', () => {
  let aver: FakeHttp;
  let t: TestBridge;
  before(async () => {
    aver = await startFakeHttp((req) => (req.path === '/api/auth/token' ? { body: { token: 'aver-token-1' } } : { status: 404 }));
    t = await startBridge(`
aver:
  webhook: { secrets: ["${SECRET}"] }
  api: { baseUrl: "${aver.url}/api", key: aver-key, secret: aver-api-secret-value, timeout: 1s }
delivery: { pollInterval: 20ms }
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`);
  });
  after(async () => {
    await t.stop();
    await aver.close();
  });

  it('delivers each webhook, and sends the token nowhere but /check/{one segment} and /watchlist/{one segment}', async () => {
    const types = ['LiveCheck', 'WatchlistSearch'];
    for (const id of IDS) {
      for (const type of types) {
        const answer = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type, id, groupId: 'grp-1', status: 'Completed' } }, { authorization: SECRET });
        expect(answer.status, `${type} ${id}`).to.equal(202);
      }
    }
    await waitFor(() => t.consoleLines.length === IDS.length * types.length, 'every webhook delivered', 10_000);
    expect(new Set(t.consoleLines.map((l) => l.id))).to.deep.equal(new Set(IDS));
    const withToken = aver.requests.filter((r) => r.headers.authorization === 'Bearer aver-token-1');
    expect(withToken, 'ids that name a segment are still looked up').to.not.be.empty;
    for (const r of withToken) {
      const m = /^\/api\/(check|watchlist)\/([^/?#]+)(\/results)?$/.exec(r.path);
      expect(m, r.path).to.not.equal(null);
      expect(IDS, r.path).to.include(decodeURIComponent(m![2]));
    }
  });
});
