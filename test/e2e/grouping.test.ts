import { expect } from 'chai';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeClock, settle, T0, type FakeClock } from '../helpers/clock.js';
import { startFakeSlack, type SlackCall } from '../helpers/fake-slack.js';

const AUTH = { authorization: 's3cret-value' };
const ADMIN = 'admin-token-0123456789';
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

/**
 * Waits until no job is pending: a delivery still in flight when the test moves the clock would time out on the
 * fake clock (delivery.timeout) and be sent again.
 */
async function delivered(t: TestBridge, clock: FakeClock): Promise<void> {
  await waitFor(async () => (await t.bridge.store.queueStats(clock.now())).every((q) => q.pending === 0), 'every job delivered');
}

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
    expect(await (await fetch(`${t.url}/metrics`)).text()).to.match(/^aver_bridge_open_groups 1$/m);
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
        weekdays: ['monday:friday']
admin: { token: "${ADMIN}" }`), { clock });
    await postAll(t.url, [1, 2, 3].map((i) => ({ statusMessage: { type: 'LiveCheck', id: `chk-${i}`, groupId: 'grp-eu', status: 'Completed' } })));
    await routed(t);
    await advance(clock, 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(chatCalls(slack)).to.have.length(0);
    expect((await t.bridge.store.timerStats(clock.now())).held).to.equal(3);
    expect((await t.bridge.store.listHeld(clock.now(), 10)).map((h) => h.entityKey)).to.have.members(['LiveCheck:chk-1', 'LiveCheck:chk-2', 'LiveCheck:chk-3']);
    // Held deliveries are visible: the metric, the admin page's held section, and the route tester names the interval.
    expect(await (await fetch(`${t.url}/metrics`)).text()).to.match(/^aver_bridge_held_deliveries 3$/m);
    const admin = { authorization: `Bearer ${ADMIN}` };
    const page = await (await fetch(`${t.url}/admin`, { headers: admin })).text();
    const held = /<section class="card" id="held">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(held).to.include('<span class="count">3</span>').and.include('LiveCheck:chk-1').and.include('LiveCheck:chk-3');
    const tester = await (await fetch(`${t.url}/admin?${new URLSearchParams({ rt: '1', type: 'LiveCheck', status: 'Completed', groupId: 'grp-eu', id: 'chk-9', labels: '' })}`, { headers: admin })).text();
    expect(tester).to.match(/class="small route-timers">muted during late-evening</);
    // Two minutes before midnight: still held.
    await advance(clock, 6_400_000 - 61_000 - 121_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(chatCalls(slack), 'nothing before the interval ends').to.have.length(0);
    expect((await t.bridge.store.timerStats(clock.now())).held).to.equal(3);
    // Midnight, 6,400 s after T0.
    await advance(clock, 120_000);
    // Past midnight the clock keeps moving while it waits, so a pump slow to step on a loaded machine still wakes.
    const away = await waitFor(() => {
      clock.advance(250);
      return chatCalls(slack)[0];
    }, 'the held events');
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
    await delivered(t, clock);
    const before = chatCalls(slack).length;
    await advance(clock, 4 * 3_600_000 - 120_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(chatCalls(slack)).to.have.length(before);
    await advance(clock, 120_000);
    const reminder = await waitFor(() => chatCalls(slack).slice(before).find((c) => String(c.body.text).includes('Reminder')), 'the reminder');
    // In the thread of the check's own message (its reference in the store), also shown in the channel.
    const first = await t.bridge.store.getMessageRef('kyc-slack', 'LiveCheck:chk-waits');
    expect(first?.messageId).to.be.a('string');
    expect(reminder.body.thread_ts).to.equal(first!.messageId);
    expect(String(reminder.body.reply_broadcast)).to.equal('true');
    expect(String(reminder.body.text)).to.include('<!subteam^S0REVIEW>').and.include('chk-waits').and.include('awaiting review');
    await new Promise((r) => setTimeout(r, 200));
    expect(chatCalls(slack).slice(before).filter((c) => String(c.body.text).includes('chk-moves'))).to.have.length(0);
    // Only chk-waits's second reminder is left to come; one reminder sent, counted.
    expect((await t.bridge.store.timerStats(clock.now())).reminders).to.equal(1);
    expect(await (await fetch(`${t.url}/metrics`)).text()).to.match(/^aver_bridge_reminders_total\{receiver="kyc-slack"\} 1$/m);
  });

  it('a newer status cancels a reminder even when it comes through a route without `remind`', async function () {
    this.timeout(20_000);
    // AwaitingReview goes through the child route that reminds; Completed through the root, which does not.
    t = await startBridge(yaml(slack.apiUrl, `  routes:
    - matchers: ['status="AwaitingReview"']
      receiver: kyc-slack
      remind: { after: 4h, statuses: [AwaitingReview], repeat: 2 }`), { clock });
    const check = (status: string) => ({ statusMessage: { type: 'LiveCheck', id: 'chk-other-route', groupId: 'grp-eu', status } });
    await postAll(t.url, [check('AwaitingReview')], 1);
    await waitFor(() => chatCalls(slack).length === 1, 'the first message');
    expect((await t.bridge.store.timerStats(clock.now())).reminders).to.equal(1);
    await postAll(t.url, [check('Completed')], 1);
    await waitFor(() => chatCalls(slack).length >= 2, 'the second status');
    await delivered(t, clock);
    const before = chatCalls(slack).length;
    await advance(clock, 4 * 3_600_000 + 60_000);
    await new Promise((r) => setTimeout(r, 300));
    await advance(clock, 60_000);
    expect(chatCalls(slack).slice(before).filter((c) => String(c.body.text).includes('Reminder'))).to.deep.equal([]);
    await waitFor(async () => (await t!.bridge.store.timerStats(clock.now())).reminders === 0, 'the reminder cancelled');
  });

  it('a reminder that falls due in a muted interval waits for its end', async function () {
    this.timeout(20_000);
    // T0 is 22:13:20 UTC on a Tuesday: the check posts at once; its reminder (50m) falls at 23:03:20, inside 23:00–24:00.
    t = await startBridge(yaml(slack.apiUrl, `  remind: { after: 50m, statuses: [AwaitingReview] }
  mute_time_intervals: [last-hour]`, `time_intervals:
  - name: last-hour
    time_intervals:
      - times: [{ start_time: '23:00', end_time: '24:00' }]`), { clock });
    await postAll(t.url, [{ statusMessage: { type: 'LiveCheck', id: 'chk-late', groupId: 'grp-eu', status: 'AwaitingReview' } }], 1);
    await waitFor(() => chatCalls(slack).length === 1, 'the check, not muted at 22:13');
    await delivered(t, clock);
    // 23:58:21: the reminder is past due but muted.
    await advance(clock, 6_300_000 - 4_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(chatCalls(slack), 'no reminder inside the muted interval').to.have.length(1);
    expect((await t.bridge.store.timerStats(clock.now())).reminders).to.equal(1);
    await advance(clock, 120_000);
    // The clock keeps moving while it waits (past midnight, repeat 1: nothing else is due), so a pump slow to step on a loaded machine still wakes.
    const reminder = await waitFor(() => {
      clock.advance(250);
      return chatCalls(slack).slice(1).find((c) => String(c.body.text).includes('Reminder'));
    }, 'the reminder after midnight');
    expect(String(reminder.body.text)).to.include('chk-late');
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
