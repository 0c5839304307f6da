import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';

const SECRET = 's3cret-value';

/** A config with ops, and `receivers` (a "hooks" receiver on an endpoint that is down, jobs queued: backoff 1h) routed Rejected events. */
function yaml(receivers: string, maxAge = '24h'): string {
  return `
aver:
  webhook:
    secrets: ["${SECRET}"]
delivery:
  pollInterval: 20ms
  maxAge: ${maxAge}
  backoff: { base: 1h, factor: 1, cap: 1h }
receivers:
  - name: ops
    console: {}
${receivers}
route:
  receiver: ops
${receivers ? `  routes:\n    - matchers: ['status = "Rejected"']\n      receiver: hooks\n      continue: true\n    - matchers: ['status = "Rejected"']\n      receiver: ops` : ''}
`;
}

describe('jobs of receivers no configuration has any more', function () {
  this.timeout(20_000);
  let fake: FakeHttp;
  let dir: ReturnType<typeof tempDir>;
  const bridges: TestBridge[] = [];
  let shared: Store | undefined;

  beforeEach(async () => {
    fake = await startFakeHttp(() => ({ status: 503 }));
    dir = tempDir();
  });
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.stop();
    await shared?.close();
    shared = undefined;
    await fake.close();
    dir.cleanup();
  });

  /** A folder of its own for another replica's config file, inside the test's folder. */
  function subDir(name: string): string {
    const path = join(dir.dir, name);
    mkdirSync(path);
    return path;
  }

  /** Starts a bridge with the hooks receiver, queues one Rejected event for it, and returns the event's id. */
  async function queueForHooks(options: Parameters<typeof startBridge>[1] = {}): Promise<string> {
    const first = await startBridge(yaml(`  - name: hooks\n    webhook: { url: "${fake.url}/hooks" }`), { dir: dir.dir, ...options });
    bridges.push(first);
    const res = await postWebhook(`${first.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'c-1', groupId: 'g', status: 'Rejected' } }, { authorization: SECRET });
    expect(res.status).to.equal(202);
    await waitFor(async () => (await first.bridge.store.jobsForEvent(res.json.eventId)).find((j) => j.receiver === 'hooks' && j.attempts >= 1), 'a failed attempt to hooks');
    return res.json.eventId;
  }

  it('on SQLite, a restart without the receiver moves its queued jobs to the dead letters at once', async () => {
    const eventId = await queueForHooks();
    await bridges.pop()!.stop();
    const second = await startBridge(yaml(''), { dir: dir.dir });
    bridges.push(second);
    const job = await waitFor(async () => (await second.bridge.store.jobsForEvent(eventId)).find((j) => j.receiver === 'hooks' && j.state === 'dead'), 'the hooks job dead-lettered');
    expect(job.lastReason).to.equal('receiver removed');
    expect(second.logs.text()).to.contain('queued jobs of receivers no longer configured moved to dead letters');
    const ops = (await second.bridge.store.jobsForEvent(eventId)).find((j) => j.receiver === 'ops');
    expect(ops?.state, 'the other receiver’s job is untouched').to.equal('done');
  });

  it('on a shared store (replicas), a replica without the receiver leaves its jobs to the replicas that have it until they are older than delivery.maxAge', async () => {
    shared = await openStore(`sqlite:${join(dir.dir, 'shared.db')}`);
    const eventId = await queueForHooks({ store: shared });
    const hooksJob = async () => (await shared!.jobsForEvent(eventId)).find((j) => j.receiver === 'hooks');
    // Another replica whose config has no "hooks" (a rolling deploy, in either direction), maxAge 24h: hands off.
    const other = await startBridge(yaml(''), { dir: subDir('other'), store: shared });
    bridges.push(other);
    await new Promise((r) => setTimeout(r, 300));
    expect((await hooksJob())?.state, 'younger than delivery.maxAge: still queued').to.equal('pending');
    expect(other.logs.text()).not.to.contain('moved to dead letters');
    // One with maxAge 1s, once the job is older than that: no replica could still deliver it.
    await new Promise((r) => setTimeout(r, 1000));
    const strict = await startBridge(yaml('', '1s'), { dir: subDir('strict'), store: shared });
    bridges.push(strict);
    await waitFor(async () => (await hooksJob())?.state === 'dead', 'the old hooks job dead-lettered');
    expect((await hooksJob())?.lastReason).to.equal('receiver removed');
  });

  it('a reload dead-letters the jobs of the receivers it removed, not those of receivers its replica never had', async () => {
    shared = await openStore(`sqlite:${join(dir.dir, 'shared.db')}`);
    const eventId = await queueForHooks({ store: shared });
    const hooksJob = async () => (await shared!.jobsForEvent(eventId)).find((j) => j.receiver === 'hooks');
    const other = await startBridge(yaml(''), { dir: subDir('other'), store: shared });
    bridges.push(other);
    await other.bridge.reloadFromSource();
    expect((await hooksJob())?.state, 'a replica that never had "hooks" leaves its jobs alone').to.equal('pending');
    // The replica that had it reloads a file without it.
    const first = bridges[0];
    writeFileSync(first.bridge.config.source.file, yaml(''));
    await first.bridge.reloadFromSource();
    expect(await hooksJob()).to.include({ state: 'dead', lastReason: 'receiver removed' });
  });
});
