import { expect } from 'chai';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { usePostgres } from '../helpers/postgres.js';

const SECRET = 's3cret-value';

describe('replicas: routing with enrichment on one PostgreSQL', function () {
  this.timeout(30_000);
  const db = usePostgres('routing-lease tests (two bridges on PostgreSQL)');
  let aver: FakeHttp | undefined;
  const bridges: TestBridge[] = [];
  const stores: Store[] = [];

  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.stop();
    for (const s of stores.splice(0)) await s.close();
    await aver?.close();
  });

  it('each event is routed by one replica: Aver\'s API is asked about each check once, not once a replica', async () => {
    // A slow API (150 ms an answer), so a replica that took an event is still routing it when the other looks.
    aver = await startFakeHttp((req) => {
      if (req.path === '/api/auth/token') return { body: { token: 'aver-token-1' } };
      const m = /^\/api\/check\/([^/]+)(\/results)?$/.exec(req.path);
      if (!m) return { status: 404 };
      return { delayMs: 150, body: m[2] ? { id: m[1], status: 'Rejected', statusReason: 'DocumentExpired', warnings: [] } : { id: m[1], status: 'Rejected' } };
    });
    const first = await db().freshStore();
    await first.migrate();
    const second = await db().sibling(first);
    stores.push(first, second);
    const yaml = `
aver:
  webhook: { secrets: ["${SECRET}"] }
  api: { baseUrl: "${aver.url}/api", key: aver-key, secret: aver-api-secret-value, timeout: 2s }
delivery: { pollInterval: 20ms }
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`;
    for (const store of [first, second]) bridges.push(await startBridge(yaml, { store }));
    const ids = Array.from({ length: 12 }, (_, i) => `lease-check-${i}`);
    await Promise.all(ids.map(async (id, i) => {
      const res = await postWebhook(`${bridges[i % 2].url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g', status: 'Rejected' } }, { authorization: SECRET });
      expect(res.status).to.equal(202);
    }));
    await waitFor(() => bridges.reduce((n, b) => n + b.consoleLines.length, 0) >= ids.length, 'every event delivered', 20_000);
    const asked = new Map<string, number>();
    for (const r of aver.requests) {
      const m = /^\/api\/check\/([^/]+)$/.exec(r.path);
      if (m) asked.set(m[1], (asked.get(m[1]) ?? 0) + 1);
    }
    expect([...asked.keys()].sort()).to.deep.equal([...ids].sort());
    expect([...asked].filter(([, n]) => n > 1), 'checks asked about by both replicas').to.deep.equal([]);
    expect(bridges.reduce((n, b) => n + b.consoleLines.length, 0), 'each delivered once').to.equal(ids.length);
  });
});
