import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { messageFor } from '../../src/present/message.js';
import { formatSlackMessage } from '../../src/receivers/slack/format.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeClock, T0 } from '../helpers/clock.js';
import { event, job, labelsOf } from '../helpers/fixtures.js';
import { startSmtpServer, type ReceivedMail, type SmtpTestServer } from '../helpers/smtp-server.js';

const AUTH = { authorization: 's3cret-value' };
const FROM = 'Aver bridge <aver-bridge@bridge.example>';
const ADMIN = 'admin-token-for-the-email-tests';

/** The bridge's config: one e-mail receiver (to and cc), one with a template and a subject template, fast retries. */
function yaml(smtp: SmtpTestServer): string {
  return `
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { check: "https://app.goaver.test/checks/{id}" }
smtp:
  url: ${smtp.url}
  user: ${smtp.user}
  password: ${smtp.password}
  from: "${FROM}"
  tls: { caFile: ${smtp.certFile} }
delivery: { backoff: { base: 10ms, cap: 50ms } }
admin: { token: ${ADMIN} }
templates:
  short:
    headline: "{{ typeWords }} {{ id }}: {{ statusWords }}"
receivers:
  - name: compliance-mail
    email: { to: ["compliance@example.test"], cc: ["Lead <lead@example.test>"] }
  - name: templated-mail
    template: short
    email: { to: ["audit@example.test"], subject: "[Aver] {{ statusWords }}: {{ subject }}" }
route:
  receiver: compliance-mail
  routes:
    - receiver: templated-mail
      matchers: ['id=~"tpl-.*"']
    - receiver: compliance-mail
      matchers: ['type="RecurringWatchlistSearch"']
      group_by: [groupId, type]
      group_wait: 2s
      group_interval: 1h
`;
}

const webhook = (id: string, status: string, groupId = 'grp-eu') => ({ statusMessage: { type: 'LiveCheck', id, groupId, status } });

describe('E-mail end to end: webhook → bridge → a real SMTP server process (STARTTLS, AUTH)', () => {
  const dir = tempDir();
  let smtp: SmtpTestServer;
  let t: TestBridge;
  before(async () => {
    smtp = await startSmtpServer(dir.dir);
  });
  beforeEach(async () => {
    t = await startBridge(yaml(smtp));
  });
  afterEach(async () => {
    await t.stop();
  });
  after(async () => {
    await smtp.close();
    dir.cleanup();
  });

  /** The messages about check `id` the server took so far, in order. */
  const mailsAbout = (id: string): ReceivedMail[] => smtp.received.filter((m) => m.mail.text?.includes(`LiveCheck ${id} `) || m.mail.text?.includes(`: ${id} `));
  const post = async (id: string, status: string) => expect((await postWebhook(`${t.url}/webhooks/aver`, webhook(id, status), AUTH)).status).to.equal(202);
  const jobOf = async (id: string, state: 'done' | 'dead') =>
    waitFor(async () => (await t.bridge.store.listJobs({ state, limit: 50 })).find((j) => j.entityKey === `LiveCheck:${id}`), `a ${state} job for ${id}`);

  it('delivers an event as one multipart message over STARTTLS with AUTH, with the same headline as the Slack text', async () => {
    await post('chk-1', 'InReview');
    const [got] = await waitFor(() => (mailsAbout('chk-1').length === 1 ? mailsAbout('chk-1') : undefined), 'the e-mail');
    expect(got.secure, 'STARTTLS').to.equal(true);
    expect(got.user, 'AUTH').to.equal('aver-bridge');
    expect(got.envelope).to.deep.equal({ from: 'aver-bridge@bridge.example', to: ['compliance@example.test', 'lead@example.test'] });
    expect((got.mail.headers.get('content-type') as { value: string }).value).to.equal('multipart/alternative');
    expect(got.mail.html).to.be.a('string');

    // The Slack receiver's text for the same event, from the same message model.
    const e = event('InReview', { id: 'chk-1', groupId: 'grp-eu' });
    const slack = formatSlackMessage(messageFor({ ...job(e), labels: labelsOf(e, 'EU onboarding') }, [], t.bridge.config));
    expect(slack.text).to.equal('🟠 Live check in review: chk-1 · EU onboarding');
    expect(got.mail.text!.split('\n')[0]).to.equal(slack.text);
    expect(got.mail.subject).to.equal((slack.blocks[0] as { text: { text: string } }).text.text);
    expect(got.mail.html).to.include('<h1').and.include('🟠 Live check in review: chk-1 · EU onboarding</h1>');
    expect(got.mail.html).to.include('href="https://app.goaver.test/checks/chk-1"');
    expect(got.mail.messageId).to.match(/^<aver\.[0-9a-f]{24}\.[0-9a-f]{28}@bridge\.example>$/);
    expect(got.mail.inReplyTo).to.equal(undefined);
    expect(got.mail.headers.get('auto-submitted')).to.equal('auto-generated');
    expect(got.mail.from?.text).to.equal('"Aver bridge" <aver-bridge@bridge.example>');
  });

  it('is shown on the admin page and counted in the metrics like any receiver; the SMTP password never appears', async () => {
    await post('chk-m', 'Completed');
    await jobOf('chk-m', 'done');
    const page = await (await fetch(`${t.url}/admin`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(page).to.include('compliance-mail').and.include('to compliance@example.test; cc Lead &lt;lead@example.test&gt;');
    expect(page).to.include(`${smtp.url}, STARTTLS required, certificates checked against ${smtp.certFile}, login as aver-bridge`);
    expect(page).to.not.include(smtp.password);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).to.match(/aver_bridge_deliveries_total\{receiver="compliance-mail",integration="email",outcome="delivered",reason=""\} [1-9]/);
  });

  it('threads a check: later statuses answer the first message (In-Reply-To and References)', async () => {
    await post('chk-2', 'InReview');
    await waitFor(() => mailsAbout('chk-2').length === 1, 'the first e-mail');
    await post('chk-2', 'Rejected');
    await post('chk-2', 'Completed');
    const [first, second, third] = await waitFor(() => (mailsAbout('chk-2').length === 3 ? mailsAbout('chk-2') : undefined), 'three e-mails');
    expect(second.mail.subject).to.equal('🔴 Live check rejected: chk-2 · EU onboarding');
    for (const later of [second, third]) {
      expect(later.mail.inReplyTo).to.equal(first.mail.messageId);
      expect(later.mail.references).to.equal(first.mail.messageId);
      // One thread part for the check, a message part of its own.
      expect(later.mail.messageId!.split('.')[1]).to.equal(first.mail.messageId!.split('.')[1]);
      expect(later.mail.messageId).to.not.equal(first.mail.messageId);
    }
    expect(third.mail.text).to.include('History: In review').and.include('→ Rejected').and.include('→ Completed');
  });

  it('retries a 450 and then delivers the message', async () => {
    // Both recipients refused once: the server took nothing, so the whole message is retried.
    await smtp.refuse({ stage: 'rcpt', code: 450, message: '4.2.0 Temporary failure, please retry', times: 2 });
    await post('chk-450', 'Rejected');
    const done = await jobOf('chk-450', 'done');
    await waitFor(() => mailsAbout('chk-450').length === 1, 'the e-mail');
    expect(smtp.refused.filter((r) => r.code === 450)).to.have.length(2);
    expect(done.history.map((h) => ({ ok: h.ok, code: h.code }))).to.deep.equal([{ ok: false, code: 'smtp_450' }, { ok: true, code: undefined }]);
    expect(done.history[0].reason).to.include('"450 4.2.0 Temporary failure, please retry"');
  });

  it('moves a 550 to the dead letters at once, quoting the server', async () => {
    await smtp.refuse({ stage: 'rcpt', code: 550, message: '5.1.1 <compliance@example.test>: Recipient address rejected: User unknown', times: 2 });
    await post('chk-550', 'Rejected');
    const dead = await jobOf('chk-550', 'dead');
    expect(dead.attempts).to.equal(1);
    expect(dead.lastReason).to.include('the SMTP server answered to RCPT TO "550 5.1.1 <compliance@example.test>: Recipient address rejected: User unknown"');
    expect(dead.history[0].code).to.equal('smtp_550');
    expect(mailsAbout('chk-550')).to.deep.equal([]);
  });

  it('checks the server certificate by default: without tls.caFile the self-signed server is refused, retryably, and nothing is sent', async () => {
    await t.stop();
    const noCa = yaml(smtp).replace(/^ {2}tls: \{ caFile: .*\n/m, '');
    expect(noCa).to.not.include('caFile');
    t = await startBridge(noCa);
    await post('chk-tls', 'Rejected');
    const tried = await waitFor(async () => (await t.bridge.store.listJobs({ state: 'pending', limit: 50 }))
      .find((j) => j.entityKey === 'LiveCheck:chk-tls' && j.history.length > 0), 'a failed attempt');
    expect(tried.history[0]).to.deep.include({ ok: false, code: 'serverError' });
    expect(tried.lastReason).to.match(/certificate/i);
    expect(smtp.received.filter((m) => m.mail.subject?.includes('chk-tls'))).to.deep.equal([]);
  });

  it('escapes hostile ids in the HTML part: no markup from a webhook reaches the message', async () => {
    const id = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
    await post(id, 'Rejected');
    const got = await waitFor(() => smtp.received.find((m) => m.mail.subject?.includes('onerror')), 'the e-mail');
    expect(got.mail.html).to.not.include('<img').and.not.include('<script');
    expect(got.mail.html).to.include('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(got.mail.subject).to.equal(`🔴 Live check rejected: ${id} · EU onboarding`);
  });

  it("honours the receiver's template and its subject template", async () => {
    await post('tpl-1', 'AwaitingReview');
    const got = await waitFor(() => smtp.received.find((m) => m.envelope.to.includes('audit@example.test')), 'the templated e-mail');
    expect(got.mail.subject).to.equal('[Aver] awaiting review: tpl-1');
    expect(got.mail.text!.split('\n')[0]).to.equal('🟠 Live check tpl-1: awaiting review');
  });

  it('a grouped route sends one digest e-mail for a burst', async () => {
    // On a clock of its own, so group_wait ends only once the whole burst is in.
    const clock = fakeClock(T0);
    await t.stop();
    t = await startBridge(yaml(smtp), { clock });
    const ids = Array.from({ length: 12 }, (_, i) => `rws-${i}`);
    for (const [i, id] of ids.entries()) {
      const body = { statusMessage: { type: 'RecurringWatchlistSearch', id, groupId: 'grp-eu', status: i < 2 ? 'AwaitingReview' : 'Completed' } };
      expect((await postWebhook(`${t.url}/webhooks/aver`, body, AUTH)).status).to.equal(202);
    }
    await waitFor(async () => (await t.bridge.store.unroutedEvents(1)).length === 0, 'every event routed');
    expect(smtp.received.filter((m) => m.mail.subject?.includes('Recurring watchlist search'))).to.deep.equal([]);
    const digest = await waitFor(() => {
      clock.advance(250);
      return smtp.received.find((m) => m.mail.subject?.includes('Recurring watchlist search'));
    }, 'the digest e-mail');
    expect(digest.mail.subject).to.equal('🟠 EU onboarding · Recurring watchlist search: 12 events');
    expect(digest.mail.text).to.include('Awaiting review 2 · Completed 10').and.include('and 2 more');
    // Attention first: the two searches awaiting review are listed, each with its link.
    expect(digest.mail.html).to.include('rws-0').and.include('rws-1').and.include('href="https://app.goaver.test/checks/rws-0"');
    // Nothing else is owed: no job is left to send, and no search went out on its own.
    await waitFor(async () => (await t.bridge.store.listJobs({ state: 'pending', limit: 10 })).length === 0, 'no pending job');
    expect(smtp.received.filter((m) => ids.some((id) => m.mail.subject?.includes(`: ${id} `)))).to.deep.equal([]);
    expect(smtp.received.filter((m) => m.mail.subject?.includes('Recurring watchlist search'))).to.have.length(1);
  });

  it('send-test --receiver sends a sample message straight to an e-mail receiver', async () => {
    const file = join(dir.dir, 'send-test.yaml');
    writeFileSync(file, yaml(smtp));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
    expect(await main(['send-test', '--config', file, '--receiver', 'compliance-mail', 'status=Rejected', 'id=cli-1'], io), err.join('\n')).to.equal(0);
    expect(out.join('\n')).to.match(/^sent LiveCheck cli-1 \(Rejected\) to compliance@example\.test, Lead <lead@example\.test> through smtp:\/\/127\.0\.0\.1:\d+: <aver\.[0-9a-f]{24}\.[0-9a-f]{28}@bridge\.example>$/);
    const got = await waitFor(() => smtp.received.find((m) => m.mail.subject?.includes('cli-1')), 'the sample e-mail');
    expect(got.mail.subject).to.match(/^🔴 Live check rejected: cli-1 · /);

    await smtp.refuse({ stage: 'rcpt', code: 550, message: '5.1.1 User unknown', times: 2 });
    expect(await main(['send-test', '--config', file, '--receiver', 'compliance-mail', 'id=cli-2'], io)).to.equal(1);
    expect(err.join('\n')).to.include('not sent (smtp_550; the bridge would move it to the dead letters)').and.include('"550 5.1.1 User unknown"');
  });
});
