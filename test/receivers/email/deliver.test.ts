import { expect } from 'chai';
import { createEmailReceiver, EMAIL_DEFAULT_PACING, type MailSender, type OutgoingMail, type SentMail } from '../../../src/receivers/email/deliver.js';
import type { DeliveryResult } from '../../../src/receivers/receiver.js';
import { testConfig } from '../../helpers/config.js';
import { ctx, event, job } from '../../helpers/fixtures.js';
import { memoryLogger } from '../../helpers/logger.js';

const config = { ...testConfig(), smtp: { url: 'smtp://mail.example.com:587', from: 'Aver <aver@example.com>' } };

/** A sender that keeps what it is given and answers as told. */
function fakeSender(answer: (mail: OutgoingMail) => SentMail | Error = (m) => ({ accepted: m.to, rejected: [], response: '250 ok' })) {
  const sent: OutgoingMail[] = [];
  const sender: MailSender = {
    send(mail) {
      const a = answer(mail);
      if (a instanceof Error) return Promise.reject(a);
      sent.push(mail);
      return Promise.resolve(a);
    },
    close() {},
  };
  return { sender, sent };
}

function receiver(sender: MailSender, email: { subject?: string } = {}, logger = memoryLogger().logger, pacing?: { ratePerSecond: number }) {
  return createEmailReceiver({ name: 'mail', email: { to: ['ops@example.com'], cc: [], bcc: ['archive@example.com'], ...email }, ...(pacing ? { pacing } : {}) }, { sender, config, logger });
}

function ok(r: DeliveryResult): Extract<DeliveryResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected a delivery, got ${r.reason}`);
  return r;
}

describe('createEmailReceiver', () => {
  it('is an email receiver that reads the history, paced for SMTP, one destination for every e-mail receiver', () => {
    const r = receiver(fakeSender().sender);
    expect(r.kind).to.equal('email');
    expect(r.usesHistory).to.equal(true);
    expect(r.pacing).to.deep.equal(EMAIL_DEFAULT_PACING);
    expect(receiver(fakeSender().sender, {}, undefined, { ratePerSecond: 2 }).pacing).to.deep.equal({ ratePerSecond: 2, burst: EMAIL_DEFAULT_PACING.burst });
    expect(r.destinationKey(job())).to.equal('email:smtp');
  });

  it('sends the first status as a new thread and keeps its Message-ID as the check\'s message reference', async () => {
    const { sender, sent } = fakeSender();
    const result = ok(await receiver(sender).deliver(job(event('Rejected')), ctx()));
    expect(sent).to.have.length(1);
    expect(sent[0]).to.deep.include({ from: 'Aver <aver@example.com>', to: ['ops@example.com'], cc: [], bcc: ['archive@example.com'], subject: '🔴 Live check rejected: chk-1 · Acme onboarding' });
    expect(sent[0].inReplyTo).to.equal(undefined);
    expect(sent[0].headers).to.deep.equal({ 'X-Aver-Bridge-Event-Id': 'ev-Rejected', 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' });
    expect(result.messageRef).to.deep.equal({ channel: 'email', messageId: sent[0].messageId });
  });

  it('answers the first message with a later status, and keeps the first as the reference', async () => {
    const { sender, sent } = fakeSender();
    const first = { channel: 'email', messageId: '<aver.abc.ev1@example.com>' };
    const result = ok(await receiver(sender).deliver(job(event('Completed')), ctx(first, [{ status: 'Rejected', at: 1 }, { status: 'Completed', at: 2 }])));
    expect(sent[0].inReplyTo).to.equal(first.messageId);
    expect(result.messageRef).to.equal(first);
  });

  it('starts a new thread when the stored reference is not an e-mail (a receiver renamed from Slack\'s)', async () => {
    const { sender, sent } = fakeSender();
    const result = ok(await receiver(sender).deliver(job(), ctx({ channel: 'C0123', messageId: '1700000000.000100' })));
    expect(sent[0].inReplyTo).to.equal(undefined);
    expect(result.messageRef?.channel).to.equal('email');
  });

  it('maps what the sender throws: a 550 is a dead letter quoting the server, an abort a retryable timeout', async () => {
    const refused = Object.assign(new Error('rejected'), { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 User unknown', permanent: true });
    const r = await receiver(fakeSender(() => refused).sender).deliver(job(), ctx());
    expect(r).to.deep.include({ ok: false, retryable: false, failure: 'clientError', code: 'smtp_550' });
    expect(r.ok ? '' : r.reason).to.include('e-mail receiver "mail" (smtp://mail.example.com:587): the SMTP server answered to RCPT TO "550 5.1.1 User unknown"');
    const aborted = await receiver(fakeSender(() => Object.assign(new Error('aborted'), { name: 'AbortError', code: 'EABORT' })).sender).deliver(job(), ctx());
    expect(aborted).to.deep.include({ ok: false, retryable: true, failure: 'timeout' });
  });

  it('counts a message some recipients refused as sent (a retry would reach the others twice), and says so', async () => {
    const logs = memoryLogger('warn');
    const { sender } = fakeSender(() => ({ accepted: ['ops@example.com'], rejected: ['archive@example.com'], response: '250 ok' }));
    ok(await receiver(sender, {}, logs.logger).deliver(job(), ctx(null, [], undefined, logs.logger)));
    expect(logs.records().map((r) => [r.msg, r.rejected])).to.deep.equal([['the SMTP server refused some recipients; sent to the others', ['archive@example.com']]]);
  });

  it('renders the subject template from the message\'s variables; one that fails sends the headline, logged once', async () => {
    const { sender, sent } = fakeSender();
    await receiver(sender, { subject: '[{{ severity }}] {{ typeWords }} {{ id }} {{ statusWords }}' }).deliver(job(event('Rejected')), ctx());
    expect(sent[0].subject).to.equal('[attention] Live check chk-1 rejected');

    const logs = memoryLogger('warn');
    const failing = receiver(sender, { subject: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' }, logs.logger);
    await failing.deliver(job(event('Rejected')), ctx());
    await failing.deliver(job(event('Rejected')), ctx());
    expect(sent.slice(1).map((m) => m.subject)).to.deep.equal(['🔴 Live check rejected: chk-1 · Acme onboarding', '🔴 Live check rejected: chk-1 · Acme onboarding']);
    expect(logs.records().filter((r) => r.msg.startsWith('e-mail subject template failed'))).to.have.length(1);
  });

  it('shows the name only when the details carry it (aver.api.showPersonalData), as chat does', async () => {
    const { sender, sent } = fakeSender();
    await receiver(sender).deliver({ ...job(event('Rejected')), details: { available: true, thirdPartyIdentifier: 'cust-1' } }, ctx());
    await receiver(sender).deliver({ ...job(event('Rejected')), details: { available: true, thirdPartyIdentifier: 'cust-1', name: 'Ada Lovelace' } }, ctx());
    expect(sent[0].text).to.not.include('Name:');
    expect(sent[1].text).to.include('Name: Ada Lovelace');
  });

  it('sends a reminder as an answer to the check\'s first message', async () => {
    const { sender, sent } = fakeSender();
    const first = { channel: 'email', messageId: '<aver.abc.ev1@example.com>' };
    const e = event('AwaitingReview');
    const r = ok(await receiver(sender).deliver({ ...job(e), kind: 'reminder', reminder: 2, createdAt: e.receivedAt + 4 * 3_600_000 }, ctx(first)));
    expect(sent[0].subject).to.equal('Reminder 2: still awaiting review after 4h — 🟠 Live check awaiting review: chk-1 · Acme onboarding');
    expect(sent[0].inReplyTo).to.equal(first.messageId);
    expect(sent[0].messageId).to.match(/\.ev-AwaitingReview-r2@example\.com>$/);
    expect(r.messageRef).to.equal(first);
  });

  it('refuses a digest whose group is gone, and sends nothing for a check action (an e-mail cannot be edited)', async () => {
    const { sender, sent } = fakeSender();
    expect(await receiver(sender).deliver({ ...job(), kind: 'digest', digestOf: 7 }, ctx())).to.deep.include({ ok: false, retryable: false, code: 'other' });
    const previous = { channel: 'email', messageId: '<aver.abc.ev1@example.com>' };
    expect(await receiver(sender).deliver({ ...job(), actionId: 3 }, ctx(previous))).to.deep.equal({ ok: true, messageRef: previous });
    expect(sent).to.deep.equal([]);
  });
});
