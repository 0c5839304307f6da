import { expect } from 'chai';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { usePostgres, type TestPostgres } from '../helpers/postgres.js';
import { postgresError, refusingStore } from '../helpers/refusing-store.js';
import { runCli } from '../helpers/server-process.js';

// Issue 13, finding 2: text from Aver's API kept its control characters; on PostgreSQL a NUL made the routing batch
// fail every ~14 s, forever, and the 5 events accepted beside it were never routed. Replayed against a real bridge.

const SECRET = 's3cret-value';
const ADMIN = 'admin-token-for-stuck-routing-tests';
const HOSTILE = 'check-with-a-nul';
const OTHERS = ['check-a', 'check-b', 'check-c', 'check-d', 'check-e'];

/** Aver's API: every check Rejected with expired documents; one answers with a NUL and a lone surrogate in its text. */
async function fakeAver(): Promise<FakeHttp> {
  return startFakeHttp((req) => {
    if (req.path === '/api/auth/token') return { body: { token: 'aver-token-1' } };
    const m = /^\/api\/check\/([^/]+)(\/results)?$/.exec(req.path);
    if (!m) return { status: 404 };
    const hostile = m[1] === HOSTILE;
    const summary = { id: m[1], status: 'Rejected', statusReason: hostile ? 'Expired\u0000Documents' : 'ExpiredDocuments', thirdPartyIdentifier: hostile ? 'tp-\u0000-1' : 'tp-1' };
    return { body: m[2] ? { ...summary, warnings: hostile ? ['WatchlistHitsFound\u0000', 'Odd\ud800Warning'] : ['WatchlistHitsFound'] } : summary };
  });
}

function yaml(aver: FakeHttp, storageUrl: string): string {
  return `
aver:
  webhook: { secrets: ["${SECRET}"] }
  api: { baseUrl: "${aver.url}/api", key: aver-key, secret: aver-api-secret-value, timeout: 2s }
admin: { token: "${ADMIN}" }
delivery: { pollInterval: 20ms }
storage: { url: "${storageUrl}" }
receivers:
  - name: ops
    console: {}
  - name: compliance
    console: {}
route:
  receiver: ops
  routes:
    - matchers: ['warnings =~ ".*WatchlistHitsFound.*"']
      receiver: compliance
      continue: true
    - receiver: ops
`;
}

const post = (t: TestBridge, id: string) =>
  postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'grp-1', status: 'Rejected' } }, { authorization: SECRET });

/** Lines delivered per entity id, by receiver. */
function deliveries(t: TestBridge): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const l of t.consoleLines) by.set(l.id as string, [...(by.get(l.id as string) ?? []), l.receiver as string]);
  return by;
}

const NOT_STORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string and key in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
}

function replay(name: string, storage: () => Promise<{ url: string; open: () => Promise<Store> }>): void {
  describe(`on ${name}`, function () {
    this.timeout(60_000);
    let aver: FakeHttp;
    let t: TestBridge | undefined;
    let store: Store | undefined;
    beforeEach(async () => { aver = await fakeAver(); });
    afterEach(async () => {
      await t?.stop();
      await store?.close();
      t = store = undefined;
      await aver.close();
    });

    it('an event whose Aver text carries a NUL and a lone surrogate is delivered, cleaned, and so are the 5 beside it', async () => {
      const { url } = await storage();
      t = await startBridge(yaml(aver, url));
      const answers = await Promise.all([...OTHERS.slice(0, 2), HOSTILE, ...OTHERS.slice(2)].map((id) => post(t!, id)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(6).fill(202));
      await waitFor(() => [HOSTILE, ...OTHERS].every((id) => deliveries(t!).get(id)?.length === 2), 'each check delivered to ops and compliance', 20_000);
      const line = t.consoleLines.find((l) => l.id === HOSTILE)!;
      expect(JSON.stringify(line.details)).to.include('Expired');
      const stored = await t.bridge.store.getEvent(answers[2].json.eventId);
      expect(stored?.details?.warnings?.join(' ')).to.include('Watchlist');
      expect(strings([line, stored]).filter((s) => NOT_STORABLE.test(s)), 'no NUL or lone surrogate left').to.deep.equal([]);
      expect(await t.bridge.store.listJobs({ state: 'dead', limit: 10 })).to.deep.equal([]);
    });

    it('an event the store will not route is parked: dead-lettered with the reason (admin page, CLI), the others delivered; a retry delivers it', async () => {
      const { url, open } = await storage();
      store = await open();
      const refusing = refusingStore(store, {
        routeEvents: (results) => (results.some((r) => r.labels.id === HOSTILE) ? postgresError('22P05', 'unsupported Unicode escape sequence') : undefined),
      });
      t = await startBridge(yaml(aver, url), { store: refusing });
      const answers = await Promise.all([HOSTILE, ...OTHERS].map((id) => post(t!, id)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(6).fill(202));
      await waitFor(() => OTHERS.every((id) => deliveries(t!).get(id)?.length === 2), 'the 5 others delivered', 20_000);

      const api = await waitFor(async () => {
        const res = await fetch(`${t!.url}/admin/api/dead-letters`, { headers: { authorization: `Bearer ${ADMIN}` } });
        const json = (await res.json()) as { deadLetters: Array<{ jobId: number; receiver: string; lastReason: string; event: { id: string } }> };
        return json.deadLetters.length === 2 ? json.deadLetters : undefined;
      }, 'two dead letters in the admin API', 20_000);
      expect(api.map((d) => [d.event.id, d.receiver]).sort()).to.deep.equal([[HOSTILE, 'compliance'], [HOSTILE, 'ops']]);
      for (const d of api) expect(d.lastReason).to.match(/^not routed: .*unsupported Unicode escape sequence/);
      const page = await (await fetch(`${t.url}/admin`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
      expect(page).to.include('not routed: the store refused its route result');

      const config = join(t.dir, 'aver-bridge.yaml');
      const listed = await runCli(['dead-letters', 'list', '--config', config]);
      expect(listed.code).to.equal(0);
      const lines = listed.stdout.trim().split('\n').filter((l) => l.includes(HOSTILE));
      expect(lines).to.have.length(2);
      for (const l of lines) expect(l).to.include('not routed: the store refused its route result');
      expect(deliveries(t).has(HOSTILE), 'parked, not delivered').to.equal(false);

      const ops = api.find((d) => d.receiver === 'ops')!;
      const retried = await runCli(['dead-letters', 'retry', String(ops.jobId), '--config', config]);
      expect(retried.code, retried.stderr).to.equal(0);
      await waitFor(() => deliveries(t!).get(HOSTILE)?.includes('ops'), 'the parked event delivered after the retry', 20_000);
    });
  });
}

describe('fault: an event routing cannot store is parked, never blocking the others (issue 13, finding 2)', () => {
  const temp = tempDir();
  after(() => temp.cleanup());
  let k = 0;
  replay('SQLite', async () => {
    const url = `sqlite:${join(temp.dir, `bridge-${++k}.db`)}`;
    return { url, open: () => openStore(url) };
  });

  describe('with PostgreSQL', () => {
    const db = usePostgres('finding 2 on PostgreSQL');
    let pg: TestPostgres;
    before(() => { pg = db(); });
    replay('PostgreSQL', async () => {
      const url = pg.urlFor(await pg.freshSchema());
      return { url, open: () => openStore(url) };
    });
  });
});
