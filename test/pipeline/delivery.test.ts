import { expect } from 'chai';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeAnswer, type FakeHttp, type RecordedRequest } from '../helpers/fake-http.js';

const SECRET = { authorization: 's3cret-value' };

/** Two webhook receivers, "a" (the default) and "b" (groupId "grp-b"), pointed at one fake. */
function yaml(fakeUrl: string, opts: { delivery?: string; pacingA?: string } = {}): string {
  return `
aver:
  webhook:
    secrets: ["s3cret-value"]
delivery:
  ${opts.delivery ?? 'concurrency: 8\n  timeout: 300ms\n  pollInterval: 20ms\n  backoff: { base: 20ms, factor: 2, cap: 100ms }'}
receivers:
  - name: a
    webhook: { url: "${fakeUrl}/a" }
    ${opts.pacingA ? `pacing: ${opts.pacingA}` : ''}
  - name: b
    webhook: { url: "${fakeUrl}/b" }
route:
  receiver: a
  routes:
    - matchers: ['groupId = "grp-b"']
      receiver: b
`;
}

let n = 0;
function event(over: Partial<{ type: string; id: string; groupId: string; status: string }> = {}) {
  n++;
  return { statusMessage: { type: 'LiveCheck', id: `entity-${n}`, groupId: 'grp-a', status: 'Completed', ...over } };
}

async function post(t: TestBridge, body: unknown): Promise<string> {
  const res = await postWebhook(`${t.url}/webhooks/aver`, body, SECRET);
  expect(res.status, JSON.stringify(res.json)).to.equal(202);
  return res.json.eventId;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('delivery pipeline (real bridge, webhook receivers, fake endpoints)', function () {
  this.timeout(20_000);
  let fake: FakeHttp | undefined;
  let t: TestBridge | undefined;

  async function setup(answer: (req: RecordedRequest, nth: number) => FakeAnswer, opts: Parameters<typeof yaml>[1] = {}) {
    fake = await startFakeHttp(answer);
    t = await startBridge(yaml(fake.url, opts));
    return { fake, t };
  }

  afterEach(async () => {
    // The fake goes first: a hanging request then fails at once instead of holding the bridge's stop.
    await fake?.close();
    await t?.stop();
    t = undefined;
    fake = undefined;
  });

  it('a 429 with Retry-After: 2 pauses that channel for 2 s (measured at the endpoint) while another channel keeps receiving', async () => {
    const { fake, t } = await setup((req, nth) => (req.path === '/a' && nth === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const first = await post(t, event());
    const limited = await waitFor(() => fake.on('/a').find((r) => r.answeredAt), 'the 429');
    // While channel a is paused: another event for a (a different entity) and a stream for b.
    const second = await post(t, event());
    const forB: string[] = [];
    for (let i = 0; i < 5; i++) {
      forB.push(await post(t, event({ groupId: 'grp-b' })));
      await sleep(100);
    }
    await waitFor(() => fake.on('/a').filter((r) => r.status === 200).length === 2, 'both a deliveries', 8000);
    const pauseEnds = limited.answeredAt! + 2000;
    const afterLimit = fake.on('/a').slice(1);
    expect(afterLimit.map((r) => r.body.event.eventId).sort()).to.deep.equal([first, second].sort());
    for (const r of afterLimit) expect(r.at, `a request ${r.at - limited.answeredAt!} ms after the 429`).to.be.at.least(pauseEnds);
    const b = fake.on('/b');
    expect(b.map((r) => r.body.event.eventId)).to.have.members(forB);
    for (const r of b) expect(r.at, 'b delivered during a’s pause').to.be.below(pauseEnds);
  });

  it('500 three times, then 200: delivered exactly once, every failed attempt in the job history', async () => {
    const { fake, t } = await setup((req, nth) => ({ status: nth < 3 ? 500 : 200 }));
    const id = await post(t, event());
    await waitFor(() => fake.on('/a').some((r) => r.status === 200), 'the delivery');
    await sleep(400); // longer than backoff.cap: a stray retry would have come by now
    const reqs = fake.on('/a');
    expect(reqs.map((r) => r.status)).to.deep.equal([500, 500, 500, 200]);
    expect(reqs.map((r) => r.body.attempt)).to.deep.equal([1, 2, 3, 4]);
    expect(new Set(reqs.map((r) => r.headers['x-aver-bridge-event-id']))).to.deep.equal(new Set([id]));
    const job = await waitFor(async () => (await t.bridge.store.jobsForEvent(id)).find((j) => j.state === 'done'), 'the job recorded as done');
    expect(job.history.map((h) => [h.attempt, h.ok, h.code ?? null])).to.deep.equal([[1, false, 'serverError'], [2, false, 'serverError'], [3, false, 'serverError'], [4, true, null]]);
    expect(job.history[0].reason).to.match(/webhook "a" \(http:\/\/127\.0\.0\.1:\d+\/…\) answered 500/);
  });

  it('an endpoint that never answers times out after delivery.timeout and is retried', async () => {
    const { fake, t } = await setup((req, nth) => (nth === 0 ? 'hang' : { status: 200 }));
    const id = await post(t, event());
    await waitFor(() => fake.on('/a').some((r) => r.status === 200), 'the retry', 5000);
    const reqs = fake.on('/a');
    expect(reqs).to.have.length(2);
    expect(reqs[1].at - reqs[0].at, 'the retry came after the 300 ms timeout').to.be.at.least(300);
    // The fake has answered; the bridge records the outcome a moment later.
    const job = await waitFor(async () => (await t.bridge.store.jobsForEvent(id)).find((j) => j.state === 'done'), 'the job recorded as done');
    expect(job.history[0]).to.include({ attempt: 1, ok: false, code: 'timeout' });
    expect(job.history[0].reason).to.contain('300 ms');
  });

  it('a job held up past its lease (a slow database) is not sent by the replica that claimed it: the one that took it over sends it, once', async () => {
    fake = await startFakeHttp();
    const temp = tempDir();
    const real = await openStore(`sqlite:${join(temp.dir, 'bridge.db')}`);
    // For the first bridge, the database answers the channel's pacing take (between claim and send) 4 s late. Its
    // lease is max(leaseTime 1s, timeout 300ms + 2s) = 2.3 s: the second bridge takes the job over and sends it meanwhile.
    let stalled: () => void = () => undefined;
    const stalling = new Promise<void>((resolve) => (stalled = resolve));
    let stalls = 1;
    const slow = new Proxy(real, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'takeSendSlot') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<Store['takeSendSlot']>) => {
          const answer = await target.takeSendSlot(...args);
          if (stalls-- > 0) {
            stalled();
            await sleep(4000);
          }
          return answer;
        };
      },
    });
    // The first bridge claims when routing wakes it and then polls only every 30 s, so it does not renew the lease
    // by claiming the job again (a replica's own claim renews the leases of jobs it still runs).
    const config = (poll: string) => `
aver:
  webhook:
    secrets: ["s3cret-value"]
delivery: { timeout: 300ms, leaseTime: 1s, pollInterval: ${poll} }
receivers:
  - name: a
    teamsWorkflow: { url: "${fake!.url}/a" }
route:
  receiver: a
`;
    t = await startBridge(config('30s'), { store: slow, dir: temp.dir });
    let other: TestBridge | undefined;
    try {
      const id = await post(t, event());
      await stalling;
      const stalledFor = sleep(4000);
      other = await startBridge(config('20ms'), { store: real, dir: temp.dir });
      const job = await waitFor(async () => (await real.jobsForEvent(id)).find((j) => j.state === 'done'), 'the job recorded as done', 8000);
      // By the time the first bridge's stall is over, and a little more, it would have sent.
      await stalledFor;
      await sleep(300);
      expect(fake.on('/a'), 'requests').to.have.length(1);
      expect(other.logs.text(), 'the second bridge sent it').to.contain('"msg":"delivered"');
      expect(t.logs.text(), 'the first bridge did not').not.to.contain('"msg":"delivered"');
      expect(t.logs.text()).to.contain('lease too short left for a whole attempt');
      expect(job.history.map((h) => h.ok)).to.deep.equal([true]);
    } finally {
      await other?.stop();
      await t.stop();
      t = undefined;
      await real.close();
      temp.cleanup();
    }
  });

  it('one endpoint that hangs holds at most a quarter of delivery.concurrency: other channels keep flowing', async () => {
    const { fake, t } = await setup((req) => (req.path === '/a' ? 'hang' : { status: 200 }), {
      delivery: 'concurrency: 4\n  timeout: 5s\n  pollInterval: 20ms\n  backoff: { base: 20ms, factor: 2, cap: 100ms }',
    });
    for (let i = 0; i < 8; i++) await post(t, event());
    await waitFor(() => fake.on('/a').length >= 1, 'a hanging request');
    const hungAt = fake.on('/a')[0].at;
    const forB: string[] = [];
    for (let i = 0; i < 6; i++) forB.push(await post(t, event({ groupId: 'grp-b' })));
    await waitFor(() => fake.on('/b').length === 6, 'b deliveries', 4500);
    expect(fake.on('/b').every((r) => r.at < hungAt + 5000), 'b delivered before a’s first timeout').to.equal(true);
    expect(fake.on('/a'), 'a single request in flight to the hanging endpoint').to.have.length(1);
  });

  it('a non-retryable 400 goes straight to the dead letters with its reason; retrying it delivers it', async () => {
    let reject = true;
    const { fake, t } = await setup(() => ({ status: reject ? 400 : 200 }));
    const id = await post(t, event());
    const dead = await waitFor(async () => (await t.bridge.store.jobsForEvent(id)).find((j) => j.state === 'dead'), 'the dead letter');
    expect(fake.on('/a')).to.have.length(1);
    expect(dead.attempts).to.equal(1);
    expect(dead.lastReason).to.match(/^webhook "a" \(http:\/\/127\.0\.0\.1:\d+\/…\) rejected the message \(400\)$/);
    expect(dead.history).to.have.length(1);
    expect(dead.history[0]).to.include({ attempt: 1, ok: false, code: 'clientError', reason: dead.lastReason });
    reject = false;
    expect(await t.bridge.store.retryDeadLetter(dead.id, Date.now())).to.equal(true);
    await waitFor(() => fake.on('/a').some((r) => r.status === 200), 'the retried delivery');
    await waitFor(async () => (await t.bridge.store.getJob(dead.id))!.state === 'done', 'the retried job recorded as done');
  });

  it('keeps order per entity through retries: statuses arrive in the order they were acknowledged', async () => {
    // Every event's first attempt fails, so each status is retried while later ones wait.
    const seen = new Set<string>();
    const { fake, t } = await setup((req) => {
      const id = req.body.event.eventId;
      if (seen.has(id)) return { status: 200 };
      seen.add(id);
      return { status: req.body.event.id === 'kyc-1' ? 503 : 200 };
    });
    const statuses = ['Pending', 'InProgress', 'Review', 'Approved', 'Completed', 'Archived'];
    for (const status of statuses) {
      await post(t, event({ id: 'kyc-1', status }));
      await post(t, event({ status })); // another entity in between
    }
    await waitFor(() => fake.on('/a').filter((r) => r.body.event.id === 'kyc-1' && r.status === 200).length === statuses.length, 'every status', 8000);
    const forEntity = fake.on('/a').filter((r) => r.body.event.id === 'kyc-1');
    expect(forEntity.map((r) => `${r.body.event.status}:${r.status}`)).to.deep.equal(statuses.flatMap((s) => [`${s}:503`, `${s}:200`]));
  });

  it('paces a burst to one channel ({ratePerSecond: 5, burst: 2}) and does not slow another channel', async function () {
    this.timeout(15_000);
    const { fake, t } = await setup(() => ({ status: 200 }), { pacingA: '{ ratePerSecond: 5, burst: 2 }' });
    const posted = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => post(t, event())));
    const forB = await Promise.all(Array.from({ length: 10 }, () => post(t, event({ groupId: 'grp-b' }))));
    await waitFor(() => fake.on('/a').length === 20, 'the burst to a', 10_000);
    const a = fake.on('/a').map((r) => r.at);
    // No window of one second holds more than rate + burst.
    for (const start of a) expect(a.filter((x) => x >= start && x < start + 1000).length).to.be.at.most(5 + 2);
    // Spread: 2 at once, then one every 200 ms.
    expect(a[19] - posted).to.be.at.least(((20 - 2) / 5) * 1000 - 100);
    expect(fake.on('/b').map((r) => r.body.event.eventId)).to.have.members(forB);
    expect(Math.max(...fake.on('/b').map((r) => r.at)), 'b finished well before a’s burst did').to.be.below(a[14]);
    expect(new Set(fake.on('/a').map((r) => r.body.event.eventId)).size).to.equal(20);
  });
});
