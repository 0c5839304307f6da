import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeAnswer } from '../helpers/fake-http.js';
import { alertExamples, markdownFiles } from '../helpers/markdown.js';
import { scrape, valueOf, type Sample } from './prom-text.js';

const SECRET = 's3cret-value';
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** What the customer's endpoint answers per Aver entity id, by attempt. */
function script(id: string, nth: number): FakeAnswer {
  switch (id) {
    case 'flaky-1': return nth === 1 ? { status: 503 } : { status: 200 };
    case 'limited-1': return nth === 1 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 };
    case 'slow-1': return nth === 1 ? 'hang' : { status: 200 };
    case 'broken-1': return { status: 400 };
    case 'denied-1': return { status: 401 };
    case 'parked-1': return { status: 429, headers: { 'retry-after': '3600' } };
    default: return { status: 200 };
  }
}

const EVENTS = [
  { type: 'LiveCheck', id: 'ok-1', status: 'Completed' },
  { type: 'OfflineCheck', id: 'flaky-1', status: 'Rejected' },
  { type: 'WatchlistSearch', id: 'limited-1', status: 'Completed' },
  { type: 'LiveCheck', id: 'slow-1', status: 'AwaitingReview' },
  { type: 'LiveCheck', id: 'broken-1', status: 'Failed' },
  { type: 'RecurringWatchlistSearch', id: 'denied-1', status: 'Completed' },
  { type: 'LiveCheck', id: 'parked-1', status: 'Created' },
];

describe('metrics after a scripted run (GET /metrics)', () => {
  let t: TestBridge;
  let fake: Awaited<ReturnType<typeof startFakeHttp>>;
  let samples: Sample[];
  let types: Map<string, string>;
  let contentType: string;

  before(async () => {
    // The script counts attempts per stored event (1 for the first), not per path.
    fake = await startFakeHttp((req) => script(req.body?.event?.id, fake.forEvent(req.eventId).length));
    t = await startBridge(`
aver:
  webhook:
    secrets: ["${SECRET}"]
delivery:
  timeout: 300ms
  pollInterval: 20ms
  backoff: { base: 10ms, factor: 1, cap: 10ms }
receivers:
  - name: hooks
    webhook: { url: "${fake.url}/hooks?sig=hidden" }
  - name: parked
    webhook: { url: "${fake.url}/parked" }
route:
  receiver: hooks
  routes:
    - receiver: parked
      matchers: ['id = "parked-1"']
`);
    const hook = `${t.url}/webhooks/aver`;
    const auth = { authorization: SECRET };
    for (const e of EVENTS) {
      const res = await postWebhook(hook, { statusMessage: { ...e, groupId: 'g-1' } }, auth);
      expect(res.status, e.id).to.equal(202);
    }
    expect((await postWebhook(hook, { statusMessage: { ...EVENTS[0], groupId: 'g-1' } }, auth)).status).to.equal(200);
    expect((await postWebhook(hook, { statusMessage: { ...EVENTS[0], groupId: 'g-1' } }, { authorization: 'wrong' })).status).to.equal(401);
    expect((await postWebhook(hook, { statusMessage: { type: 'LiveCheck' } }, auth)).status).to.equal(422);

    await waitFor(async () => {
      const jobs = await t.bridge.store.listJobs({ limit: 100 });
      const hooks = jobs.filter((j) => j.receiver === 'hooks');
      const parked = jobs.find((j) => j.receiver === 'parked');
      return hooks.length === 6 && hooks.every((j) => j.state !== 'pending') && parked && parked.attempts >= 1;
    }, 'every delivery to settle', 10_000);
    ({ samples, types, contentType } = await scrape(t.url));
  });

  after(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('answers in the Prometheus text format', () => {
    expect(contentType).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it('counts webhooks by type, status and outcome, with the error code for rejections', () => {
    const received = (type: string, status: string, outcome: string, code = '') => valueOf(samples, 'aver_bridge_events_received_total', { type, status, outcome, code });
    expect(received('LiveCheck', 'Completed', 'accepted')).to.equal(1);
    expect(received('LiveCheck', 'Completed', 'duplicate')).to.equal(1);
    expect(received('OfflineCheck', 'Rejected', 'accepted')).to.equal(1);
    expect(received('LiveCheck', 'AwaitingReview', 'accepted')).to.equal(1);
    expect(received('', '', 'rejected', 'unauthorized')).to.equal(1);
    expect(received('', '', 'rejected', 'schema_violation')).to.equal(1);
    const total = samples.filter((s) => s.name === 'aver_bridge_events_received_total').reduce((n, s) => n + s.value, 0);
    expect(total).to.equal(EVENTS.length + 3);
    expect(valueOf(samples, 'aver_bridge_events_routed_total', { receivers: '1' })).to.equal(EVENTS.length);
  });

  it('counts deliveries by receiver, integration, outcome and failure reason', () => {
    const d = (receiver: string, outcome: string, reason = '') => valueOf(samples, 'aver_bridge_deliveries_total', { receiver, integration: 'webhook', outcome, reason });
    expect(d('hooks', 'delivered')).to.equal(4);
    expect(d('hooks', 'retried', 'serverError')).to.equal(1);
    expect(d('hooks', 'retried', 'rateLimited')).to.equal(1);
    expect(d('hooks', 'retried', 'timeout')).to.equal(1);
    expect(d('hooks', 'deadLettered', 'clientError')).to.equal(1);
    expect(d('hooks', 'deadLettered', 'authError')).to.equal(1);
    expect(d('parked', 'retried', 'rateLimited')).to.be.at.least(1);
    expect(d('parked', 'delivered')).to.equal(undefined);
  });

  it('observes delivery latency, acknowledgement to delivered, once per delivered message', () => {
    expect(types.get('aver_bridge_delivery_latency_seconds')).to.equal('histogram');
    expect(valueOf(samples, 'aver_bridge_delivery_latency_seconds_count', { receiver: 'hooks', integration: 'webhook' })).to.equal(4);
    expect(valueOf(samples, 'aver_bridge_delivery_latency_seconds_sum', { receiver: 'hooks', integration: 'webhook' })).to.be.greaterThan(0);
    expect(valueOf(samples, 'aver_bridge_delivery_latency_seconds_bucket', { receiver: 'hooks', integration: 'webhook', le: '+Inf' })).to.equal(4);
  });

  it('observes each delivery attempt\'s own duration, failed ones included, beside the end-to-end latency', () => {
    expect(types.get('aver_bridge_delivery_attempt_duration_seconds')).to.equal('histogram');
    // hooks: 4 delivered at once or later, 3 retried (503, 429, a timeout), 2 dead letters (400, 401).
    const attempts = (receiver: string) => valueOf(samples, 'aver_bridge_delivery_attempt_duration_seconds_count', { receiver, integration: 'webhook' });
    expect(attempts('hooks')).to.equal(4 + 3 + 2);
    expect(valueOf(samples, 'aver_bridge_delivery_attempt_duration_seconds_bucket', { receiver: 'hooks', integration: 'webhook', le: '+Inf' })).to.equal(9);
    expect(attempts('parked')).to.be.at.least(1);
    // The attempt that hung is counted at delivery.timeout (300 ms), so the sum covers it.
    expect(valueOf(samples, 'aver_bridge_delivery_attempt_duration_seconds_sum', { receiver: 'hooks', integration: 'webhook' })).to.be.at.least(0.3);
  });

  it('reports build_info: value 1, with the package version and the Node.js version', () => {
    const info = samples.filter((s) => s.name === 'aver_bridge_build_info');
    expect(info).to.have.length(1);
    expect(info[0]).to.deep.equal({ name: 'aver_bridge_build_info', labels: { version: PACKAGE.version, node: process.versions.node }, value: 1 });
    expect(types.get('aver_bridge_build_info')).to.equal('gauge');
  });

  it('names no gauge *_total (promtool: "non-counter metrics should not have _total suffix")', () => {
    for (const [name, type] of types) if (type !== 'counter') expect(name, `${name} is a ${type}`).to.not.match(/_total$/);
  });

  it('documents every family of its own (all but prom-client\'s process and nodejs ones) in README.md or docs/', () => {
    const docs = markdownFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const [name] of types) {
      if (/^aver_bridge_(process|nodejs)_/.test(name)) continue;
      expect(docs.includes(`\`${name}\``), `${name} in README.md or docs/`).to.equal(true);
    }
  });

  it('has alert examples that name only metrics it exposes', () => {
    const rules = alertExamples();
    expect(rules, 'a rule file in README.md or docs/').to.not.have.length(0);
    for (const name of rules.flatMap((r) => [...r.matchAll(/\baver_bridge_[a-z_]+/g)].map((m) => m[0]))) {
      const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
      expect(types.has(family), `${name} in an alert example`).to.equal(true);
    }
  });

  it('reports queue depth, oldest job age and dead letters per receiver', () => {
    expect(valueOf(samples, 'aver_bridge_queue_depth', { receiver: 'parked' })).to.equal(1);
    expect(valueOf(samples, 'aver_bridge_queue_depth', { receiver: 'hooks' })).to.equal(0);
    expect(valueOf(samples, 'aver_bridge_queue_oldest_job_age_seconds', { receiver: 'parked' })).to.be.greaterThan(0);
    expect(valueOf(samples, 'aver_bridge_queue_oldest_job_age_seconds', { receiver: 'hooks' })).to.equal(0);
    expect(valueOf(samples, 'aver_bridge_dead_letters', { receiver: 'hooks' })).to.equal(2);
    expect(valueOf(samples, 'aver_bridge_dead_letters', { receiver: 'parked' })).to.equal(0);
  });

  it('reports the config: last reload successful, its time and the hash', () => {
    expect(valueOf(samples, 'aver_bridge_config_last_reload_successful')).to.equal(1);
    const at = valueOf(samples, 'aver_bridge_config_last_reload_success_timestamp_seconds')!;
    expect(at).to.be.within(Date.now() / 1000 - 60, Date.now() / 1000 + 1);
    expect(valueOf(samples, 'aver_bridge_config_hash', { hash: t.bridge.config.source.hash })).to.equal(1);
    expect(samples.filter((s) => s.name === 'aver_bridge_config_hash')).to.have.length(1);
  });

  it('includes the default process metrics, prefixed', () => {
    for (const name of ['aver_bridge_process_cpu_user_seconds_total', 'aver_bridge_process_resident_memory_bytes', 'aver_bridge_nodejs_eventloop_lag_seconds', 'aver_bridge_nodejs_heap_size_used_bytes']) {
      expect(samples.some((s) => s.name === name), name).to.equal(true);
    }
  });

  it('names every family aver_bridge_* with a HELP and a TYPE', async () => {
    const { help } = await scrape(t.url);
    for (const s of samples) expect(s.name).to.match(/^aver_bridge_/);
    for (const [name] of types) expect(help.get(name), name).to.be.a('string').and.not.equal('');
  });

  it('logs every delivery attempt with eventId, receiver and attempt', () => {
    const lines = t.logs.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const delivery = lines.filter((l) => ['delivered', 'delivery failed; will retry', 'delivery failed; moved to dead letters'].includes(l.msg as string));
    expect(delivery.length).to.equal(4 + 3 + 2 + 1);
    for (const l of delivery) {
      expect(l.eventId, JSON.stringify(l)).to.be.a('string').and.not.equal('');
      expect(l.receiver, JSON.stringify(l)).to.be.oneOf(['hooks', 'parked']);
      expect(l.attempt, JSON.stringify(l)).to.be.a('number').and.at.least(1);
    }
    const flaky = fake.requests.find((r) => r.body?.event?.id === 'flaky-1')!.eventId;
    expect(delivery.filter((l) => l.eventId === flaky).map((l) => [l.msg, l.attempt])).to.deep.equal([['delivery failed; will retry', 1], ['delivered', 2]]);
    const accepted = lines.filter((l) => l.msg === 'event accepted' || l.msg === 'event routed');
    expect(accepted.length).to.equal(EVENTS.length * 2);
    for (const l of accepted) expect(l.eventId).to.be.a('string').and.not.equal('');
  });

  it('never logs the webhook secret or a webhook URL\'s query', () => {
    const text = t.logs.text();
    expect(text).to.not.include(SECRET);
    expect(text).to.not.include('sig=hidden');
  });
});
