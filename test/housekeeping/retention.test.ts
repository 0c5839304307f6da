import { expect } from 'chai';
import { parseConfig } from '../../src/config/load.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';

const SECRET = 's3cret-value';
const yaml = (retention?: string) => `
aver:
  webhook:
    secrets: ["${SECRET}"]
${retention ? `storage:\n  url: "sqlite:\${DIR}/bridge.db"\n  retention: ${retention}` : ''}
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`;

describe('storage.retention', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  const bridges: TestBridge[] = [];
  beforeEach(() => { dir = tempDir(); });
  afterEach(async () => {
    for (const b of bridges.splice(0)) await b.stop();
    dir.cleanup();
  });

  it('defaults to 30 days', () => {
    expect(parseConfig(yaml(), 'test.yaml', {}).storage.retentionMs).to.equal(30 * 24 * 3600_000);
  });

  it('deletes delivered events past it when housekeeping runs (at start-up, then every 10 minutes), and says so', async () => {
    const config = yaml('1s').replace('${DIR}', dir.dir);
    const first = await startBridge(config, { dir: dir.dir });
    bridges.push(first);
    const res = await postWebhook(`${first.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'kept-a-second', groupId: 'g', status: 'Completed' } }, { authorization: SECRET });
    expect(res.status).to.equal(202);
    const eventId = res.json.eventId;
    await waitFor(async () => (await first.bridge.store.jobsForEvent(eventId)).some((j) => j.state === 'done'), 'the delivery recorded');
    await bridges.pop()!.stop();
    await new Promise((r) => setTimeout(r, 1200));

    const second = await startBridge(config, { dir: dir.dir });
    bridges.push(second);
    await waitFor(async () => (await second.bridge.store.getEvent(eventId)) === null, 'the event deleted');
    expect(await second.bridge.store.jobsForEvent(eventId)).to.deep.equal([]);
    expect(second.logs.text()).to.contain('delivered jobs and events past storage.retention deleted');
  });
});
