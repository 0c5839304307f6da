import { expect } from 'chai';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { MINIMAL_YAML, WEBHOOK_SECRET } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';

/** A real SQLite store that counts the router's calls: an event routed by the router shows up in them. */
async function countingStore(dir: string) {
  const store = await openStore(`sqlite:${join(dir, 'bridge.db')}`, memoryLogger().logger);
  const calls = { routeEvents: 0, routedByRouter: 0 };
  const counted: Store = Object.assign(Object.create(store) as Store, {
    routeEvents: async (...args: Parameters<Store['routeEvents']>) => {
      calls.routeEvents += 1;
      calls.routedByRouter += args[0].length;
      return store.routeEvents(...args);
    },
  });
  return { store: counted, calls };
}

const TWO_RECEIVERS = `
aver:
  webhook:
    secrets: ["${WEBHOOK_SECRET}"]
receivers:
  - name: ops
    console: {}
  - name: compliance
    console: {}
route:
  receiver: ops
  routes:
    - receiver: compliance
      matchers: ['type="LiveCheck"']
      continue: true
    - receiver: ops
`;

describe('routing as a webhook is stored (no enrichment configured)', () => {
  let t: TestBridge | undefined;
  const temp = tempDir();
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });
  after(() => temp.cleanup());

  it('stores the event routed, with its jobs, in the append\'s own transaction: the router never sees it', async () => {
    const { store, calls } = await countingStore(temp.dir);
    t = await startBridge(TWO_RECEIVERS, { store });
    const res = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-ingest-1', groupId: 'g-1', status: 'Completed' } }, { authorization: WEBHOOK_SECRET });
    expect(res.status).to.equal(202);
    const eventId = res.json.eventId;
    // Read right after the 202: the jobs are there already, so they were written with the event.
    const stored = await store.getEvent(eventId);
    const jobs = await store.jobsForEvent(eventId);
    expect(stored?.routed).to.equal(true);
    expect(stored?.labels).to.include({ type: 'LiveCheck', id: 'chk-ingest-1' });
    expect(jobs.map((j) => j.receiver).sort()).to.deep.equal(['compliance', 'ops']);
    await waitFor(async () => (await store.jobsForEvent(eventId)).every((j) => j.state === 'done'), 'both deliveries');
    expect(calls.routedByRouter, 'events the router routed').to.equal(0);
    const routed = await t.bridge.metrics.registry.getSingleMetric('aver_bridge_events_routed_total')?.get();
    expect(routed?.values.find((v) => v.labels.receivers === '2')?.value).to.equal(1);
  });

  it('leaves routing to the router when enrichment is configured (it calls Aver\'s API first)', async () => {
    const { store, calls } = await countingStore(temp.dir);
    // An API nobody answers: enrichment gives up at its timeout and the event is routed without Aver's details.
    const yaml = MINIMAL_YAML.replace('aver:\n', 'aver:\n  api: { baseUrl: "http://127.0.0.1:9/api", key: k, secret: api-secret-value, timeout: 200ms }\n');
    t = await startBridge(yaml, { store });
    const res = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'chk-ingest-2', groupId: 'g-1', status: 'Completed' } }, { authorization: WEBHOOK_SECRET });
    expect(res.status).to.equal(202);
    await waitFor(async () => (await store.getEvent(res.json.eventId))?.routed, 'the router to route it');
    expect(calls.routedByRouter).to.be.at.least(1);
  });
});
