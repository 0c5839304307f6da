import { expect } from 'chai';
import { createRequire } from 'node:module';
import { KNOWN_STATUSES, type AverEvent } from '../../../src/model/event.js';
import {
  escapeTeamsText,
  fillLink,
  formatTeamsCard,
  formatTeamsSummary,
  mentionText,
  type TeamsCardInput,
} from '../../../src/receivers/teams/format.js';

// The package's lib/ is bundler-only ESM; its UMD build parses cards in Node without a DOM.
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** Parses a card with Microsoft's own parser and returns every warning or error it raised. */
function parseProblems(json: object): string[] {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  return problems;
}

function event(status: string, over: Partial<AverEvent> = {}): AverEvent {
  return {
    eventId: `ev-${status}`, type: 'LiveCheck', id: 'chk-1', groupId: 'grp-1', status,
    receivedAt: Date.UTC(2024, 4, 17, 9, 30), unknownType: false, unknownStatus: false, raw: {}, ...over,
  };
}

function input(status: string, over: Partial<TeamsCardInput> = {}): TeamsCardInput {
  const e = over.event ?? event(status);
  return {
    event: e,
    labels: { type: e.type, status: e.status, groupId: e.groupId, group: 'Acme onboarding', id: e.id },
    history: [{ status, at: e.receivedAt }],
    groupName: 'Acme onboarding',
    ...over,
  };
}

function body(card: Record<string, any>) {
  return card.body[0] as { type: string; style: string; items: Array<Record<string, any>> };
}

function allText(card: object): string {
  return JSON.stringify(card);
}

describe('formatTeamsCard', () => {
  it('the parser itself reports a bad card (so the checks below can fail)', () => {
    expect(parseProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Container', style: 'loud', items: [] }] })).to.have.length(1);
  });

  for (const status of [...KNOWN_STATUSES, 'SomethingNew']) {
    it(`builds a card Microsoft's parser accepts with no warnings: ${status}`, () => {
      const card = formatTeamsCard(input(status, {
        event: event(status, { unknownStatus: status === 'SomethingNew' }),
        history: [{ status: 'Created', at: 1 }, { status, at: 2 }],
        details: { available: true, statusReason: 'ExpiredDocuments', warnings: ['watchlistHitsFound', 'Age'], watchlistHits: 2, adverseMediaHits: 0 },
        checkLink: 'https://aver.example/checks/{id}?group={groupId}',
        mentions: [{ name: 'Compliance Reviewers', text: mentionText('Compliance Reviewers'), id: 'tag-1', type: 'tag' }],
      }));
      expect(card.version).to.equal('1.5');
      expect(parseProblems(card)).to.deep.equal([]);
    });
  }

  it('styles the container by status', () => {
    const style = (s: string) => body(formatTeamsCard(input(s))).style;
    expect(style('Completed')).to.equal('good');
    for (const s of ['Rejected', 'Failed', 'Error']) expect(style(s), s).to.equal('attention');
    for (const s of ['AwaitingReview', 'InReview']) expect(style(s), s).to.equal('warning');
    for (const s of ['Created', 'AwaitingUser', 'AwaitingAutomation']) expect(style(s), s).to.equal('default');
    expect(style('Canceled')).to.equal('emphasis');
    expect(style('Weird')).to.equal('emphasis');
  });

  it('has a title with the status, and the facts', () => {
    const card = formatTeamsCard(input('AwaitingReview'));
    const items = body(card).items;
    expect(items[0]).to.include({ type: 'TextBlock', weight: 'Bolder' });
    expect(items[0].text).to.equal('👀 Live check chk-1: Awaiting review');
    expect(items[1].type).to.equal('FactSet');
    expect(items[1].facts).to.deep.equal([
      { title: 'Type', value: 'Live check' },
      { title: 'Status', value: 'Awaiting review' },
      { title: 'Id', value: 'chk-1' },
      { title: 'Group', value: 'Acme onboarding (grp-1)' },
      { title: 'Received', value: '2024-05-17 09:30 UTC' },
    ]);
    expect(card.actions).to.equal(undefined);
    expect(formatTeamsSummary(input('AwaitingReview'))).to.equal('👀 Live check chk-1: Awaiting review (group Acme onboarding)');
    expect(card.fallbackText).to.equal(formatTeamsSummary(input('AwaitingReview')));
  });

  it('adds a history line only when there is more than one status', () => {
    const one = allText(formatTeamsCard(input('Completed')));
    expect(one).not.to.include('History:');
    const two = formatTeamsCard(input('Completed', { history: [{ status: 'AwaitingReview', at: Date.UTC(2024, 4, 17, 9, 0) }, { status: 'Completed', at: Date.UTC(2024, 4, 17, 9, 30) }] }));
    const line = body(two).items.find((i) => String(i.text).startsWith('History:'));
    expect(line?.text).to.equal('History: Awaiting review (2024-05-17 09:00 UTC) → Completed (2024-05-17 09:30 UTC)');
  });

  it('shows details in plain words, or says they are unavailable', () => {
    const card = formatTeamsCard(input('Rejected', {
      details: { available: true, statusReason: 'SuspiciousDocumentsOrImages', warnings: ['ipvpntor', 'Unheard'], watchlistHits: 3, adverseMediaHits: 1 },
    }));
    const text = allText(card);
    expect(text).to.include('Suspicious documents or images');
    expect(text).to.include('- IP address from a VPN or Tor');
    expect(text).to.include('- Unheard');
    expect(text).to.include('"title":"Watchlist hits","value":"3"');
    expect(text).to.include('"title":"Adverse media hits","value":"1"');
    expect(allText(formatTeamsCard(input('Rejected', { details: { available: false } })))).to.include('Details unavailable');
    expect(allText(formatTeamsCard(input('Rejected', { details: null })))).not.to.include('Details unavailable');
  });

  it('adds "Open in Aver" with the template filled in and URL-encoded', () => {
    const card = formatTeamsCard(input('Completed', {
      event: event('Completed', { id: 'a b/&c', groupId: 'g?1' }),
      checkLink: 'https://aver.example/{type}/{id}?group={groupId}',
    }));
    expect(card.actions).to.deep.equal([{ type: 'Action.OpenUrl', title: 'Open in Aver', url: 'https://aver.example/LiveCheck/a%20b%2F%26c?group=g%3F1' }]);
    expect(fillLink('javascript:alert(1)//{id}', event('Completed'))).to.equal(undefined);
  });

  it('mentions: entities for those with an id, plain text for names alone', () => {
    const card = formatTeamsCard(input('Rejected', {
      mentions: [
        { name: 'Compliance Reviewers', text: mentionText('Compliance Reviewers'), id: 'tag-1', type: 'tag' },
        { name: 'Ada Lovelace', text: mentionText('Ada Lovelace'), id: '29:ada' },
        { name: 'Just A Name', text: mentionText('Just A Name') },
      ],
    }));
    const cc = body(card).items.find((i) => String(i.text).startsWith('cc '));
    expect(cc?.text).to.equal('cc <at>Compliance Reviewers</at> <at>Ada Lovelace</at> Just A Name');
    expect((card.msteams as any).entities).to.deep.equal([
      { type: 'mention', text: '<at>Compliance Reviewers</at>', mentioned: { id: 'tag-1', name: 'Compliance Reviewers', type: 'tag' } },
      { type: 'mention', text: '<at>Ada Lovelace</at>', mentioned: { id: '29:ada', name: 'Ada Lovelace' } },
    ]);
  });
});

describe('escapeTeamsText', () => {
  it('keeps webhook strings from injecting links, emphasis or mentions', () => {
    const evil = '[click](https://evil.example) *bold* _it_ <at>Everyone</at> `code` ~~x~~ \\';
    const out = escapeTeamsText(evil, 500);
    expect(out).to.equal('\\[click\\](https://evil.example) \\*bold\\* \\_it\\_ ‹at›Everyone‹/at› \\`code\\` \\~\\~x\\~\\~ \\\\');
    expect(out).not.to.match(/<at>/);
  });

  it('neutralises block syntax, newlines and control characters', () => {
    expect(escapeTeamsText('# heading')).to.equal('\\# heading');
    expect(escapeTeamsText('- item')).to.equal('\\- item');
    expect(escapeTeamsText('1. item')).to.equal('1\\. item');
    expect(escapeTeamsText('a\n# b\r\u0000c')).to.equal('a # b c');
    expect(escapeTeamsText('chk-1-2')).to.equal('chk-1-2');
  });

  it('truncates very long strings', () => {
    expect(Array.from(escapeTeamsText('x'.repeat(5000))).length).to.equal(200);
    expect(escapeTeamsText('x'.repeat(5000)).endsWith('…')).to.equal(true);
  });

  it('applies to every Aver string on the card, and to the mention-free text', () => {
    const e = event('Rejected', { id: '<at>Boss</at>', type: '[x](https://evil)', groupId: '*g*', unknownType: true });
    const card = formatTeamsCard(input('Rejected', { event: e, groupName: '_Group_', details: { available: true, warnings: ['[w](https://evil)'], statusReason: '<b>r</b>' } }));
    // fallbackText is plain text (no Markdown) but still has no `<at>`.
    expect(String(card.fallbackText)).not.to.include('<at>');
    const text = allText(card.body as object);
    expect(text).not.to.include('<at>');
    expect(text).not.to.include('[x]');
    expect(text).not.to.include('[w]');
    expect(text).not.to.include('<b>');
    expect((card.msteams as any).entities).to.equal(undefined);
    expect(parseProblems(card)).to.deep.equal([]);
  });

  it('keeps a card for very long input within a sane size', () => {
    const long = 'x'.repeat(100_000);
    const card = formatTeamsCard(input('Rejected', {
      event: event('Rejected', { id: long, groupId: long }),
      groupName: long,
      history: Array.from({ length: 500 }, (_, i) => ({ status: 'InReview', at: i })),
      details: { available: true, statusReason: long, warnings: Array.from({ length: 500 }, () => long), checkTypes: [long] },
    }));
    expect(JSON.stringify(card).length).to.be.below(20_000);
  });
});
