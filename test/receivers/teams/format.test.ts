import { expect } from 'chai';
import { createRequire } from 'node:module';
import { KNOWN_STATUSES } from '../../../src/model/event.js';
import { buildMessage, type MessageInput } from '../../../src/present/message.js';
import {
  escapeTeamsText,
  formatTeamsCard,
  formatTeamsReply,
  formatTeamsSummary,
  mentionText,
  statusLook,
  type AdaptiveCardJson,
  type TeamsMention,
} from '../../../src/receivers/teams/format.js';
import { event, labelsOf } from '../../helpers/fixtures.js';
import type { CardElement, CardJson } from '../../helpers/teams-card.js';

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

const config: MessageInput['config'] = { aver: { groups: { 'grp-1': 'Acme onboarding' }, links: {} } };

function message(status: string, over: Partial<MessageInput> = {}) {
  const e = over.event ?? event(status);
  return buildMessage({ event: e, labels: labelsOf(e), details: null, history: [{ status, at: e.receivedAt }], config, ...over });
}

/** The card's first container. */
function body(card: AdaptiveCardJson) {
  return (card as CardJson).body[0] as CardElement & { style: string; items: CardElement[] };
}

function allText(card: object): string {
  return JSON.stringify(card);
}

const REVIEWERS: TeamsMention = { name: 'Compliance Reviewers', text: mentionText('Compliance Reviewers'), id: 'tag-1', type: 'tag' };

describe('formatTeamsCard', () => {
  it('the parser itself reports a bad card (so the checks below can fail)', () => {
    expect(parseProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Container', style: 'loud', items: [] }] })).to.have.length(1);
  });

  for (const status of [...KNOWN_STATUSES, 'SomethingNew']) {
    it(`builds a card Microsoft's parser accepts with no warnings: ${status}`, () => {
      const card = formatTeamsCard(message(status, {
        event: event(status, { unknownStatus: status === 'SomethingNew' }),
        history: [{ status: 'Created', at: 1 }, { status, at: 2 }],
        details: { available: true, statusReason: 'ExpiredDocuments', warnings: ['watchlistHitsFound', 'Age'], watchlistHits: 2, adverseMediaHits: 0 },
        config: { ...config, aver: { ...config.aver, links: { check: 'https://aver.example/checks/{id}?group={groupId}' } } },
      }), [REVIEWERS]);
      expect(card.version).to.equal('1.5');
      expect(parseProblems(card)).to.deep.equal([]);
    });
  }

  it('styles the container by severity: attention, warning (action), good, accent (info)', () => {
    const style = (s: string, details: MessageInput['details'] = null) => body(formatTeamsCard(message(s, { details }))).style;
    expect(style('Completed')).to.equal('good');
    expect(style('Completed', { available: true, watchlistHits: 1 })).to.equal('attention');
    expect(style('Completed', { available: true, warnings: ['Age'] })).to.equal('warning');
    for (const s of ['Rejected', 'Failed', 'Error']) expect(style(s), s).to.equal('attention');
    for (const s of ['AwaitingReview', 'AwaitingUser', 'InReview']) expect(style(s), s).to.equal('warning');
    for (const s of ['Created', 'AwaitingAutomation', 'Canceled', 'Weird']) expect(style(s), s).to.equal('accent');
  });

  it('has the headline as its title, one small context line with date functions, and no repeated fields', () => {
    const card = formatTeamsCard(message('AwaitingReview'));
    const items = body(card).items;
    expect(items.map((i) => i.type)).to.deep.equal(['TextBlock', 'TextBlock']);
    expect(items[0]).to.include({ type: 'TextBlock', weight: 'Bolder', text: '🟠 Live check awaiting review: chk-1 · Acme onboarding' });
    expect(items[1]).to.include({ isSubtle: true, size: 'Small' });
    expect(items[1].text).to.equal('{{DATE(2024-05-17T09:30:00Z, SHORT)}} {{TIME(2024-05-17T09:30:00Z)}} · LiveCheck · event ev-AwaitingReview');
    expect(card.actions).to.equal(undefined);
    expect(formatTeamsSummary(message('AwaitingReview'))).to.equal('🟠 Live check awaiting review: chk-1 · Acme onboarding');
    expect(card.fallbackText).to.equal(formatTeamsSummary(message('AwaitingReview')));
    expect(allText(card).match(/Acme onboarding/g)).to.have.length(2);
  });

  it('adds a history line only when there is more than one status, each time a date function', () => {
    expect(allText(formatTeamsCard(message('Completed')))).not.to.include('History:');
    const two = formatTeamsCard(message('Completed', { history: [{ status: 'AwaitingReview', at: Date.UTC(2024, 4, 17, 9, 0) }, { status: 'Completed', at: Date.UTC(2024, 4, 17, 9, 30) }] }));
    const line = body(two).items.find((i) => String(i.text).startsWith('History:'));
    expect(line?.text).to.equal('History: Awaiting review {{TIME(2024-05-17T09:00:00Z)}} → Completed {{TIME(2024-05-17T09:30:00Z)}}');
  });

  it('shows details in the same plain words as Slack, or says they are unavailable', () => {
    const card = formatTeamsCard(message('Rejected', {
      details: { available: true, statusReason: 'SuspiciousDocumentsOrImages', warnings: ['ipvpntor', 'Unheard'], thirdPartyIdentifier: 'cust-1' },
    }));
    const facts = body(card).items.find((i) => i.type === 'FactSet')?.facts;
    expect(facts).to.deep.equal([
      { title: 'Reason', value: 'Suspicious documents or images' },
      { title: 'Warnings', value: 'IP address is a VPN or Tor exit, Unheard' },
    ]);
    expect(body(card).items[0].text).to.equal('🔴 Live check rejected: cust-1 · Acme onboarding');
    const hits = formatTeamsCard(message('Completed', { event: event('Completed', { type: 'WatchlistSearch' }), details: { available: true, watchlistHits: 3, adverseMediaHits: 1 } }));
    expect(body(hits).items.find((i) => i.type === 'FactSet')?.facts).to.deep.equal([{ title: 'Found', value: '3 watchlist hits, 1 adverse-media hit' }]);
    expect(allText(formatTeamsCard(message('Rejected', { details: { available: false } })))).to.include('details unavailable');
    expect(allText(formatTeamsCard(message('Rejected', { details: null })))).not.to.include('unavailable');
  });

  it('adds "Open in Aver" with the template filled in and URL-encoded', () => {
    const card = formatTeamsCard(message('Completed', {
      event: event('Completed', { id: 'a b/&c', groupId: 'g?1' }),
      config: { aver: { links: { check: 'https://aver.example/{type}/{id}?group={groupId}' } } },
    }));
    expect(card.actions).to.deep.equal([{ type: 'Action.OpenUrl', title: 'Open in Aver', url: 'https://aver.example/LiveCheck/a%20b%2F%26c?group=g%3F1' }]);
  });

  it('mentions: entities for those with an id, plain text for names alone', () => {
    const card = formatTeamsCard(message('Rejected'), [
      REVIEWERS,
      { name: 'Ada Lovelace', text: mentionText('Ada Lovelace'), id: '29:ada' },
      { name: 'Just A Name', text: mentionText('Just A Name') },
    ]);
    const cc = body(card).items.find((i) => String(i.text).startsWith('cc '));
    expect(cc?.text).to.equal('cc <at>Compliance Reviewers</at> <at>Ada Lovelace</at> Just A Name');
    expect((card as CardJson).msteams!.entities).to.deep.equal([
      { type: 'mention', text: '<at>Compliance Reviewers</at>', mentioned: { id: 'tag-1', name: 'Compliance Reviewers', type: 'tag' } },
      { type: 'mention', text: '<at>Ada Lovelace</at>', mentioned: { id: '29:ada', name: 'Ada Lovelace' } },
    ]);
  });
});

describe('formatTeamsReply', () => {
  it('is one short text line with the mentions, never a card', () => {
    const m = message('AwaitingReview', { details: { available: true, warnings: ['SameNameFound'] } });
    const reply = formatTeamsReply(m, [REVIEWERS]);
    expect(reply).to.deep.equal({
      type: 'message',
      text: '<at>Compliance Reviewers</at> 🟠 Live check awaiting review: chk-1 · Acme onboarding — Same name used in another check',
      textFormat: 'markdown',
      summary: '🟠 Live check awaiting review: chk-1 · Acme onboarding — Same name used in another check',
      entities: [{ type: 'mention', text: '<at>Compliance Reviewers</at>', mentioned: { id: 'tag-1', name: 'Compliance Reviewers', type: 'tag' } }],
    });
    expect(reply).not.to.have.property('attachments');
    expect(formatTeamsReply(m)).not.to.have.property('entities');
  });
});

describe('statusLook', () => {
  it('gives a status alone the emoji of its severity and its words', () => {
    expect(statusLook('Rejected')).to.deep.equal({ emoji: '🔴', words: 'Rejected', style: 'attention' });
    expect(statusLook('AwaitingReview')).to.deep.equal({ emoji: '🟠', words: 'Awaiting review', style: 'warning' });
    expect(statusLook('toString')).to.deep.equal({ emoji: '🔵', words: 'To string', style: 'accent' });
  });
});

describe('escapeTeamsText', () => {
  it('keeps webhook strings from injecting links, emphasis or mentions', () => {
    const evil = '[click](https://evil.example) *bold* _it_ <at>Everyone</at> `code` ~~x~~ \\';
    const out = escapeTeamsText(evil, 500);
    expect(out).to.equal('\\[click\\](https:∕∕evil․example) \\*bold\\* \\_it\\_ ‹at›Everyone‹/at› \\`code\\` \\~\\~x\\~\\~ \\\\');
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
    const card = formatTeamsCard(message('Rejected', { event: e, labels: { group: '_Group_' }, details: { available: true, warnings: ['[w](https://evil)'], statusReason: '<b>r</b>', thirdPartyIdentifier: '{{DATE(x)}}' } }));
    // fallbackText is plain text (no Markdown) but still has no `<at>`.
    expect(String(card.fallbackText)).not.to.include('<at>');
    const text = allText(card.body as object);
    expect(text).not.to.include('<at>');
    expect(text).not.to.include('[x]');
    expect(text).not.to.include('[w]');
    expect(text).not.to.include('<b>');
    expect(text).not.to.match(/(?<!\\\\)\{\{DATE\(x/);
    expect((card as CardJson).msteams!.entities).to.equal(undefined);
    expect(parseProblems(card)).to.deep.equal([]);
    const reply = formatTeamsReply(message('Rejected', { event: e }));
    expect(reply.text).not.to.include('<at>');
    expect(reply).not.to.have.property('entities');
  });

  it('keeps a card for very long input within a sane size', () => {
    const long = 'x'.repeat(100_000);
    const card = formatTeamsCard(message('Rejected', {
      event: event('Rejected', { id: long, groupId: long }),
      labels: { group: long },
      history: Array.from({ length: 500 }, (_, i) => ({ status: 'InReview', at: i })),
      details: { available: true, statusReason: long, warnings: Array.from({ length: 500 }, () => long), checkTypes: [long] },
    }));
    expect(JSON.stringify(card).length).to.be.below(20_000);
    expect(parseProblems(card)).to.deep.equal([]);
  });
});
