import { expect } from 'chai';
import { headlineLine, messageFor, pushLine } from '../../../src/present/message.js';
import type { DigestMessage } from '../../../src/present/digest.js';
import { formatEmailDigest } from '../../../src/receivers/email/digest.js';
import { escapeHtml, formatEmail, mailDomain, messageIdFor, SUBJECT_MAX } from '../../../src/receivers/email/format.js';
import { formatSlackMessage } from '../../../src/receivers/slack/format.js';
import { testConfig } from '../../helpers/config.js';
import { event, job } from '../../helpers/fixtures.js';

const config = testConfig();
const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;';

/** Every start tag in an HTML text. */
function tags(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b/g)].map((m) => m[1].toLowerCase());
}

describe('formatEmail', () => {
  it('leads with the headline Slack shows: the subject is its header, the text part starts with its text', () => {
    const message = messageFor(job(event('Rejected')), [{ status: 'Rejected', at: 1 }], config);
    const slack = formatSlackMessage(message);
    const mail = formatEmail(message);
    expect(mail.subject).to.equal(headlineLine(message)).and.equal((slack.blocks[0] as { text: { text: string } }).text.text);
    expect(mail.text.split('\n')[0]).to.equal(slack.text).and.equal(pushLine(message));
    expect(mail.html).to.include('<h1').and.include(escapeHtml(headlineLine(message)));
    expect(mail.html).to.include('href="https://aver.example/checks/chk-1"');
    expect(mail.text).to.include('Open in Aver: https://aver.example/checks/chk-1');
  });

  it('shows the facts, the history from a second status on and the context line in both parts', () => {
    const e = event('Rejected');
    const message = messageFor(
      { ...job(e), details: { available: true, statusReason: 'ExpiredDocuments', thirdPartyIdentifier: 'cust-00482' } },
      [{ status: 'InReview', at: Date.UTC(2024, 4, 17, 9, 0) }, { status: 'Rejected', at: Date.UTC(2024, 4, 17, 9, 30) }],
      config,
    );
    const mail = formatEmail(message);
    for (const part of [mail.text, mail.html]) {
      expect(part).to.include('Reason').and.include('Documents expired');
      expect(part).to.include('In review 09:00 → Rejected 09:30');
      expect(part).to.include('LiveCheck chk-1').and.include('event ev-Rejected');
    }
    expect(mail.subject).to.equal('🔴 Live check rejected: cust-00482 · Acme onboarding');
  });

  it('escapes hostile ids, groups and references: no value adds a tag or an attribute', () => {
    const e = event('Rejected', { id: HOSTILE, groupId: `g ${HOSTILE}` });
    const message = messageFor({ ...job(e), details: { available: true, thirdPartyIdentifier: `ref ${HOSTILE}`, statusReason: HOSTILE } }, [], config);
    const mail = formatEmail(message);
    expect(mail.html).to.not.include('<script').and.not.include('<img');
    expect(mail.html).to.include('&lt;script&gt;').and.include('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;');
    // The only link is the "Open in Aver" button, with the id URL-encoded into it.
    expect([...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).to.deep.equal([`https://aver.example/checks/${escapeHtml(encodeURIComponent(HOSTILE))}`]);
    expect(mail.subject).to.not.match(/[\r\n]/);
  });

  it('has the same tags whatever the values: only the facts table grows', () => {
    const plain = formatEmail(messageFor(job(event('Rejected')), [], config));
    const hostile = formatEmail(messageFor(job(event('Rejected', { id: HOSTILE, groupId: HOSTILE })), [], config));
    expect(tags(hostile.html)).to.deep.equal(tags(plain.html));
  });

  it('makes link-like words from outside inert in both parts, as chat does', () => {
    const message = messageFor(job(event('Rejected', { id: 'https://evil.example/x' })), [], config);
    const mail = formatEmail(message);
    expect(mail.text.split('\n')[0]).to.not.include('https://evil.example');
    expect(mail.html.replace(/href="[^"]*"/g, '')).to.not.include('evil.example');
  });

  it('writes a subject template on one line, cut to SUBJECT_MAX', () => {
    const message = messageFor(job(event('Completed')), [], config);
    expect(formatEmail(message, { subject: 'a\r\nBcc: x@example.com' }).subject).to.equal('a Bcc: x@example.com');
    expect(Array.from(formatEmail(message, { subject: 'x'.repeat(400) }).subject)).to.have.length(SUBJECT_MAX);
  });
});

describe('messageIdFor', () => {
  it('is stable per check and receiver, different per event, and puts no outside text in the header', () => {
    const a = messageIdFor('mail', 'LiveCheck:chk-1', 'ev1', 'Aver <aver@Example.COM>');
    expect(a).to.match(/^<aver\.[0-9a-f]{24}\.ev1@example\.com>$/);
    expect(messageIdFor('mail', 'LiveCheck:chk-1', 'ev2', 'aver@example.com').split('.')[1]).to.equal(a.split('.')[1]);
    expect(messageIdFor('other', 'LiveCheck:chk-1', 'ev1', 'aver@example.com').split('.')[1]).to.not.equal(a.split('.')[1]);
    expect(messageIdFor('mail', 'LiveCheck:<x>\r\n', 'ev <1>\r\n', 'aver@example.com')).to.match(/^<aver\.[0-9a-f]{24}\.[0-9a-f]{24}@example\.com>$/);
  });

  it('takes the From domain, or a placeholder when it is not plain ASCII', () => {
    expect(mailDomain('ops@mail.example.org')).to.equal('mail.example.org');
    expect(mailDomain('Ops <ops@bücher.example>')).to.equal('aver-bridge.invalid');
  });
});

describe('formatEmailDigest', () => {
  const digest: DigestMessage = {
    severity: 'attention', emoji: '🔴', headline: 'EU onboarding · Recurring watchlist search: 1,200 events', title: 'EU onboarding · Recurring watchlist search', total: 1200,
    byStatus: [{ status: 'Rejected', words: 'Rejected', count: 2 }, { status: 'Completed', words: 'Completed', count: 1198 }],
    bySeverity: [{ severity: 'attention', emoji: '🔴', words: 'needs attention', count: 2 }, { severity: 'good', emoji: '🟢', words: 'good', count: 1198 }],
    items: [
      { severity: 'attention', emoji: '🔴', headline: `Recurring watchlist search rejected: ${HOSTILE} · EU onboarding`, subject: HOSTILE, link: 'https://aver.example/w/x' },
      { severity: 'attention', emoji: '🔴', headline: 'Recurring watchlist search rejected: rws-2 · EU onboarding', subject: 'rws-2' },
    ],
    more: 1198,
  };

  it('shows the headline, the counts, the listed events with their links and "and N more", escaped', () => {
    const mail = formatEmailDigest(digest);
    expect(mail.subject).to.equal('🔴 EU onboarding · Recurring watchlist search: 1,200 events');
    expect(mail.text).to.include('🔴 2 needs attention · 🟢 1,198 good').and.include('Rejected 2 · Completed 1,198').and.include('and 1,198 more');
    expect(mail.text).to.include('  https://aver.example/w/x');
    expect(mail.html).to.not.include('<script').and.not.include('<img');
    expect([...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).to.deep.equal(['https://aver.example/w/x']);
    expect(tags(mail.html).filter((t) => t === 'li')).to.have.length(2);
  });
});
