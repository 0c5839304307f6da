import { expect } from 'chai';
import { createRequire } from 'node:module';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeClock, settle, T0, type FakeClock } from '../helpers/clock.js';
import { startFakeHttp, type FakeHttp, type RecordedRequest } from '../helpers/fake-http.js';
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

const AUTH = { authorization: 's3cret-value' };
const CHANNEL = '19:grouping@thread.tacv2';
const THREAD = encodeURIComponent(`${CHANNEL};messageid=1001`);

/**
 * One bridge, four receiver kinds behind one route (Teams through a fake Bot Connector, a Teams Workflows URL, a
 * webhook, the console); `routeExtra` goes on the root route, so every child route inherits it.
 */
function yaml(connector: string, endpoint: string, routeExtra: string): string {
  return `
server: { host: 127.0.0.1 }
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { watchlist: "https://app.goaver.test/watchlist/{id}", check: "https://app.goaver.test/checks/{id}" }
teams: { appId: "", serviceUrl: ${connector}/ }
delivery: { pollInterval: 200ms }
receivers:
  - name: kyc-teams
    teams: { channelId: "${CHANNEL}", updates: thread, mention: { AwaitingReview: ["Review desk <29:1a2b3c-reviewer>"] } }
  - name: ops-workflow
    teamsWorkflow: { url: "${endpoint}/workflows/abc/triggers/manual/paths/invoke?sig=SIG" }
  - name: hooks
    webhook: { url: "${endpoint}/hook" }
  - name: log
    console: {}
route:
  receiver: kyc-teams
${routeExtra}
  routes:
    - { receiver: kyc-teams, continue: true }
    - { receiver: ops-workflow, continue: true }
    - { receiver: hooks, continue: true }
    - { receiver: log }
`;
}

async function postAll(url: string, bodies: unknown[]): Promise<void> {
  for (const body of bodies) expect((await postWebhook(`${url}/webhooks/aver`, body, AUTH)).status).to.equal(202);
}

const search = (i: number, status = i % 3 === 0 ? 'AwaitingReview' : 'Completed') =>
  ({ statusMessage: { type: 'RecurringWatchlistSearch', id: `rws-${i}`, groupId: 'grp-eu', status } });

async function routed(t: TestBridge): Promise<void> {
  await waitFor(async () => (await t.bridge.store.unroutedEvents(1)).length === 0, 'every event routed', 20_000);
}

/** Waits until no job is queued or in flight: the clock may move on without timing out a delivery. */
async function delivered(t: TestBridge): Promise<void> {
  await waitFor(async () => (await t.bridge.store.listJobs({ state: 'pending', limit: 1 })).length === 0, 'every delivery recorded');
}

/** Moves the bridge's clock on and lets its pumps run, a few poll intervals more (as in grouping.test.ts). */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  for (let i = 0; i < 4; i++) {
    await settle();
    await new Promise((r) => setTimeout(r, 25));
    clock.advance(250);
  }
}

/** The Adaptive Card a Bot Connector or Workflows request carries. */
const cardOf = (r: RecordedRequest): CardJson => (r.body.activity ?? r.body).attachments[0].content as CardJson;
/** Every TextBlock of a card, in order. */
const texts = (card: CardJson): string[] => (card.body[0].items ?? []).map((i) => String(i.text ?? ''));

describe('grouping for every receiver kind, end to end (fake Bot Connector, Workflows, webhook, console; controlled clock)', () => {
  let connector: FakeHttp;
  let endpoint: FakeHttp;
  let t: TestBridge | undefined;
  let clock: FakeClock;
  let threads: number;

  beforeEach(async () => {
    threads = 0;
    connector = await startFakeHttp((req) => {
      if (req.method === 'POST' && req.path === '/v3/conversations') {
        const id = String(1001 + threads++);
        return { status: 201, body: { id: `${CHANNEL};messageid=${id}`, activityId: id } };
      }
      if (req.method === 'PUT') return { status: 200, body: { id: '1001' } };
      if (req.method === 'POST') return { status: 201, body: { id: '2002' } };
      return { status: 404 };
    });
    endpoint = await startFakeHttp(() => ({ status: 202 }));
    clock = fakeClock(T0);
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
    await connector.close();
    await endpoint.close();
  });

  const teamsThreads = () => connector.on('/v3/conversations');
  const workflowPosts = () => endpoint.requests.filter((r) => r.path.startsWith('/workflows/'));
  const hookPosts = () => endpoint.on('/hook');

  it('a digest for each: a Teams card posted and then updated in place, a Workflows card and a follow-up, a webhook digest, a console line', async function () {
    this.timeout(30_000);
    t = await startBridge(yaml(connector.url, endpoint.url, '  group_by: [groupId, type]'), { clock });
    await postAll(t.url, Array.from({ length: 6 }, (_, i) => search(i)));
    await routed(t);
    await advance(clock, 30_000);
    const created = await waitFor(() => teamsThreads()[0], 'the Teams digest');
    await waitFor(() => workflowPosts().length === 1 && hookPosts().length === 1 && t!.consoleLines.length === 1, 'the other digests');
    await delivered(t);

    // Teams: one digest card, never the first member's own card.
    const card = cardOf(created);
    expect(parseProblems(card)).to.deep.equal([]);
    expect(texts(card)[0]).to.equal('🟠 EU onboarding · Recurring watchlist search: 6 events');
    expect(texts(card).join('\n')).to.include('Awaiting review 2 · Completed 4')
      .and.include('[Recurring watchlist search awaiting review: rws-0 · EU onboarding](https://app.goaver.test/watchlist/rws-0)');
    expect(card.actions, 'no "Open in Aver" of one event').to.equal(undefined);
    expect(created.body.activity.summary).to.equal('🟠 EU onboarding · Recurring watchlist search: 6 events');
    // Workflows: the same digest card.
    const flow = cardOf(workflowPosts()[0]);
    expect(parseProblems(flow)).to.deep.equal([]);
    expect(texts(flow)[0]).to.equal(texts(card)[0]);
    // Webhook: the digest model, no one event's message, an id of its own.
    const hook = hookPosts()[0];
    expect(hook.body).to.include({ kind: 'digest' }).and.not.have.any.keys('message', 'event');
    expect(hook.body.labels).to.deep.equal({ groupId: 'grp-eu', type: 'RecurringWatchlistSearch' });
    expect(hook.body.digest).to.deep.include({ headline: 'EU onboarding · Recurring watchlist search: 6 events', total: 6, more: 0 });
    expect(hook.eventId).to.match(/\.digest-\d+$/);
    expect(t.consoleLines[0]).to.include({ kind: 'digest', receiver: 'log' });

    // Three more in the window: Teams updates the digest in place; the flow posts a follow-up.
    await postAll(t.url, [6, 7, 8].map((i) => search(i, 'Completed')));
    await routed(t);
    await advance(clock, 300_000);
    const put = await waitFor(() => connector.requests.find((r) => r.method === 'PUT'), 'the digest updated');
    expect(put.path).to.equal(`/v3/conversations/${THREAD}/activities/1001`);
    expect(parseProblems(cardOf(put))).to.deep.equal([]);
    expect(texts(cardOf(put))[0]).to.equal('🟠 EU onboarding · Recurring watchlist search: 9 events');
    await waitFor(() => workflowPosts().length === 2 && hookPosts().length === 2, 'the follow-ups');
    expect(texts(cardOf(workflowPosts()[1]))[0]).to.include('9 events');
    expect(hookPosts()[1].eventId).to.match(/\.digest-\d+$/).and.not.equal(hook.eventId);
    expect(teamsThreads(), 'no second thread').to.have.length(1);
    expect(connector.requests.filter((r) => r.method === 'POST' && r.path !== '/v3/conversations'), 'no reply').to.deep.equal([]);
  });

  it('a reminder for each: a Teams reply in the check\'s thread with the mention, a Workflows reminder card, a webhook reminder, a console line', async function () {
    this.timeout(30_000);
    t = await startBridge(yaml(connector.url, endpoint.url, '  remind: { after: 4h, statuses: [AwaitingReview], repeat: 1 }'), { clock });
    await postAll(t.url, [{ statusMessage: { type: 'LiveCheck', id: 'chk-waits', groupId: 'grp-eu', status: 'AwaitingReview' } }]);
    await waitFor(() => teamsThreads().length === 1 && workflowPosts().length === 1 && hookPosts().length === 1 && t!.consoleLines.length === 1, 'the first messages');
    await delivered(t);
    // The first status's own thread reply (someone is mentioned) comes only with a later status: nothing yet.
    expect(connector.requests.filter((r) => r.method === 'POST' && r.path !== '/v3/conversations')).to.deep.equal([]);

    await advance(clock, 4 * 3_600_000);
    const reply = await waitFor(() => connector.requests.find((r) => r.method === 'POST' && r.path.startsWith(`/v3/conversations/${THREAD}/activities`)), 'the Teams reminder');
    expect(reply.body.replyToId ?? reply.path).to.include('1001');
    expect(reply.body.attachments ?? [], 'a short reply, not the card again').to.deep.equal([]);
    expect(reply.body.text).to.equal('<at>Review desk</at> 🟠 Reminder 1: still awaiting review after 4h — Live check awaiting review: chk-waits · EU onboarding');
    expect(reply.body.entities).to.deep.equal([{ type: 'mention', text: '<at>Review desk</at>', mentioned: { id: '29:1a2b3c-reviewer', name: 'Review desk' } }]);
    expect(teamsThreads()).to.have.length(1);

    await waitFor(() => workflowPosts().length === 2 && hookPosts().length === 2 && t!.consoleLines.length === 2, 'the other reminders');
    const flow = cardOf(workflowPosts()[1]);
    expect(parseProblems(flow)).to.deep.equal([]);
    expect(texts(flow)[0]).to.equal('🟠 Reminder 1: still awaiting review after 4h — Live check awaiting review: chk-waits · EU onboarding');
    const hook = hookPosts()[1];
    expect(hook.body).to.include({ kind: 'reminder', reminder: 1 });
    expect(hook.body.event.id).to.equal('chk-waits');
    expect(hook.eventId).to.equal(`${hookPosts()[0].eventId}.reminder-1`);
    expect(t.consoleLines[1]).to.include({ kind: 'reminder', reminder: 1 });
    expect(String(t.consoleLines[1].text)).to.include('Reminder 1: still awaiting review after 4h');
  });
});
