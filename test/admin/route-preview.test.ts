import { expect } from 'chai';
import { main } from '../../src/cli.js';
import { startBridge, type TestBridge } from '../helpers/bridge.js';
import { startFakeSlack } from '../helpers/fake-slack.js';

const ADMIN = 'admin-token-0123456789';
const EVIL_ID = '<img src=x onerror=alert(1)>';

describe('the admin route tester previews what each receiver reached would post', () => {
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let t: TestBridge;
  const auth = { authorization: `Bearer ${ADMIN}` };

  before(async () => {
    slack = await startFakeSlack();
    t = await startBridge(`
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { g-1: "EU onboarding" }
admin: { token: "${ADMIN}" }
slack: { botToken: xoxb-test-token-0000, apiUrl: ${slack.apiUrl} }
templates:
  kyc:
    headline: "KYC {{ id }} is {{ status }}"
receivers:
  - name: ops
    console: {}
  - name: kyc-slack
    template: kyc
    slack: { channel: C0123456789 }
  - name: audit
    webhook: { url: "https://audit.example/hook?token=query-secret" }
route:
  receiver: ops
  routes:
    - { matchers: ['status = "Rejected"'], receiver: kyc-slack, continue: true }
    - { matchers: ['status = "Rejected"'], receiver: audit }
`);
  });
  after(async () => {
    await t?.stop();
    await slack?.close();
  });

  it('GET /admin/api/routes/test: a preview per receiver reached, the same as aver-bridge preview prints', async () => {
    const query = new URLSearchParams({ type: 'LiveCheck', status: 'Rejected', groupId: 'g-1', id: 'chk-1' });
    const json = await (await fetch(`${t.url}/admin/api/routes/test?${query}`, { headers: auth })).json() as {
      receivers: string[];
      previews: Array<{ receiver: string; kind: string; headline: string; text: string; payload: unknown }>;
    };
    expect(json.receivers).to.deep.equal(['kyc-slack', 'audit']);
    expect(json.previews.map((p) => `${p.receiver}:${p.kind}`)).to.deep.equal(['kyc-slack:slack', 'audit:webhook']);
    expect(json.previews[0].headline).to.equal('🔴 KYC chk-1 is Rejected');

    const out: string[] = [];
    const code = await main(['preview', '--config', t.bridge.config.source.file, '--receiver', 'kyc-slack', '--format', 'text', 'type=LiveCheck', 'status=Rejected', 'groupId=g-1', 'id=chk-1'], { out: (s) => out.push(s) > 0, err: () => undefined });
    expect(code).to.equal(0);
    // The same text, but for the minute the two were made in.
    const minute = (s: string) => s.replace(/<!date[^>]*>|\d+ \w+ \d{4}, \d\d:\d\d \w+/g, 'TIME');
    expect(minute(out.slice(1).join('\n').trim())).to.equal(minute(json.previews[0].text));
    expect(JSON.stringify(json)).to.not.contain('query-secret');
  });

  it('the page shows each preview, escaped', async () => {
    const q = new URLSearchParams({ rt: '1', type: 'LiveCheck', status: 'Rejected', groupId: 'g-1', id: EVIL_ID, labels: '' });
    const res = await fetch(`${t.url}/admin?${q}`, { headers: auth });
    expect(res.status).to.equal(200);
    const page = await res.text();
    const previews = /<h3>Preview<\/h3>[\s\S]*<\/div>\n<\/div>/.exec(page)![0];
    expect(previews).to.contain('<div class="preview" id="preview-kyc-slack">').and.contain('<div class="preview" id="preview-audit">');
    expect(previews).to.contain('# 🔴 KYC &lt;img src=x onerror=alert(1)&gt; is Rejected');
    expect(previews).to.contain('<summary class="small">JSON payload</summary>');
    expect(page).to.not.contain(EVIL_ID);
    expect(page).to.not.contain('query-secret');
  });
});
