import { expect } from 'chai';
import type { AverEvent } from '../../../src/model/event.js';
import type { EventDetails } from '../../../src/model/event.js';
import type { StatusChange } from '../../../src/model/job.js';
import {
  escapeSlack,
  formatSlackMessage,
  formatThreadReply,
  SLACK_LIMITS,
  truncate,
  type SlackMessageInput,
} from '../../../src/receivers/slack/format.js';

const RECEIVED = Date.UTC(2024, 4, 17, 9, 30, 0);

function event(over: Partial<AverEvent> = {}): AverEvent {
  return {
    eventId: '01HXYZEVENT',
    type: 'LiveCheck',
    id: '7f1c2d3e-0000-4000-8000-000000000001',
    groupId: 'a1b2c3d4-0000-4000-8000-00000000000g',
    status: 'Completed',
    receivedAt: RECEIVED,
    unknownType: false,
    unknownStatus: false,
    raw: {},
    ...over,
  };
}

function input(over: Partial<SlackMessageInput> & { event?: AverEvent } = {}): SlackMessageInput {
  const e = over.event ?? event();
  return {
    event: e,
    labels: { type: e.type, status: e.status, groupId: e.groupId, group: 'Acme onboarding', id: e.id },
    history: [{ status: e.status, at: e.receivedAt }],
    groupName: 'Acme onboarding',
    ...over,
  };
}

type AnyBlock = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text?: unknown; url?: string }> };

function blocksOf(m: ReturnType<typeof formatSlackMessage>): AnyBlock[] {
  expect(m.attachments).to.have.length(1);
  return m.attachments[0].blocks as AnyBlock[];
}

/** Every string a reader of Slack sees, for checks that nothing escapes unescaped. */
function allText(m: ReturnType<typeof formatSlackMessage>): string {
  return JSON.stringify(m);
}

describe('formatSlackMessage', () => {
  const table: Array<{ status: string; emoji: string; words: string; color: string }> = [
    { status: 'Created', emoji: ':new:', words: 'LiveCheck created', color: '#808080' },
    { status: 'AwaitingUser', emoji: ':hourglass_flowing_sand:', words: 'LiveCheck awaiting the user', color: '#808080' },
    { status: 'AwaitingReview', emoji: ':eyes:', words: 'LiveCheck awaiting review', color: '#808080' },
    { status: 'InReview', emoji: ':mag:', words: 'LiveCheck in review', color: '#808080' },
    { status: 'Completed', emoji: ':white_check_mark:', words: 'LiveCheck completed', color: 'good' },
    { status: 'Rejected', emoji: ':x:', words: 'LiveCheck rejected', color: 'danger' },
    { status: 'Failed', emoji: ':rotating_light:', words: 'LiveCheck failed', color: 'danger' },
    { status: 'Error', emoji: ':boom:', words: 'LiveCheck ended in error', color: 'danger' },
    { status: 'Canceled', emoji: ':no_entry_sign:', words: 'LiveCheck canceled', color: '#808080' },
    { status: 'Paused', emoji: ':grey_question:', words: 'LiveCheck status Paused', color: '#808080' },
  ];

  for (const row of table) {
    it(`shows ${row.status} with its emoji, words, colour and fields`, () => {
      const e = event({ status: row.status, unknownStatus: row.status === 'Paused' });
      const m = formatSlackMessage(input({ event: e }));
      const blocks = blocksOf(m);
      expect(m.attachments[0].color).to.equal(row.color);
      expect(blocks[0]).to.deep.equal({ type: 'header', text: { type: 'plain_text', text: `${row.emoji} ${row.words}`, emoji: true } });
      expect(m.text).to.equal(`${row.emoji} ${row.words}: ${e.id} (Acme onboarding (${e.groupId}))`);
      const fields = blocks[1].fields!.map((f) => f.text);
      expect(fields).to.deep.equal([
        '*Type*\nLiveCheck',
        `*Status*\n${row.status}`,
        `*ID*\n${e.id}`,
        `*Group*\nAcme onboarding (${e.groupId})`,
        `*Received*\n<!date^${RECEIVED / 1000}^{date_short_pretty} {time}|2024-05-17 09:30 UTC>`,
      ]);
      const context = blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('aver-bridge'));
      expect(JSON.stringify(context)).to.include('event 01HXYZEVENT');
      if (row.status === 'Paused') expect(JSON.stringify(context)).to.include('status not documented by Aver');
      else expect(JSON.stringify(context)).not.to.include('not documented');
    });
  }

  it('shows the group id alone when it has no friendly name', () => {
    const e = event();
    const m = formatSlackMessage(input({ event: e, groupName: e.groupId }));
    expect(blocksOf(m)[1].fields![3].text).to.equal(`*Group*\n${e.groupId}`);
  });

  it('adds "Open in Aver" with the id, group and type substituted and URL-encoded', () => {
    const e = event({ id: 'a b/c?d', groupId: 'g&1' });
    const m = formatSlackMessage(input({ event: e, links: { check: 'https://aver.example/checks/{id}?group={groupId}&t={type}' } }));
    const actions = blocksOf(m).find((b) => b.type === 'actions');
    expect(actions?.elements?.[0]).to.deep.include({ url: 'https://aver.example/checks/a%20b%2Fc%3Fd?group=g%261&t=LiveCheck' });
    expect(actions?.elements?.[0].text).to.deep.equal({ type: 'plain_text', text: 'Open in Aver' });
  });

  it('uses the watchlist template for watchlist searches, and no button without a template', () => {
    const links = { check: 'https://aver.example/c/{id}', watchlist: 'https://aver.example/w/{id}' };
    const w = formatSlackMessage(input({ event: event({ type: 'RecurringWatchlistSearch', id: 'w1' }), links }));
    expect(JSON.stringify(w)).to.include('https://aver.example/w/w1');
    const none = formatSlackMessage(input({}));
    expect(blocksOf(none).some((b) => b.type === 'actions')).to.equal(false);
  });

  it('shows a one-line history only when there is more than one status', () => {
    const history: StatusChange[] = [
      { status: 'Created', at: Date.UTC(2024, 4, 17, 9, 0) },
      { status: 'InReview', at: Date.UTC(2024, 4, 17, 9, 10) },
      { status: 'Completed', at: RECEIVED },
    ];
    const m = formatSlackMessage(input({ history }));
    const line = JSON.stringify(blocksOf(m).find((b) => JSON.stringify(b).includes('History')));
    expect(line).to.match(/Created <!date\^\d+\^\{time\}\|09:00 UTC> → InReview <!date\^\d+\^\{time\}\|09:10 UTC> → Completed/);
    expect(JSON.stringify(formatSlackMessage(input({})))).not.to.include('History');
  });

  it('shows the details in plain words when Aver answered', () => {
    const details: EventDetails = {
      available: true,
      statusReason: 'FacialVerificationFailed',
      warnings: ['WatchlistHitsFound', 'adversemediafound', 'SomethingNew'],
      watchlistHits: 3,
      adverseMediaHits: 1,
    };
    const m = formatSlackMessage(input({ event: event({ status: 'Rejected' }), details }));
    const section = blocksOf(m).find((b) => b.type === 'section' && b.text)!;
    expect(section.text!.text).to.equal(
      '*Reason:* Facial verification failed\n*Warnings:* Watchlist hits found, Adverse media found, Something new\n*Watchlist hits:* 3 · *Adverse media hits:* 1',
    );
  });

  it('says "Details unavailable" when enrichment did not answer', () => {
    const m = formatSlackMessage(input({ details: { available: false } }));
    expect(JSON.stringify(blocksOf(m))).to.include('Details unavailable');
    expect(JSON.stringify(formatSlackMessage(input({ details: null })))).not.to.include('Details unavailable');
  });

  it('puts operator-written mentions, unescaped, at the start of the text', () => {
    const m = formatSlackMessage(input({ event: event({ status: 'Rejected' }), mention: ['<!subteam^S0123>', '<!here>'] }));
    expect(m.text.startsWith('<!subteam^S0123> <!here> :x: LiveCheck rejected')).to.equal(true);
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
        const e = event(h.over as Partial<AverEvent>);
        const m = formatSlackMessage(input({ event: e, groupName: e.groupId, history: [{ status: 'Created', at: 1 }, { status: e.status, at: 2 }] }));
        const all = allText(m);
        expect(all).not.to.match(/<!(channel|everyone|here)/);
        expect(all).not.to.include('<https://evil');
        expect(all).not.to.include('<@U123>');
        expect(all).to.include('&lt;');
      });
    }

    it('escapes the friendly group name and Aver details too', () => {
      const m = formatSlackMessage(input({
        groupName: 'Acme <!channel>',
        details: { available: true, statusReason: '<!here>', warnings: ['<https://evil|x>'], thirdPartyIdentifier: 'a&b', name: '<@U1>' },
      }));
      const all = allText(m);
      expect(all).not.to.match(/<!(channel|here)|<https|<@U1>/);
      expect(all).to.include('Acme &lt;!channel&gt;');
      expect(all).to.include('a&amp;b');
    });
  });

  describe('limits', () => {
    const long = 'x'.repeat(10_000);
    const m = formatSlackMessage(input({
      event: event({ id: long, type: long, groupId: long, status: long, unknownStatus: true, unknownType: true, eventId: long }),
      groupName: long,
      history: Array.from({ length: 500 }, (_, i) => ({ status: `S${i}${long.slice(0, 50)}`, at: i * 1000 })),
      details: { available: true, statusReason: long, warnings: Array(300).fill('WatchlistHitsFound'), checkTypes: [long], thirdPartyIdentifier: long, name: long },
      links: { check: 'https://aver.example/{id}' },
      mention: ['<!here>'],
    }));
    const blocks = blocksOf(m);

    it('stays within the block, header, section, field and text limits', () => {
      expect(blocks.length).to.be.at.most(SLACK_LIMITS.blocks);
      expect(blocks[0].text!.text.length).to.be.at.most(SLACK_LIMITS.headerText);
      for (const b of blocks) {
        if (b.type === 'section' && b.text) expect(b.text.text.length).to.be.at.most(SLACK_LIMITS.sectionText);
        if (b.fields) {
          expect(b.fields.length).to.be.at.most(SLACK_LIMITS.fields);
          for (const f of b.fields) expect(f.text.length).to.be.at.most(SLACK_LIMITS.fieldText);
        }
        if (b.type === 'context') for (const el of b.elements!) expect(String(el.text).length).to.be.at.most(SLACK_LIMITS.contextText);
      }
      expect(m.text.length).to.be.at.most(SLACK_LIMITS.messageText);
      expect(m.text.startsWith('<!here> ')).to.equal(true);
    });

    it('drops the button when the link would be too long, and the oldest history first', () => {
      expect(blocks.some((b) => b.type === 'actions')).to.equal(false);
      const history = JSON.stringify(blocks.find((b) => JSON.stringify(b).includes('History')));
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
  it('names the change and puts mentions first', () => {
    const r = formatThreadReply({
      event: event({ status: 'Rejected' }),
      history: [{ status: 'InReview', at: 1 }, { status: 'Rejected', at: 2 }],
      mention: ['<!subteam^S0123>'],
    });
    expect(r.text).to.equal('<!subteam^S0123> :x: Status changed: InReview → Rejected');
  });

  it('escapes statuses and says just the status without a change', () => {
    expect(formatThreadReply({ event: event({ status: '<!channel>' }), history: [{ status: '<!channel>', at: 1 }] }).text)
      .to.equal(':grey_question: Status: &lt;!channel&gt;');
  });
});
