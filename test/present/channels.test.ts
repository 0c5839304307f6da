import { expect } from 'chai';
import { createRequire } from 'node:module';
import { KNOWN_STATUSES, type AverEvent, type EventDetails } from '../../src/model/event.js';
import type { StatusChange } from '../../src/model/job.js';
import { buildMessage, headlineLine, pushLine, type Message, type MessageInput } from '../../src/present/message.js';
import { SEVERITY_LOOK, type Severity } from '../../src/present/severity.js';
import { createConsoleReceiver } from '../../src/receivers/console/deliver.js';
import { formatSlackMessage, formatThreadReply, SLACK_LIMITS } from '../../src/receivers/slack/format.js';
import { createTeamsWorkflowReceiver } from '../../src/receivers/teams-workflow/deliver.js';
import { CONTAINER_STYLE, formatTeamsCard, formatTeamsReply, formatTeamsSummary } from '../../src/receivers/teams/format.js';
import { createWebhookReceiver } from '../../src/receivers/webhook/deliver.js';
import { testConfig } from '../helpers/config.js';
import { ctx, event, job, labelsOf } from '../helpers/fixtures.js';
import type { CardJson } from '../helpers/teams-card.js';

// The package's lib/ is bundler-only ESM; its UMD build parses cards in Node without a DOM.
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** Every warning or error Microsoft's parser raises for a card. */
function parseProblems(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  ac.parse(card, context);
  return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
}

const config = testConfig({ aver: { links: { check: 'https://aver.example/checks/{id}', watchlist: 'https://aver.example/w/{id}' } } });

interface Row {
  name: string;
  event: Partial<AverEvent>;
  details?: EventDetails;
  history?: StatusChange[];
  severity: Severity;
  /** Words Slack and Teams must both show. */
  words: string[];
  /** Whose strings come from outside and are escaped by each channel: compared after undoing the escapes. */
  hostile?: boolean;
}

const avail = (d: Omit<EventDetails, 'available'>): EventDetails => ({ available: true, ...d });
const BY_STATUS: Record<string, Severity> = {
  Rejected: 'attention', Failed: 'attention', Error: 'attention', AwaitingReview: 'action', AwaitingUser: 'action', InReview: 'action', Completed: 'good',
};

const ROWS: Row[] = [
  ...KNOWN_STATUSES.map((status): Row => ({ name: `LiveCheck ${status}`, event: { status }, severity: BY_STATUS[status] ?? 'info', words: [status === 'Error' ? 'ended in error' : ''] })),
  { name: 'WatchlistSearch Completed with hits', event: { type: 'WatchlistSearch', id: 'wl-1', status: 'Completed' }, details: avail({ watchlistHits: 2, adverseMediaHits: 1 }), severity: 'attention', words: ['completed with hits', '2 watchlist hits, 1 adverse-media hit'] },
  { name: 'WatchlistSearch Completed with warnings only', event: { type: 'WatchlistSearch', id: 'wl-2', status: 'Completed' }, details: avail({ watchlistHits: 0, adverseMediaHits: 0, warnings: ['SameNameFound'] }), severity: 'action', words: ['completed with warnings', 'Same name used in another check'] },
  { name: 'WatchlistSearch Completed clean', event: { type: 'WatchlistSearch', id: 'wl-3', status: 'Completed' }, details: avail({ watchlistHits: 0, adverseMediaHits: 0 }), severity: 'good', words: ['completed, no hits'] },
  { name: 'LiveCheck AwaitingReview with a hit warning', event: { status: 'AwaitingReview' }, details: avail({ warnings: ['AdverseMediaFound'], thirdPartyIdentifier: 'cust-00482' }), severity: 'attention', words: ['awaiting review', 'cust-00482', 'Adverse media found'] },
  { name: 'OfflineCheck Rejected with a reason', event: { type: 'OfflineCheck', status: 'Rejected' }, details: avail({ statusReason: 'ExpiredDocuments', warnings: ['Age'] }), severity: 'attention', words: ['Offline check rejected', 'Documents expired', 'Age outside the range the group allows'] },
  { name: 'undocumented type and status', event: { type: 'FaceMatch', status: 'AwaitingManualStep', unknownType: true, unknownStatus: true }, severity: 'info', words: ['Face match awaiting manual step', 'AwaitingManualStep'] },
  { name: 'details unavailable', event: { status: 'Failed' }, details: { available: false }, severity: 'attention', words: ['details unavailable'] },
  { name: 'a history of three statuses', event: { status: 'Completed' }, history: [{ status: 'Created', at: 1 }, { status: 'InReview', at: 2 }, { status: 'Completed', at: 3 }], severity: 'good', words: ['In review'] },
  { name: 'hostile id', event: { id: '<!channel> <at>Boss</at> *b* [x](https://evil.example)', status: 'Rejected' }, severity: 'attention', words: [], hostile: true },
  { name: 'hostile group and reference', event: { groupId: '_g_ <!here>', status: 'AwaitingReview' }, details: avail({ thirdPartyIdentifier: '`ref` ~x~ a&b {{DATE(x)}}' }), severity: 'action', words: [], hostile: true },
  { name: 'hostile status and type', event: { status: '<https://evil.example|x>', type: '# heading', unknownStatus: true, unknownType: true }, severity: 'info', words: [], hostile: true },
  { name: 'status named after Object.prototype', event: { status: 'constructor', unknownStatus: true }, severity: 'info', words: ['constructor'] },
];

function messageOf(row: Row, over: Partial<MessageInput> = {}): { e: AverEvent; m: Message } {
  const e = event({ ...row.event, eventId: 'ev-1' });
  const labels = labelsOf(e, e.groupId === 'grp-1' ? 'Acme onboarding' : e.groupId);
  const history = row.history ?? [{ status: e.status, at: e.receivedAt }];
  return { e, m: buildMessage({ event: e, labels, details: row.details ?? null, history, config, ...over }) };
}

/** Undoes each channel's escaping (entities, lookalikes, backslashes), so the words can be compared. */
function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/\u2217/g, '*').replace(/\u02cd/g, '_').replace(/\u223c/g, '~').replace(/\u02cb/g, '`')
    .replace(/\u2024/g, '.').replace(/\u2215/g, '/').replace(/\u00ad/g, '')
    .replace(/‹/g, '<').replace(/›/g, '>')
    .replace(/\\([\\`*_[\]~|{}#+=.)-])/g, '$1');
}

async function throughWebhookAndConsole(e: AverEvent, row: Row) {
  let posted: { message: Message; event: AverEvent } | undefined;
  const fetch = (async (_url: string, init: RequestInit) => {
    posted = JSON.parse(String(init.body));
    return new Response(null, { status: 204 });
  }) as typeof globalThis.fetch;
  const j = job(e, { labels: labelsOf(e, e.groupId === 'grp-1' ? 'Acme onboarding' : e.groupId), details: row.details ?? null });
  // Webhook and console receivers keep no history (usesHistory: false); Workflows cards list it.
  await createWebhookReceiver({ name: 'hook', webhook: { url: 'http://hook.test/x', headers: {} } }, { fetch, now: Date.now, config }).deliver(j, ctx());
  const lines: string[] = [];
  await createConsoleReceiver({ name: 'ops', kind: 'console', console: { pretty: false } }, { write: (l) => void lines.push(l), config }).deliver(j, ctx());
  const history = row.history ?? [{ status: e.status, at: e.receivedAt }];
  let workflowCard: CardJson | undefined;
  const wfFetch = (async (_url: string, init: RequestInit) => {
    workflowCard = JSON.parse(String(init.body)).attachments[0].content;
    return new Response(null, { status: 202 });
  }) as typeof globalThis.fetch;
  await createTeamsWorkflowReceiver({ name: 'wf', teamsWorkflow: { url: 'http://flow.test/x' } }, { fetch: wfFetch, config, logger: ctx().logger }).deliver(j, ctx(null, history));
  return { webhook: posted!, console: JSON.parse(lines[0]) as Record<string, string>, workflowCard: workflowCard! };
}

describe('one message, every channel', () => {
  for (const row of ROWS) {
    it(`${row.name}: the same severity, headline and words in Slack, Teams, Workflows, webhook and console`, async () => {
      const { e, m } = messageOf(row);
      expect(m.severity).to.equal(row.severity);
      const headline = headlineLine(m);

      const slack = formatSlackMessage(m);
      const header = (slack.blocks[0] as { text: { text: string } }).text.text;
      expect(slack.attachments[0].color).to.equal(SEVERITY_LOOK[row.severity].color);

      const card = formatTeamsCard(m) as unknown as CardJson;
      const container = card.body[0];
      const title = container.items![0].text!;
      expect(container.style).to.equal(CONTAINER_STYLE[row.severity]);
      expect(parseProblems(card)).to.deep.equal([]);

      const { webhook, console: line, workflowCard } = await throughWebhookAndConsole(e, row);
      expect(webhook.event).to.deep.equal(e);
      expect(webhook.message.severity).to.equal(row.severity);
      expect(line.severity).to.equal(row.severity);
      expect(workflowCard.body[0].style).to.equal(CONTAINER_STYLE[row.severity]);
      expect(parseProblems(workflowCard)).to.deep.equal([]);

      const headlines = [unescape(header), unescape(slack.text), unescape(title), unescape(workflowCard.body[0].items![0].text!), line.headline, headlineLine(webhook.message)];
      expect(line.headline).to.equal(headline);
      if (!row.hostile) expect(header).to.equal(headline).and.equal(title);
      for (const h of headlines) expect(h.startsWith(headline), h).to.equal(true);
      expect(slack.text).to.equal(slack.attachments[0].fallback);
      expect(unescape(slack.text)).to.equal(pushLine(m));
      expect(line.text).to.equal(pushLine(m));
      expect(formatTeamsSummary(m).replace(/‹/g, '<').replace(/›/g, '>')).to.equal(pushLine(m));

      const chats = [JSON.stringify(slack), JSON.stringify(card), JSON.stringify(workflowCard)].map(unescape);
      for (const words of row.words.filter(Boolean)) for (const text of chats) expect(text, words).to.include(words);
      for (const text of [JSON.stringify(slack), JSON.stringify(card), JSON.stringify(workflowCard)]) {
        expect(text).not.to.match(/native code|\[object Object\]|undefined/);
      }
    });
  }

  it('keeps hostile strings inert: no Slack mention or link, no Teams mention, Markdown or date function from outside', () => {
    for (const row of ROWS.filter((r) => r.hostile)) {
      const { m } = messageOf(row);
      const slack = JSON.stringify([formatSlackMessage(m), formatThreadReply(m, { broadcast: true })]);
      expect(slack, row.name).not.to.match(/<!(channel|here|everyone)|<https?:|<@U/);
      const teams = formatTeamsCard(m) as unknown as CardJson;
      const texts = JSON.stringify([teams.body, formatTeamsReply(m).text]);
      expect(texts, row.name).not.to.match(/<at>|(?<!\\)\]\(https?:|(?<!\\)\{\{DATE\(x/);
      expect(teams.msteams?.entities, row.name).to.equal(undefined);
    }
  });

  it('shows Berlin time under display.timeZone: Europe/Berlin (Slack fallback, webhook; the console line carries no time, so never UTC); Teams lets each viewer see their own', async () => {
    const berlin = testConfig({ display: { timeZone: 'Europe/Berlin', locale: 'en-GB' } });
    const e = event('Rejected');
    const m = buildMessage({ event: e, labels: labelsOf(e), details: null, history: [{ status: 'InReview', at: e.receivedAt - 600_000 }, { status: 'Rejected', at: e.receivedAt }], config: berlin });
    const slack = JSON.stringify(formatSlackMessage(m));
    expect(slack).to.include(`<!date^${e.receivedAt / 1000}^{date_short_pretty} {time}|17 May 2024, 11:30 CEST>`);
    expect(slack).to.include(`<!date^${e.receivedAt / 1000}^{time}|11:30>`);
    expect(slack).not.to.include('09:30');
    const card = JSON.stringify(formatTeamsCard(m));
    expect(card).to.include('{{DATE(2024-05-17T09:30:00Z, SHORT)}} {{TIME(2024-05-17T09:30:00Z)}}');
    expect(card).to.include('{{TIME(2024-05-17T09:20:00Z)}}');
    expect(parseProblems(JSON.parse(card))).to.deep.equal([]);

    const lines: string[] = [];
    await createConsoleReceiver({ name: 'ops', kind: 'console', console: { pretty: false } }, { write: (l) => void lines.push(l), config: berlin }).deliver(job(e), ctx());
    expect(lines).to.have.length(1);
    expect(lines[0]).not.to.include('09:30');
    let sent: { message: Message } | undefined;
    const fetch = (async (_u: string, init: RequestInit) => {
      sent = JSON.parse(String(init.body));
      return new Response(null, { status: 200 });
    }) as typeof globalThis.fetch;
    await createWebhookReceiver({ name: 'hook', webhook: { url: 'http://hook.test/x', headers: {} } }, { fetch, now: Date.now, config: berlin }).deliver(job(e), ctx());
    expect(sent!.message.time).to.deep.include({ text: '17 May 2024, 11:30 CEST', iso: '2024-05-17T09:30:00Z', zone: 'Europe/Berlin' });
  });

  describe('Block Kit limits', () => {
    const long = 'x'.repeat(10_000);
    const rows: Array<[string, Partial<MessageInput>]> = [
      ['every field at its longest', {
        event: event({ id: long, type: long, groupId: long, status: long, eventId: long, unknownStatus: true, unknownType: true }),
        details: avail({ statusReason: long, warnings: Array(300).fill(long), thirdPartyIdentifier: long, name: long, watchlistHits: 1e9, adverseMediaHits: 1e9 }),
        history: Array.from({ length: 500 }, (_, i) => ({ status: `S${i}${long.slice(0, 100)}`, at: i * 1000 })),
        mentions: Array(200).fill('<!subteam^S0123456789>'),
      }],
      ...ROWS.map((r): [string, Partial<MessageInput>] => [r.name, {}]),
    ];
    for (const [name, over] of rows) {
      it(`${name}: within the block, header, section, context, button and text limits`, () => {
        const e = over.event ?? event();
        const m = buildMessage({ event: e, labels: labelsOf(e), details: null, history: [{ status: e.status, at: 1 }], config, ...over });
        const s = formatSlackMessage(m);
        type Loose = { type: string; text: { text: string }; elements: Array<{ text: string & { text: string }; url: string }> };
        const all = [...s.blocks, ...(s.attachments[0].blocks ?? [])] as unknown as Loose[];
        expect(s.blocks.length + (s.attachments[0].blocks ?? []).length).to.be.at.most(SLACK_LIMITS.blocks);
        for (const b of all) {
          if (b.type === 'header') expect(b.text.text.length).to.be.at.most(SLACK_LIMITS.headerText);
          if (b.type === 'section') expect(b.text.text.length).to.be.at.most(SLACK_LIMITS.sectionText);
          if (b.type === 'context') {
            expect(b.elements.length).to.be.at.most(SLACK_LIMITS.contextElements);
            for (const el of b.elements) expect(el.text.length).to.be.at.most(SLACK_LIMITS.contextText);
          }
          if (b.type === 'actions') for (const el of b.elements) {
            expect(el.text.text.length).to.be.at.most(SLACK_LIMITS.buttonText);
            expect(el.url.length).to.be.at.most(SLACK_LIMITS.buttonUrl);
          }
        }
        for (const text of [s.text, s.attachments[0].fallback!, formatThreadReply(m, { broadcast: true }).text]) expect(text.length).to.be.at.most(SLACK_LIMITS.messageText);
        const card = formatTeamsCard(m);
        expect(parseProblems(card)).to.deep.equal([]);
        expect(JSON.stringify(card).length).to.be.below(28_000);
        expect(formatTeamsReply(m).text.length).to.be.below(1_000);
      });
    }
  });
});

