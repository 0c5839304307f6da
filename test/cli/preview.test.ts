import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { tempDir } from '../helpers/bridge.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const YAML = `
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { check: "https://app.goaver.test/checks/{id}" }
slack: { botToken: xoxb-not-used }
teams: { appId: "00000000-0000-0000-0000-000000000001", appPassword: not-used }
smtp: { url: "smtp://mail.example:587", from: "Aver bridge <bridge@example.com>", user: bridge, password: SECRETSMTP }
templates:
  kyc:
    headline: "KYC {{ id }} is {{ status }}"
receivers:
  - name: kyc-slack
    template: kyc
    slack: { channel: "#kyc-alerts", mention: { Rejected: ["<!subteam^S0123>"] } }
  - name: kyc-teams
    template: kyc
    teams: { team: Compliance, channel: Alerts }
  - name: ops-workflow
    teamsWorkflow: { url: "https://flows.example/workflows/abc?sig=SECRETSIG" }
  - name: audit
    webhook: { url: "https://audit.example/hook", headers: { authorization: "Bearer SECRETBEARER" } }
  - name: ops
    console: {}
  - name: kyc-mail
    template: kyc
    email: { to: ["KYC team <kyc@example.com>"] }
route:
  receiver: ops
  routes:
    - { matchers: ['status = "Rejected"'], receiver: kyc-slack, continue: true }
    - { matchers: ['status = "Rejected"'], receiver: kyc-teams }
`;

describe('aver-bridge preview', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  before(() => {
    dir = tempDir();
    file = join(dir.dir, 'bridge.yaml');
    writeFileSync(file, YAML);
  });
  after(() => dir.cleanup());

  const preview = (...args: string[]) => run(['preview', '--config', file, ...args]);

  it('slack: prints the chat.postMessage arguments as JSON, with the template\'s headline and the mention', async () => {
    const r = await preview('--receiver', 'kyc-slack', 'status=Rejected', 'id=chk-1', 'groupId=grp-eu');
    expect(r.code, r.stderr).to.equal(0);
    const payload = JSON.parse(r.stdout) as { channel: string; text: string; blocks: Array<{ text: { text: string } }> };
    expect(payload.channel).to.equal('#kyc-alerts');
    expect(payload.text).to.equal('<!subteam^S0123> 🔴 KYC chk-1 is Rejected');
    expect(payload.blocks[0].text.text).to.equal('🔴 KYC chk-1 is Rejected');
    expect(r.stderr).to.equal('kyc-slack (slack): chat.postMessage to #kyc-alerts; nothing was sent');
  });

  it('teams: --format text shows the card as a reader would', async () => {
    const r = await preview('--receiver', 'kyc-teams', '--format', 'text', 'status=Rejected', 'id=chk-1', 'groupId=grp-eu', 'statusReason=ExpiredDocuments');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal('kyc-teams (teams): a new thread in Teams channel Compliance / Alerts; nothing was sent');
    expect(r.stdout).to.contain('┃ (style attention)').and.contain('┃ 🔴 KYC chk-1 is Rejected').and.contain('┃ Reason: Documents expired')
      .and.contain('[ Open in Aver ] → https://app.goaver.test/checks/chk-1');
  });

  for (const [receiver, kind, check] of [
    ['ops-workflow', 'teamsWorkflow', (p: Record<string, unknown>) => expect((p.attachments as unknown[]).length).to.equal(1)],
    ['audit', 'webhook', (p: Record<string, unknown>) => expect(p).to.have.keys('event', 'labels', 'attempt', 'message')],
    ['ops', 'console', (p: Record<string, unknown>) => expect(p).to.include({ receiver: 'ops', severity: 'good', headline: '🟢 Live check completed: 7f1c2d3e… · 2d1162b5-0000-0000-0000-000000000000' })],
    ['kyc-mail', 'email', (p: Record<string, unknown>) => expect(p).to.include({ subject: '🟢 KYC 7f1c2d3e-5b6a-4c1d-9e8f-0a1b2c3d4e5f is Completed', from: 'Aver bridge <bridge@example.com>' })],
  ] as const) {
    it(`${kind}: prints its payload as JSON, and as text; no secret of its URL or headers`, async () => {
      const json = await preview('--receiver', receiver);
      expect(json.code, json.stderr).to.equal(0);
      check(JSON.parse(json.stdout) as Record<string, unknown>);
      const text = await preview('--receiver', receiver, '--format', 'text');
      expect(text.code).to.equal(0);
      expect(text.stdout.split('\n')[0]).to.match(new RegExp(`^${receiver} \\(${kind}\\): `));
      expect(json.stdout + json.stderr + text.stdout + text.stderr).to.not.match(/SECRET/);
    });
  }

  it('says when the labels do not reach the receiver', async () => {
    const r = await preview('--receiver', 'kyc-slack', 'status=Completed');
    expect(r.code).to.equal(0);
    expect(r.stderr).to.contain('note: these labels do not reach kyc-slack (they reach: ops); shown anyway');
  });

  it('an unknown receiver, a missing --receiver or a bad --format is a usage error (exit 2)', async () => {
    const unknown = await preview('--receiver', 'nope');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('has no receiver named "nope" (its receivers: kyc-slack, kyc-teams, ops-workflow, audit, ops, kyc-mail)');
    expect((await preview()).stderr).to.contain('preview needs --receiver NAME');
    expect((await preview('--receiver', 'ops', '--format', 'yaml')).stderr).to.contain('--format is json or text, not "yaml"');
  });

  it('is listed in the help, with its options', async () => {
    const help = await run(['preview', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('aver-bridge preview [--config FILE] --receiver NAME [--format json|text]').and.contain('--format json|text');
    expect((await run(['help'])).stdout).to.match(/preview\s+print what a receiver would post/);
  });
});

describe('aver-bridge check-config with templates', () => {
  let dir: ReturnType<typeof tempDir>;
  before(() => { dir = tempDir(); });
  after(() => dir.cleanup());

  it('a template with a syntax error exits 1 naming its line', async () => {
    const file = join(dir.dir, 'broken.yaml');
    writeFileSync(file, YAML.replace('headline: "KYC {{ id }} is {{ status }}"', 'headline: "KYC {{ id is {{ status }}"'));
    const r = await run(['check-config', '--config', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(`${file}: 1 problem`);
    expect(r.stderr).to.match(/- line 11, templates\.kyc\.headline: expected "\|" before filter \(template line 1, column 15\) \(fix the Liquid syntax; the variables are: type, /);
  });

  it('an unknown variable exits 1 with the list of variables', async () => {
    const file = join(dir.dir, 'unknown.yaml');
    writeFileSync(file, YAML.replace('{{ status }}', '{{ state }}'));
    const r = await run(['check-config', '--config', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('line 11, templates.kyc.headline: unknown variable "state"').and.contain('the variables are: type, typeWords, id, status');
  });
});
