import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { postWebhook, tempDir, waitFor } from '../helpers/bridge.js';
import { startFakeHttp, type FakeAnswer, type FakeHttp, type RecordedRequest } from '../helpers/fake-http.js';
import { killServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const SECRET = { authorization: 's3cret-value' };

describe('graceful shutdown of a server process (SIGTERM, SIGINT)', function () {
  this.timeout(60_000);
  let fake: FakeHttp | undefined;
  let server: ServerProcess | undefined;
  let temp: ReturnType<typeof tempDir> | undefined;
  let file = '';
  let dbUrl = '';

  /** One webhook receiver; delivery.concurrency 4 lets it one delivery in flight at a time, so the rest wait in the queue. */
  async function setup(answer: (req: RecordedRequest, nth: number) => FakeAnswer, shutdownTimeout: string) {
    fake = await startFakeHttp(answer);
    temp = tempDir();
    file = join(temp.dir, 'aver-bridge.yaml');
    dbUrl = `sqlite:${join(temp.dir, 'bridge.db')}`;
    writeFileSync(file, `
server: { host: 127.0.0.1, port: 0, shutdownTimeout: ${shutdownTimeout} }
aver:
  webhook:
    secrets: ["s3cret-value"]
storage: { url: "${dbUrl}" }
delivery:
  concurrency: 4
  timeout: 20s
  pollInterval: 50ms
receivers:
  - name: hooks
    webhook: { url: "${fake.url}/hook" }
route:
  receiver: hooks
`);
    server = await startServerProcess(file);
    return { fake, server };
  }

  async function post(url: string, id: string) {
    const res = await postWebhook(`${url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g-1', status: 'Completed' } }, SECRET);
    expect(res.status).to.equal(202);
    return res.json.eventId;
  }

  async function jobStates(): Promise<Record<string, string>> {
    const store = await openStore(dbUrl);
    try {
      return Object.fromEntries((await store.listJobs({ limit: 100 })).map((j) => [j.event.id, `${j.state}/${j.attempts}`]));
    } finally {
      await store.close();
    }
  }

  afterEach(async () => {
    await killServer(server);
    await fake?.close();
    temp?.cleanup();
  });

  it('SIGTERM: answers 503 on ingest and /readyz, lets the slow delivery finish, exits 0; what had not started is delivered after a restart', async () => {
    const { fake, server: first } = await setup((req) => (req.body.event.id === 'slow' ? { status: 200, delayMs: 1500 } : { status: 200 }), '10s');
    await post(first.url, 'slow');
    await waitFor(() => fake.requests.length === 1, 'the slow delivery to start');
    for (const id of ['queued-1', 'queued-2', 'queued-3']) await post(first.url, id);
    first.child.kill('SIGTERM');
    await waitFor(() => first.lines.some((l) => l.includes('shutting down')), 'the shutdown to begin');
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status, '/readyz while stopping').to.equal(503);
    const ingest = await postWebhook(`${first.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'late', groupId: 'g-1', status: 'Completed' } }, SECRET);
    expect(ingest.status, 'ingest while stopping').to.equal(503);
    expect(ingest.json.error.code).to.equal('shutting_down');
    expect(await first.exited).to.deep.equal({ code: 0, signal: null });
    expect(fake.requests.map((r) => [r.body.event.id, r.status])).to.deep.equal([['slow', 200]]);
    expect(await jobStates()).to.deep.equal({ slow: 'done/1', 'queued-1': 'pending/0', 'queued-2': 'pending/0', 'queued-3': 'pending/0' });

    server = await startServerProcess(file);
    await waitFor(() => fake.requests.length === 4, 'the queued jobs after the restart', 10_000);
    expect(fake.requests.map((r) => r.body.event.id)).to.deep.equal(['slow', 'queued-1', 'queued-2', 'queued-3']);
    expect(fake.requests.some((r) => r.body.event.id === 'late'), 'the webhook refused with 503 was not stored').to.equal(false);
  });

  it('SIGINT with a delivery that outlives server.shutdownTimeout: exits 0 after the timeout and leaves the job queued, no attempt counted', async () => {
    const { fake, server: first } = await setup((req, nth) => (nth === 0 ? 'hang' : { status: 200 }), '1s');
    await post(first.url, 'stuck');
    await waitFor(() => fake.requests.length === 1, 'the delivery to start');
    first.child.kill('SIGINT');
    expect(await first.exited).to.deep.equal({ code: 0, signal: null });
    expect(await jobStates()).to.deep.equal({ stuck: 'pending/0' });
    server = await startServerProcess(file);
    await waitFor(() => fake.requests.some((r) => r.status === 200), 'the delivery after the restart', 10_000);
    expect(await fetch(`${server.url}/readyz`).then((r) => r.status)).to.equal(200);
  });

  it('a second signal exits at once, and nothing acknowledged is lost', async () => {
    const { fake, server: first } = await setup((req, nth) => (nth === 0 ? 'hang' : { status: 200 }), '30s');
    await post(first.url, 'stuck');
    await post(first.url, 'waiting');
    await waitFor(() => fake.requests.length === 1, 'the delivery to start');
    first.child.kill('SIGTERM');
    await waitFor(() => first.lines.some((l) => l.includes('shutting down')), 'the shutdown to begin');
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.signal).to.equal(null);
    expect(exit.code, 'exit code of an interrupted shutdown').to.equal(130);
    server = await startServerProcess(file);
    await waitFor(() => fake.requests.filter((r) => r.status === 200).length === 2, 'both events after the restart', 10_000);
    expect(fake.requests.filter((r) => r.status === 200).map((r) => r.body.event.id)).to.deep.equal(['stuck', 'waiting']);
  });
});
