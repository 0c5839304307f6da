import { expect } from 'chai';
import { main } from '../../src/cli.js';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp } from '../helpers/fake-http.js';

const SECRET = 's3cret-value';
const ADMIN = 'admin-token-0123456789';
const EVIL_ID = '<img src=x onerror=alert(1)>';

describe('GET /admin (the page, server-rendered)', () => {
  let t: TestBridge;
  let fake: Awaited<ReturnType<typeof startFakeHttp>>;
  const auth = { authorization: `Bearer ${ADMIN}` };
  const getPage = async (query = '') => {
    const res = await fetch(`${t.url}/admin${query}`, { headers: auth });
    expect(res.status).to.equal(200);
    return { res, page: await res.text() };
  };

  before(async () => {
    fake = await startFakeHttp(() => ({ status: 200 }));
    t = await startBridge(`
aver:
  webhook:
    secrets: ["${SECRET}"]
  groups:
    g-1: "Acme <Retail>"
admin: { token: "${ADMIN}" }
delivery: { pollInterval: 20ms }
receivers:
  - name: ops
    console: {}
  - name: hooks
    webhook:
      url: "${fake.url}/in/path-secret?token=query-secret"
      headers: { x-api-key: "header-secret-value" }
route:
  receiver: ops
  routes:
    - receiver: hooks
      matchers: ['status =~ "Rejected|Failed"']
      continue: true
    - receiver: ops
      matchers: ['risk = "high"']
    - receiver: ops
      matchers: ['type = "LiveCheck"']
`);
    const res = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: EVIL_ID, groupId: 'g-1', status: 'Rejected' } }, { authorization: SECRET });
    expect(res.status).to.equal(202);
    await waitFor(async () => (await t.bridge.store.jobsForEvent(res.json.eventId)).filter((j) => j.state === 'done').length === 2, 'both deliveries');
  });

  after(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('sends HTML that may run no script, never cached or framed', async () => {
    const { res } = await getPage();
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).to.include("default-src 'none'").and.include("frame-ancestors 'none'").and.not.include('script-src');
    expect(res.headers.get('cache-control')).to.equal('no-store');
  });

  it('shows the event with the receivers it went to, each delivery state and attempts', async () => {
    const { page } = await getPage();
    const row = /<tr data-event-id="[^"]+">[\s\S]*?<\/tr>/.exec(page)![0];
    expect(row).to.include('LiveCheck').and.include('Rejected');
    expect(row).to.match(/<b>hooks<\/b> · delivered · 1 attempt/).and.match(/<b>ops<\/b> · delivered · 1 attempt/);
    expect(row).to.include('just now');
  });

  it('escapes strings from the webhook and the config', async () => {
    const { page } = await getPage();
    expect(page).to.not.include(EVIL_ID);
    expect(page).to.include('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).to.not.include('Acme <Retail>');
    expect(page).to.include('Acme &lt;Retail&gt;');
  });

  it('summarises the config without a secret, token, webhook path or query', async () => {
    const { page } = await getPage();
    for (const secret of [SECRET, ADMIN, 'query-secret', 'path-secret', 'header-secret-value', 'bridge.db']) expect(page, secret).to.not.include(secret);
    expect(page).to.include('<b>hooks</b></td><td data-label="Kind">webhook</td>');
    expect(page).to.include(`${fake.url}/…`).and.include('x-api-key');
    expect(page).to.include('<b>ops</b></td><td data-label="Kind">console</td>');
    expect(page).to.include('1 secret');
  });

  it('the JSON API does not carry secrets either', async () => {
    const body = await (await fetch(`${t.url}/admin/api/events`, { headers: auth })).text();
    expect(JSON.parse(body).events[0].deliveries.map((d: { receiver: string; state: string }) => `${d.receiver}:${d.state}`)).to.deep.equal(['hooks:done', 'ops:done']);
    for (const secret of [SECRET, ADMIN, 'query-secret', 'header-secret-value']) expect(body, secret).to.not.include(secret);
  });

  describe('route tester', () => {
    async function cli(labels: string[]): Promise<string> {
      const out: string[] = [];
      const code = await main(['routes', 'test', '--config', t.bridge.config.source.file, ...labels], { out: (s) => out.push(s) > 0, err: (s) => out.push(s) > 0 });
      expect(code).to.equal(0);
      return out[0];
    }

    for (const labels of [
      ['type=LiveCheck', 'status=Rejected', 'groupId=g-1'],
      ['type=LiveCheck', 'status=Completed'],
      ['type=LiveCheck', 'status=Completed', 'risk=high'],
      ['status=Failed', 'group=Other'],
    ]) {
      it(`reaches the receivers \`routes test\` prints for ${labels.join(' ')}`, async () => {
        const query = new URLSearchParams(labels.map((l) => l.split('=') as [string, string]));
        const json = await (await fetch(`${t.url}/admin/api/routes/test?${query}`, { headers: auth })).json();
        expect(json.receivers.join(',')).to.equal(await cli(labels));
      });
    }

    it('shows receivers, path and labels on the page; extra labels go in the text area', async () => {
      const q = new URLSearchParams({ rt: '1', type: 'LiveCheck', status: 'Completed', groupId: 'g-1', id: '', labels: 'risk=high\nnot a label' });
      const { page } = await getPage(`?${q}`);
      const result = /<div class="result" id="route-result">[\s\S]*?<\/table>/.exec(page)![0];
      expect(result).to.include('<span class="badge info">ops</span>');
      expect(result).to.not.include('hooks');
      expect(result).to.include('route.routes[1]').and.include('risk = &quot;high&quot;');
      expect(page).to.include('Ignored (not name=value): not a label');
      expect(page).to.include('group=&quot;Acme &lt;Retail&gt;&quot;');
      expect(page).to.include('value="LiveCheck"');
    });

    it('takes labels named __proto__ and constructor as labels, not as the object\'s prototype', async () => {
      const q = new URLSearchParams({ rt: '1', type: 'LiveCheck', status: 'Completed', groupId: '', id: '', labels: '__proto__=p-1\nconstructor=c-1\nrisk=high' });
      const { page } = await getPage(`?${q}`);
      const result = /<div class="result" id="route-result">[\s\S]*?<\/table>/.exec(page)![0];
      expect(result).to.include('route.routes[1]');
      expect(page).to.include('__proto__=&quot;p-1&quot;').and.include('constructor=&quot;c-1&quot;');
    });
  });
});
