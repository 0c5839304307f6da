import { expect } from 'chai';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeClock, settle, T0, type FakeClock } from '../helpers/clock.js';
import { startFakeSlack, type SlackCall } from '../helpers/fake-slack.js';

const AUTH = { authorization: 's3cret-value' };
type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

/** A bridge on one Slack channel; `routeExtra` goes on the root route, `top` at the top level. */
function yaml(apiUrl: string, routeExtra: string, top = ''): string {
  return `
aver:
  webhook: { secrets: ["s3cret-value"] }
  groups: { "grp-eu": "EU onboarding" }
  links: { watchlist: "https://app.goaver.test/watchlist/{id}", check: "https://app.goaver.test/checks/{id}" }
slack: { botToken: xoxb-test-token-0000, apiUrl: ${apiUrl}, verifyToken: false }
delivery: { pollInterval: 200ms }
receivers:
  - name: kyc-slack
    slack: { channel: C0123456789, mention: { AwaitingReview: ["<!subteam^S0REVIEW>"] } }
${top}
route:
  receiver: kyc-slack
${routeExtra}
`;
}

const chatCalls = (slack: FakeSlack): SlackCall[] => slack.calls.filter((c) => c.method.startsWith('chat.'));

/** Posts webhooks `concurrency` at a time; each must be accepted. */
async function postAll(url: string, bodies: unknown[], concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const r = await postWebhook(`${url}/webhooks/aver`, body, AUTH);
      if (r.status !== 202) throw new Error(`webhook answered ${r.status}`);
    }
  }));
}

const search = (i: number, groupId = 'grp-eu', status = i % 100 === 0 ? 'AwaitingReview' : 'Completed') =>
  ({ statusMessage: { type: 'RecurringWatchlistSearch', id: `rws-${groupId}-${i}`, groupId, status } });

/** Waits until every accepted event is routed (the bridge's own pump, woken by each webhook). */
async function routed(t: TestBridge): Promise<void> {
  await waitFor(async () => (await t.bridge.store.unroutedEvents(1)).length === 0, 'every event routed', 20_000);
}

/**
 * Moves the bridge's clock on and lets its pumps run: then a few poll intervals more, so a pump that was mid-step
 * when the clock moved (and so rests from the new time) also wakes.
 */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  for (let i = 0; i < 4; i++) {
    await settle();
    await new Promise((r) => setTimeout(r, 25));
    clock.advance(250);
  }
}

/** Sums the numbers of a digest's status counts ("Completed 1,980 · Awaiting review 20"). */
function statusTotal(call: SlackCall): number {
  const blocks = call.body.blocks as Array<{ type: string; elements?: Array<{ text: string }> }>;
  const context = blocks.find((b) => b.type === 'context')!.elements![0].text.split('\n')[1];
  return context.split(' · ').map((part) => Number(part.replace(/.* ([\d,]+)$/, '$1').replace(/,/g, ''))).reduce((a, b) => a + b, 0);
}

describe('grouping, time intervals and reminders, end to end (webhook → bridge → fake Slack, controlled clock)', () => {
  let slack: FakeSlack;
  let t: TestBridge | undefined;
  let clock: FakeClock;
  beforeEach(async () => {
    slack = await startFakeSlack();
    clock = fakeClock(T0);
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
    await slack.close();
  });

  it('2,000 events of one group reach Slack as one digest within group_wait + group_interval, counts adding up to 2,000', async function () {
    this.timeout(60_000);
    t = await startBridge(yaml(slack.apiUrl, '  group_by: [groupId, type]'), { clock });
    await postAll(t.url, Array.from({ length: 2000 }, (_, i) => search(i)));
    await routed(t);
    expect(chatCalls(slack)).to.have.length(0);
    await advance(clock, 30_000);
    const digest = await waitFor(() => chatCalls(slack)[0], 'the digest');
    await advance(clock, 300_000);
    await new Promise((r) => setTimeout(r, 300));
    const calls = chatCalls(slack);
    expect(calls.length).to.be.within(1, 3);
    expect(digest.method).to.equal('chat.postMessage');
    expect(digest.body.text).to.include('EU onboarding').and.include('2,000 events');
    expect(statusTotal(digest)).to.equal(2000);
    // Attention first: the searches awaiting review are listed, with their links, then "and N more".
    const section = JSON.stringify(digest.body.blocks);
    expect(section).to.include('https://app.goaver.test/watchlist/rws-grp-eu-0').and.include('and 1,990 more');
    expect((await t.bridge.store.timerStats(clock.now())).openGroups).to.equal(0);
  });

  it('two groups give two digests; later events in the window edit the digest in place (chat.update)', async function () {
    this.timeout(30_000);
    t = await startBridge(yaml(slack.apiUrl, '  group_by: [groupId, type]'), { clock });
    await postAll(t.url, [...Array.from({ length: 20 }, (_, i) => search(i)), ...Array.from({ length: 30 }, (_, i) => search(i, 'grp-us'))]);
    await routed(t);
    await advance(clock, 30_000);
    await waitFor(() => chatCalls(slack).length >= 2, 'two digests');
    const posts = chatCalls(slack).filter((c) => c.method === 'chat.postMessage').map((c) => String(c.body.text));
    expect(posts).to.have.length(2);
    expect(posts.find((p) => p.includes('EU onboarding'))).to.include('20 events');
    expect(posts.find((p) => p.includes('grp-us'))).to.include('30 events');

    await postAll(t.url, Array.from({ length: 5 }, (_, i) => search(100 + i + 1)));
    await routed(t);
    await advance(clock, 300_000);
    const update = await waitFor(() => chatCalls(slack).find((c) => c.method === 'chat.update'), 'the digest edited');
    expect(String(update.body.text)).to.include('EU onboarding').and.include('25 events');
  });

  it('a group that ends up holding one event sends its normal single message; a route without group_by sends at once', async function () {
    this.timeout(20_000);
    t = await startBridge(yaml(slack.apiUrl, `  routes:
    - matchers: ['type="LiveCheck"']
    - matchers: ['type="RecurringWatchlistSearch"']
      group_by: [groupId]`), { clock });
    await postAll(t.url, [{ statusMessage: { type: 'LiveCheck', id: 'chk-1', groupId: 'grp-eu', status: 'Rejected' } }]);
    const single = await waitFor(() => chatCalls(slack)[0], 'the ungrouped message, with no wait');
    expect(single.body.text).to.include('Live check rejected');
    await postAll(t.url, [search(1)]);
    await routed(t);
    await advance(clock, 30_000);
    const grouped = await waitFor(() => chatCalls(slack)[1], 'the one-event group');
    expect(grouped.body.text).to.include('Recurring watchlist search').and.not.include('events');
  });

  it('an event during a muted interval is posted only after it ends, and none is dropped (one digest for several)', async function () {
    this.timeout(20_000);
    // T0 is 22:13:20 UTC on a Tuesday: inside 22:00–24:00.
    t = await startBridge(yaml(slack.apiUrl, '  mute_time_intervals: [late-evening]', `time_intervals:
  - name: late-evening
    time_intervals:
      - times: [{ start_time: '22:00', end_time: '24:00' }]
        weekdays: ['monday:friday']`), { clock });
    await postAll(t.url, [1, 2, 3].map((i) => ({ statusMessage: { type: 'LiveCheck', id: `chk-${i}`, groupId: 'grp-eu', status: 'Completed' } })));
    await routed(t);
    await advance(clock, 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(chatCalls(slack)).to.have.length(0);
    expect((await t.bridge.store.timerStats(clock.now())).held).to.equal(3);
    expect((await t.bridge.store.listHeld(clock.now(), 10)).map((h) => h.entityKey)).to.have.members(['LiveCheck:chk-1', 'LiveCheck:chk-2', 'LiveCheck:chk-3']);
    // Midnight, 6,400 s after T0.
    await advance(clock, 6_400_000 - 61_000);
    const away = await waitFor(() => chatCalls(slack)[0], 'the held events');
    expect(String(away.body.text)).to.include('While you were away').and.include('3 events');
    expect(statusTotal(away)).to.equal(3);
    expect((await t.bridge.store.timerStats(clock.now())).held).to.equal(0);
  });

  it('a check left in AwaitingReview gets a reminder after `after` (thread reply, broadcast, mention); one that moved on to Completed gets none', async function () {
    this.timeout(20_000);
    t = await startBridge(yaml(slack.apiUrl, '  remind: { after: 4h, statuses: [AwaitingReview], repeat: 2 }'), { clock });
    const check = (id: string, status: string) => ({ statusMessage: { type: 'LiveCheck', id, groupId: 'grp-eu', status } });
    await postAll(t.url, [check('chk-waits', 'AwaitingReview'), check('chk-moves', 'AwaitingReview')], 1);
    await waitFor(() => chatCalls(slack).length === 2, 'both first messages');
    await postAll(t.url, [check('chk-moves', 'Completed')], 1);
    await waitFor(() => chatCalls(slack).length >= 3, 'the second status');
    await new Promise((r) => setTimeout(r, 200));
    const before = chatCalls(slack).length;
    await advance(clock, 4 * 3_600_000 - 120_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(chatCalls(slack)).to.have.length(before);
    await advance(clock, 120_000);
    const reminder = await waitFor(() => chatCalls(slack).slice(before).find((c) => String(c.body.text).includes('Reminder')), 'the reminder');
    const firstTs = chatCalls(slack).find((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('chk-waits'))!;
    expect(reminder.body.thread_ts).to.be.a('string');
    expect(String(reminder.body.reply_broadcast)).to.equal('true');
    expect(String(reminder.body.text)).to.include('<!subteam^S0REVIEW>').and.include('chk-waits').and.include('awaiting review');
    expect(firstTs).to.not.equal(undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(chatCalls(slack).slice(before).filter((c) => String(c.body.text).includes('chk-moves'))).to.have.length(0);
  });

  it('a restart during group_wait loses nothing: the next process sends the digest with every acknowledged event', async function () {
    this.timeout(30_000);
    const dir = tempDir();
    try {
      const first = await startBridge(yaml(slack.apiUrl, '  group_by: [groupId, type]'), { clock, dir: dir.dir });
      await postAll(first.url, Array.from({ length: 300 }, (_, i) => search(i)));
      await routed(first);
      await first.bridge.stop();
      expect(chatCalls(slack)).to.have.length(0);
      t = await startBridge(yaml(slack.apiUrl, '  group_by: [groupId, type]'), { clock, dir: dir.dir });
      await advance(clock, 30_000);
      const digest = await waitFor(() => chatCalls(slack)[0], 'the digest after the restart');
      expect(statusTotal(digest)).to.equal(300);
    } finally {
      dir.cleanup();
    }
  });
});
