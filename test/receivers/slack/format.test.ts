import { expect } from 'chai';
import type { AverEvent, EventDetails } from '../../../src/model/event.js';
import type { StatusChange } from '../../../src/model/job.js';
import { buildMessage, type MessageInput } from '../../../src/present/message.js';
import { SEVERITY_LOOK } from '../../../src/present/severity.js';
import { escapeSlack, formatSlackMessage, formatThreadReply, SLACK_LIMITS, truncate } from '../../../src/receivers/slack/format.js';
import { slackPreviewText } from '../../../src/receivers/slack/preview.js';
import { event as kitEvent, labelsOf } from '../../helpers/fixtures.js';

const RECEIVED = Date.UTC(2024, 4, 17, 9, 30, 0);
const GROUP_ID = 'a1b2c3d4-0000-4000-8000-00000000000g';
const config: MessageInput['config'] = { aver: { groups: { [GROUP_ID]: 'Acme onboarding' }, links: {} } };

/** The kit's event with ids shaped like Aver's. */
function event(over: Partial<AverEvent> = {}): AverEvent {
  return kitEvent({ eventId: '01HXYZEVENT', id: '7f1c2d3e-0000-4000-8000-000000000001', groupId: GROUP_ID, receivedAt: RECEIVED, ...over });
}

function message(over: Partial<MessageInput> & { event?: AverEvent } = {}) {
  const e = over.event ?? event();
  return buildMessage({ event: e, labels: labelsOf(e), details: null, history: [{ status: e.status, at: e.receivedAt }], config, ...over });
}

type AnyBlock = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text?: unknown; url?: string }> };

function bodyOf(m: ReturnType<typeof formatSlackMessage>): AnyBlock[] {
  expect(m.attachments).to.have.length(1);
  return m.attachments[0].blocks as AnyBlock[];
}

function contextTexts(m: ReturnType<typeof formatSlackMessage>): string[] {
  return bodyOf(m).filter((b) => b.type === 'context').map((b) => String(b.elements![0].text));
}

describe('formatSlackMessage', () => {
  const table: Array<{ status: string; emoji: string; words: string; severity: keyof typeof SEVERITY_LOOK }> = [
    { status: 'Created', emoji: '🔵', words: 'Live check created', severity: 'info' },
    { status: 'AwaitingUser', emoji: '🟠', words: 'Live check awaiting the user', severity: 'action' },
    { status: 'AwaitingReview', emoji: '🟠', words: 'Live check awaiting review', severity: 'action' },
    { status: 'InReview', emoji: '🟠', words: 'Live check in review', severity: 'action' },
    { status: 'Completed', emoji: '🟢', words: 'Live check completed', severity: 'good' },
    { status: 'Rejected', emoji: '🔴', words: 'Live check rejected', severity: 'attention' },
    { status: 'Failed', emoji: '🔴', words: 'Live check failed', severity: 'attention' },
    { status: 'Error', emoji: '🔴', words: 'Live check ended in error', severity: 'attention' },
    { status: 'Canceled', emoji: '🔵', words: 'Live check canceled', severity: 'info' },
    { status: 'Paused', emoji: '🔵', words: 'Live check paused', severity: 'info' },
  ];

  for (const row of table) {
    it(`shows ${row.status} as a ${row.severity} headline above its colour bar, with one context line`, () => {
      const e = event({ status: row.status, unknownStatus: row.status === 'Paused' });
      const m = formatSlackMessage(message({ event: e }));
      const headline = `${row.emoji} ${row.words}: 7f1c2d3e… · Acme onboarding`;
      expect(m.blocks).to.deep.equal([{ type: 'header', text: { type: 'plain_text', text: headline, emoji: true } }]);
      expect(m.text).to.equal(headline);
      expect(m.attachments[0].color).to.equal(SEVERITY_LOOK[row.severity].color);
      const context = contextTexts(m);
      expect(context).to.have.length(1);
      expect(context[0]).to.equal(
        `<!date^${RECEIVED / 1000}^{date_short_pretty} {time}|17 May 2024, 09:30 UTC> · LiveCheck ${e.id} · event 01HXYZEVENT`
          + (row.status === 'Paused' ? ' · status Paused not documented by Aver' : ''),
      );
      expect(bodyOf(m).map((b) => b.type)).to.deep.equal(['context']);
    });
  }

  it('names no field twice: type and status only in the headline, the group by its name alone', () => {
    const m = formatSlackMessage(message({ event: event({ id: 'chk-1', status: 'Rejected' }) }));
    const all = JSON.stringify(m);
    const body = JSON.stringify(bodyOf(m));
    expect(JSON.stringify(m.blocks)).to.include('Live check rejected: chk-1 · Acme onboarding');
    expect(body).not.to.include('Acme onboarding');
    expect(body).not.to.include('chk-1');
    expect(body).not.to.match(/rejected/i);
    expect(all).not.to.include(GROUP_ID);
    expect(all).not.to.match(/\*(Type|Status|ID|Group)\*/);
    expect(contextTexts(m)[0]).to.match(/ · LiveCheck · event /);
  });

  it('shows the group id when it has no friendly name', () => {
    const e = event({ groupId: 'grp-unnamed' });
    const m = formatSlackMessage(message({ event: e, labels: labelsOf(e, 'grp-unnamed') }));
    expect(m.text).to.equal('🟢 Live check completed: 7f1c2d3e… · grp-unnamed');
  });

  it('adds "Open in Aver" with the id, group and type substituted and URL-encoded', () => {
    const e = event({ id: 'a b/c?d', groupId: 'g&1' });
    const m = formatSlackMessage(message({ event: e, config: { aver: { links: { check: 'https://aver.example/checks/{id}?group={groupId}&t={type}' } } } }));
    const actions = bodyOf(m).find((b) => b.type === 'actions');
    expect(actions?.elements?.[0]).to.deep.include({ url: 'https://aver.example/checks/a%20b%2Fc%3Fd?group=g%261&t=LiveCheck' });
    expect(actions?.elements?.[0].text).to.deep.equal({ type: 'plain_text', text: 'Open in Aver' });
  });

  it('uses the watchlist template for watchlist searches, and no button without a template', () => {
    const links = { check: 'https://aver.example/c/{id}', watchlist: 'https://aver.example/w/{id}' };
    const w = formatSlackMessage(message({ event: event({ type: 'RecurringWatchlistSearch', id: 'w1' }), config: { aver: { links } } }));
    expect(JSON.stringify(w)).to.include('https://aver.example/w/w1');
    expect(bodyOf(formatSlackMessage(message())).some((b) => b.type === 'actions')).to.equal(false);
  });

  it('shows a history line in words, times in the reader\'s zone with display.timeZone as fallback, only from a second status on', () => {
    const history: StatusChange[] = [
      { status: 'Created', at: Date.UTC(2024, 4, 17, 9, 0) },
      { status: 'InReview', at: Date.UTC(2024, 4, 17, 9, 10) },
      { status: 'Completed', at: RECEIVED },
    ];
    const m = formatSlackMessage(message({ history, config: { ...config, display: { timeZone: 'Europe/Berlin', locale: 'en-GB' } } }));
    const line = contextTexts(m).find((t) => t.startsWith('*History:*'));
    expect(line).to.match(/^\*History:\* Created <!date\^\d+\^\{time\}\|11:00> → In review <!date\^\d+\^\{time\}\|11:10> → Completed <!date\^\d+\^\{time\}\|11:30>$/);
    expect(contextTexts(m)[0]).to.include('|17 May 2024, 11:30 CEST>');
    expect(JSON.stringify(formatSlackMessage(message()))).not.to.include('History');
  });

  it('shows reason, warnings and hits in plain words, and the reason in the text, only when present', () => {
    const details: EventDetails = { available: true, statusReason: 'FacialVerificationFailed', warnings: ['SameNameFound', 'adversemediafound', 'SomethingNew'], thirdPartyIdentifier: 'cust-00482' };
    const m = formatSlackMessage(message({ event: event({ status: 'Rejected' }), details }));
    const section = bodyOf(m).find((b) => b.type === 'section')!;
    expect(section.text!.text).to.equal('*Reason:* Facial verification failed\n*Warnings:* Same name used in another check, Adverse media found, Something new');
    expect(m.text).to.equal('🔴 Live check rejected: cust-00482 · Acme onboarding — Facial verification failed');
    expect(contextTexts(m)[0]).to.include('LiveCheck 7f1c2d3e-0000-4000-8000-000000000001');
    const hits = formatSlackMessage(message({ event: event({ type: 'WatchlistSearch' }), details: { available: true, watchlistHits: 3, adverseMediaHits: 0 } }));
    expect(bodyOf(hits).find((b) => b.type === 'section')!.text!.text).to.equal('*Found:* 3 watchlist hits');
    expect(bodyOf(formatSlackMessage(message({ details: { available: true, warnings: [] } }))).some((b) => b.type === 'section')).to.equal(false);
  });

  it('says when details are unavailable, in the context line', () => {
    expect(contextTexts(formatSlackMessage(message({ details: { available: false } })))[0]).to.include('details unavailable');
    expect(JSON.stringify(formatSlackMessage(message({ details: null })))).not.to.include('unavailable');
  });

  it('puts operator-written mentions, unescaped, at the start of the text and under the headline; an edit can leave them out', () => {
    const msg = message({ event: event({ status: 'Rejected' }), mentions: ['<!subteam^S0123>', '<!here>'] });
    const m = formatSlackMessage(msg);
    expect(m.text.startsWith('<!subteam^S0123> <!here> 🔴 Live check rejected')).to.equal(true);
    expect(m.blocks[1]).to.deep.equal({ type: 'section', text: { type: 'mrkdwn', text: 'cc <!subteam^S0123> <!here>' } });
    expect(m.attachments[0].fallback).to.equal('🔴 Live check rejected: 7f1c2d3e… · Acme onboarding');
    const quiet = formatSlackMessage(msg, { mentions: false });
    expect(JSON.stringify(quiet)).not.to.include('subteam');
  });

  describe('escaping', () => {
    const hostile = [
      { name: 'id', over: { id: '<!channel>' } },
      { name: 'id link', over: { id: '<https://evil.example|click me>' } },
      { name: 'group id', over: { groupId: '<!everyone> & <@U123>' } },
      { name: 'type', over: { type: '<!here>' } },
      { name: 'status', over: { status: '<https://evil.example|x>', unknownStatus: true } },
      { name: 'event id', over: { eventId: '<!channel>' } },
    ];
    for (const h of hostile) {
      it(`keeps a hostile ${h.name} inert`, () => {
        const e = event(h.over);
        const msg = message({ event: e, labels: labelsOf(e, e.groupId), history: [{ status: 'Created', at: 1 }, { status: e.status, at: 2 }] });
        const all = JSON.stringify([formatSlackMessage(msg), formatThreadReply(msg, { broadcast: true })]);
        expect(all).not.to.match(/<!(channel|everyone|here)/);
        expect(all).not.to.include('<https://evil');
        expect(all).not.to.include('<@U123>');
        expect(all).to.include('&lt;');
      });
    }

    it('escapes the friendly group name and Aver details too', () => {
      const m = formatSlackMessage(message({
        labels: { group: 'Acme <!channel>' },
        details: { available: true, statusReason: '<!here>', warnings: ['<https://evil|x>'], thirdPartyIdentifier: 'a&b', name: '<@U1>' },
      }));
      const all = JSON.stringify(m);
      expect(all).not.to.match(/<!(channel|here)|<https|<@U1>/);
      expect(all).to.include('Acme &lt;!channel&gt;');
      expect(all).to.include('a&amp;b');
    });
  });

  describe('limits', () => {
    const long = 'x'.repeat(10_000);
    const m = formatSlackMessage(message({
      event: event({ id: long, type: long, groupId: long, status: long, unknownStatus: true, unknownType: true, eventId: long }),
      labels: { group: long },
      history: Array.from({ length: 500 }, (_, i) => ({ status: `S${i}${long.slice(0, 50)}`, at: i * 1000 })),
      details: { available: true, statusReason: long, warnings: Array(300).fill('WatchlistHitsFound'), checkTypes: [long], thirdPartyIdentifier: long, name: long },
      config: { aver: { links: { check: 'https://aver.example/{id}' } } },
      mentions: ['<!here>'],
    }));
    const blocks = [...m.blocks, ...bodyOf(m)] as AnyBlock[];

    it('stays within the block, header, section, context and text limits', () => {
      expect(blocks.length).to.be.at.most(SLACK_LIMITS.blocks);
      expect(m.blocks[0].type).to.equal('header');
      expect((m.blocks[0] as AnyBlock).text!.text.length).to.be.at.most(SLACK_LIMITS.headerText);
      for (const b of blocks) {
        if (b.type === 'section' && b.text) expect(b.text.text.length).to.be.at.most(SLACK_LIMITS.sectionText);
        if (b.type === 'context') for (const el of b.elements!) expect(String(el.text).length).to.be.at.most(SLACK_LIMITS.contextText);
      }
      expect(m.text.length).to.be.at.most(SLACK_LIMITS.messageText);
      expect(m.text.startsWith('<!here> ')).to.equal(true);
    });

    it('drops the button when the link would be too long, and keeps the latest history', () => {
      expect(blocks.some((b) => b.type === 'actions')).to.equal(false);
      const history = contextTexts(m).find((t) => t.startsWith('*History:*'))!;
      expect(history.startsWith('*History:* … → ')).to.equal(true);
      expect(history).to.include('S499');
      expect(history).not.to.include('S0x');
    });
  });
});

describe('truncate', () => {
  it('leaves short text alone and ends long text with an ellipsis', () => {
    expect(truncate('abc', 3)).to.equal('abc');
    expect(truncate('abcdef', 4)).to.equal('abc…');
  });

  it('never splits an escaped entity', () => {
    const s = escapeSlack('abc<def');
    expect(s).to.equal('abc&lt;def');
    expect(truncate(s, 6)).to.equal('abc…');
    expect(truncate(s, 8)).to.equal('abc&lt;…');
  });
});

describe('formatThreadReply', () => {
  const history: StatusChange[] = [{ status: 'InReview', at: 1 }, { status: 'Rejected', at: 2 }];

  it('is one line: mentions first, then the emoji, the headline and why; broadcast when asked', () => {
    const msg = message({ event: event({ status: 'Rejected' }), history, details: { available: true, statusReason: 'ExpiredDocuments' }, mentions: ['<!subteam^S0123>'] });
    expect(formatThreadReply(msg, { broadcast: true })).to.deep.equal({
      text: '<!subteam^S0123> 🔴 Live check rejected: 7f1c2d3e… · Acme onboarding — Documents expired',
      reply_broadcast: true,
    });
    expect(formatThreadReply(msg, { broadcast: false }).reply_broadcast).to.equal(false);
  });

  it('escapes what came from outside', () => {
    const e = event({ status: '<!channel>', id: 'a' });
    expect(formatThreadReply(message({ event: e }), { broadcast: false }).text).to.equal('🔵 Live check &lt;!channel&gt;: a · Acme onboarding');
  });
});

describe('slackPreviewText', () => {
  it('reads like the message: notification, headline, then the bar with facts, context and button', () => {
    const msg = message({
      event: event({ status: 'Rejected' }),
      details: { available: true, statusReason: 'ExpiredDocuments', thirdPartyIdentifier: 'a&b' },
      config: { ...config, aver: { ...config.aver, links: { check: 'https://aver.example/{id}' } } },
    });
    expect(slackPreviewText(formatSlackMessage(msg)).split('\n')).to.deep.equal([
      'notification: 🔴 Live check rejected: a&b · Acme onboarding — Documents expired',
      '',
      '# 🔴 Live check rejected: a&b · Acme onboarding',
      `┃ (colour ${SEVERITY_LOOK.attention.color})`,
      '┃ *Reason:* Documents expired',
      '┃   17 May 2024, 09:30 UTC · LiveCheck 7f1c2d3e-0000-4000-8000-000000000001 · event 01HXYZEVENT',
      '┃ [ Open in Aver ] → https://aver.example/7f1c2d3e-0000-4000-8000-000000000001',
    ]);
  });
});
