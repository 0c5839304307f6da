import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp } from '../helpers/fake-http.js';
import { scrape, valueOf } from '../metrics/prom-text.js';

const SECRET = 's3cret-value';
const ADMIN = 'admin-token-0123456789';

describe('hot reload (POST /-/reload)', () => {
  let t: TestBridge;
  let fake: Awaited<ReturnType<typeof startFakeHttp>>;
  /** The config; rewritten files keep the bridge's store (startBridge put it in t.dir). */
  const yaml = (receivers: string, route: string, storage = `storage: { url: "sqlite:${join(t.dir, 'bridge.db')}" }`) => `
aver:
  webhook:
    secrets: ["${SECRET}"]
admin:
  token: "${ADMIN}"
delivery:
  pollInterval: 20ms
  backoff: { base: 1h, factor: 1, cap: 1h }
${storage}
receivers:
${receivers}
route:
${route}
`;
  const reload = () => fetch(`${t.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  const post = (id: string) => postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g-1', status: 'Completed' } }, { authorization: SECRET });

  beforeEach(async () => {
    // The customer's endpoint is down: jobs for "hooks" stay queued (backoff 1h).
    fake = await startFakeHttp(() => ({ status: 503 }));
    t = await startBridge(yaml(`  - name: ops
    console: {}
  - name: hooks
    webhook: { url: "${fake.url}/hooks" }`, `  receiver: ops
  routes:
    - receiver: hooks
      matchers: ['status = "Rejected"']
      continue: true
    - receiver: ops
      matchers: ['status = "Rejected"']`, ''));
  });

  afterEach(async () => {
    await t?.stop();
    await fake?.close();
  });

  it('swaps in a good file: the new receiver appears, the metrics say so, jobs of a removed receiver become dead letters', async () => {
    const before = t.bridge.config.source.hash;
    const queued = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'r-1', groupId: 'g-1', status: 'Rejected' } }, { authorization: SECRET });
    expect(queued.status).to.equal(202);
    await waitFor(async () => (await t.bridge.store.jobsForEvent(queued.json.eventId)).find((j) => j.receiver === 'hooks' && j.attempts >= 1), 'a failed attempt to hooks');

    writeFileSync(t.bridge.config.source.file, yaml(`  - name: ops\n    console: {}\n  - name: audit\n    console: {}`, `  receiver: audit`));
    const res = await reload();
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body).to.deep.equal({ reloaded: true, hash: t.bridge.config.source.hash });
    expect(body.hash).to.not.equal(before);
    expect([...t.bridge.state.receivers.keys()]).to.deep.equal(['ops', 'audit']);

    const jobs = await t.bridge.store.jobsForEvent(queued.json.eventId);
    const hooks = jobs.find((j) => j.receiver === 'hooks')!;
    expect(hooks).to.include({ state: 'dead', lastReason: 'receiver removed' });

    const accepted = await post('after-reload');
    await waitFor(() => t.consoleLines.find((l) => l.eventId === accepted.json.eventId), 'delivery under the new config');
    expect(t.consoleLines.find((l) => l.eventId === accepted.json.eventId)).to.include({ receiver: 'audit' });

    const { samples } = await scrape(t.url);
    expect(valueOf(samples, 'aver_bridge_config_last_reload_successful')).to.equal(1);
    expect(valueOf(samples, 'aver_bridge_config_hash', { hash: body.hash })).to.equal(1);
    expect(valueOf(samples, 'aver_bridge_config_hash', { hash: before })).to.equal(undefined);
    expect(valueOf(samples, 'aver_bridge_dead_letters', { receiver: 'hooks' })).to.equal(1);
    expect(valueOf(samples, 'aver_bridge_queue_depth', { receiver: 'hooks' })).to.equal(0);
    expect(t.logs.lines().some((l) => JSON.parse(l).msg === 'configuration reloaded')).to.equal(true);
  });

  it('keeps the old config when the file is bad: 400 with the config error, metric 0, error logged', async () => {
    const before = t.bridge.config.source.hash;
    writeFileSync(t.bridge.config.source.file, yaml(`  - name: ops\n    console: {}`, `  receiver: nowhere`));
    const res = await reload();
    expect(res.status).to.equal(400);
    const body = await res.json();
    expect(body.reloaded).to.equal(false);
    expect(body.error.code).to.equal('config_invalid');
    expect(body.error.message).to.include('nowhere');
    expect(body.error.message).to.not.include(ADMIN).and.not.include(SECRET);

    expect(t.bridge.config.source.hash).to.equal(before);
    expect([...t.bridge.state.receivers.keys()]).to.deep.equal(['ops', 'hooks']);
    const { samples } = await scrape(t.url);
    expect(valueOf(samples, 'aver_bridge_config_last_reload_successful')).to.equal(0);
    expect(valueOf(samples, 'aver_bridge_config_hash', { hash: before })).to.equal(1);

    const failed = t.logs.lines().map((l) => JSON.parse(l)).find((l) => l.msg === 'reload failed; keeping the old configuration');
    expect(failed, 'the error is logged').to.not.equal(undefined);
    expect(failed.level).to.equal(50);
    expect(JSON.stringify(failed)).to.include('nowhere');

    // Still routing and delivering with the old config.
    const accepted = await post('still-working');
    await waitFor(() => t.consoleLines.find((l) => l.eventId === accepted.json.eventId), 'delivery under the old config');
  });

  it('rejects YAML that does not parse, then recovers when the file is fixed (metric back to 1)', async () => {
    const file = t.bridge.config.source.file;
    writeFileSync(file, 'receivers: [\n  - name: ops\n');
    const bad = await reload();
    expect(bad.status).to.equal(400);
    expect((await bad.json()).error.message).to.match(/YAML syntax/);
    expect(valueOf((await scrape(t.url)).samples, 'aver_bridge_config_last_reload_successful')).to.equal(0);

    writeFileSync(file, yaml(`  - name: ops\n    console: {}`, `  receiver: ops`));
    const good = await reload();
    expect(good.status).to.equal(200);
    expect(valueOf((await scrape(t.url)).samples, 'aver_bridge_config_last_reload_successful')).to.equal(1);
  });
});
