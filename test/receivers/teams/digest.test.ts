import { expect } from 'chai';
import nock from 'nock';
import { createRequire } from 'node:module';
import type { TeamsConfig } from '../../../src/model/config.js';
import type { GroupDigest, MessageRef } from '../../../src/model/job.js';
import { digestMessage } from '../../../src/present/digest.js';
import { createTeamsAdapter } from '../../../src/receivers/teams/adapter.js';
import { createTeamsReceiver } from '../../../src/receivers/teams/deliver.js';
import { formatTeamsDigestCard } from '../../../src/receivers/teams/digest.js';
import { createTeamsWorkflowReceiver } from '../../../src/receivers/teams-workflow/deliver.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { Store } from '../../../src/store/store.js';
import { testConfig } from '../../helpers/config.js';
import { ctx, event, job, labelsOf } from '../../helpers/fixtures.js';
import { silentLogger as logger } from '../../helpers/logger.js';
import type { CardJson } from '../../helpers/teams-card.js';

// The package's lib/ is bundler-only ESM; its UMD build parses cards in Node without a DOM.
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

function parseProblems(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  ac.parse(card, context);
  return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
}

const SERVICE = 'http://teams.test';
const CHANNEL = '19:abc123@thread.tacv2';
const FIRST = '1715938200000';
const FIRST_REF: MessageRef = { channel: `${CHANNEL};messageid=${FIRST}`, messageId: FIRST, extra: { serviceUrl: `${SERVICE}/` } };
const teams: TeamsConfig = { appId: '', appPassword: '', appType: 'MultiTenant', tenantId: '', serviceUrl: `${SERVICE}/`, auth: {}, allowedTenants: [], allowInsecureDevMode: false };
const config = testConfig();
const texts = (card: CardJson) => (card.body[0].items ?? []).map((i) => String(i.text ?? ''));

/** A group's digest as the store gives it: `total` checks, the first `items` of them listed. */
function groupDigest(over: Partial<GroupDigest> = {}): GroupDigest {
  const items = [event('Rejected', { id: 'chk-1', eventId: 'ev-1' }), event('AwaitingReview', { id: 'chk-2', eventId: 'ev-2' })]
    .map((e) => ({ event: e, labels: labelsOf(e) }));
  return { groupId: 7, kind: 'group', labels: { groupId: 'grp-1', type: 'LiveCheck' }, openedAt: 0, total: 40, byStatus: { Rejected: 1, AwaitingReview: 1, Completed: 38 }, items, ...over };
}

describe('formatTeamsDigestCard', () => {
  it('parses cleanly: the headline, counts by severity and status, the attention items linked to Aver, "and N more"', () => {
    const card = formatTeamsDigestCard(digestMessage(groupDigest(), config, { name: 'kyc-teams' }, logger)) as unknown as CardJson;
    expect(parseProblems(card)).to.deep.equal([]);
    expect(card.body[0].style).to.equal('attention');
    expect(texts(card)).to.deep.equal([
      '🔴 Acme onboarding · Live check: 40 events',
      '🔴 1 needs attention · 🟠 1 needs action · 🟢 38 good',
      'Rejected 1 · Awaiting review 1 · Completed 38',
      '🔴 [Live check rejected: chk-1 · Acme onboarding](https://aver.example/checks/chk-1)',
      '🟠 [Live check awaiting review: chk-2 · Acme onboarding](https://aver.example/checks/chk-2)',
      'and 38 more',
    ]);
    expect(card.fallbackText).to.equal('🔴 Acme onboarding · Live check: 40 events');
  });

  it('names held deliveries "While you were away", and makes hostile text and links inert', () => {
    const e = event('Rejected', { id: '[x](https://evil.example) <at>Boss</at> (a)', eventId: 'ev-h' });
    const m = digestMessage(groupDigest({ kind: 'held', labels: {}, total: 2, byStatus: { Rejected: 2 }, items: [{ event: e, labels: labelsOf(e) }] }), config, { name: 'kyc-teams' }, logger);
    const card = formatTeamsDigestCard(m) as unknown as CardJson;
    expect(parseProblems(card)).to.deep.equal([]);
    expect(texts(card).slice(0, 2)).to.deep.equal(['🔴 While you were away: 2 events for kyc-teams', '🔴 2 need attention']);
    const item = texts(card)[3];
    // One link only, ours, its parentheses encoded; the id's brackets escaped, its URL and mention made inert.
    expect(item.match(/(?<!\\)\]\(/g)).to.have.length(1);
    expect(item).to.include('\\[x\\]').and.include('‹at›Boss‹/at›').and.not.include('https://evil.example');
    expect(item).to.match(/\]\(https:\/\/aver\.example\/checks\/[^()\s]*%28a%29\)$/);
  });
});

describe('Teams digests and reminders (createTeamsReceiver, createTeamsWorkflowReceiver)', () => {
  let store: Store;
  beforeEach(async () => {
    nock.disableNetConnect();
    store = await openSqliteStore(':memory:');
    await store.migrate();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await store.close();
  });

  const receiver = () => createTeamsReceiver(
    { name: 'kyc-teams', teams: { channelId: CHANNEL, updates: 'thread', mention: { AwaitingReview: ['Review desk <29:reviewer>'] } } },
    { adapter: createTeamsAdapter(teams), teams, store, config, logger },
  );
  const digestJob = (over = {}) => job(event('Rejected', { id: 'chk-1', eventId: 'ev-1' }), { receiver: 'kyc-teams', entityKey: 'group:7', kind: 'digest', digestOf: 7, digest: groupDigest(), ...over });

  it('a digest whose card was deleted in Teams (404 on update) is posted anew', async () => {
    const thread = `/v3/conversations/${encodeURIComponent(FIRST_REF.channel)}/activities/${FIRST}`;
    const scope = nock(SERVICE)
      .put(thread).reply(404, { error: { code: 'NotFound', message: 'not found' } })
      .post('/v3/conversations', (body) => body.activity.attachments[0].content.body[0].items[0].text.includes('40 events'))
      .reply(201, { id: `${CHANNEL};messageid=1715938300000`, activityId: '1715938300000' });
    const result = await receiver().deliver(digestJob(), ctx(FIRST_REF));
    scope.done();
    expect(result).to.deep.equal({ ok: true, messageRef: { channel: `${CHANNEL};messageid=1715938300000`, messageId: '1715938300000', extra: { serviceUrl: `${SERVICE}/` } } });
  });

  it('a digest whose group is gone from the store is refused, not sent as its first event', async () => {
    expect(await receiver().deliver(digestJob({ digest: undefined }), ctx())).to.deep.include({ ok: false, retryable: false, reason: 'the group of this digest is gone from the store' });
    const workflow = createTeamsWorkflowReceiver({ name: 'flow', teamsWorkflow: { url: 'https://flow.example/x' } }, { fetch: () => { throw new Error('no call expected'); }, config, logger });
    expect(await workflow.deliver(digestJob({ digest: undefined }), ctx())).to.deep.include({ ok: false, retryable: false });
  });

  it('a reminder for a check with no card in the channel (it went out in a digest) starts a thread, and is not the check\'s reference', async () => {
    let sent: { activity: { text: string; entities?: unknown[]; attachments?: unknown[] } } | undefined;
    const scope = nock(SERVICE)
      .post('/v3/conversations', (body) => { sent = body; return true; })
      .reply(201, { id: `${CHANNEL};messageid=1715938400000`, activityId: '1715938400000' });
    const e = event('AwaitingReview');
    const result = await receiver().deliver(job(e, { receiver: 'kyc-teams', kind: 'reminder', reminder: 2, createdAt: e.receivedAt + 8 * 3_600_000 }), ctx());
    scope.done();
    expect(result).to.deep.equal({ ok: true });
    expect(sent!.activity.text).to.equal('<at>Review desk</at> 🟠 Reminder 2: still awaiting review after 8h — Live check awaiting review: chk-1 · Acme onboarding');
    expect(sent!.activity.entities).to.have.length(1);
  });
});
