import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { postWebhook, tempDir, waitFor } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { killServer, runCli, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

describe('retries and dead letters against a real server process', function () {
  this.timeout(60_000);
  let fake: FakeHttp | undefined;
  let server: ServerProcess | undefined;
  let temp: ReturnType<typeof tempDir> | undefined;

  afterEach(async () => {
    await killServer(server);
    await fake?.close();
    temp?.cleanup();
  });

  it('500×3 then 200 is delivered once, a timeout is retried, a 400 is a dead letter that `dead-letters retry` (another process) gets delivered', async () => {
    const accept = new Set<string>();
    fake = await startFakeHttp((req, _nth) => {
      const { id } = req.body.event;
      const before = fake!.requests.filter((r) => r.body.event.id === id).length - 1;
      if (id === 'flaky') return { status: before < 3 ? 500 : 200 };
      if (id === 'slow') return before === 0 ? 'hang' : { status: 200 };
      if (id.startsWith('bad')) return { status: accept.has(id) ? 200 : 400 };
      return { status: 200 };
    });
    temp = tempDir();
    const file = join(temp.dir, 'aver-bridge.yaml');
    writeFileSync(file, `
server: { host: 127.0.0.1, port: 0 }
aver:
  webhook:
    secrets: ["s3cret-value"]
storage: { url: "sqlite:${join(temp.dir, 'bridge.db')}" }
delivery:
  timeout: 300ms
  pollInterval: 50ms
  backoff: { base: 50ms, factor: 2, cap: 200ms }
receivers:
  - name: hooks
    webhook: { url: "${fake.url}/hook" }
route:
  receiver: hooks
`);
    server = await startServerProcess(file);
    const post = async (id: string) => {
      const res = await postWebhook(`${server!.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g-1', status: 'Completed' } }, { authorization: 's3cret-value' });
      expect(res.status).to.equal(202);
      return res.json.eventId;
    };
    for (const id of ['flaky', 'slow', 'bad-1', 'bad-2']) await post(id);
    const answered = (id: string, status: number) => fake!.requests.filter((r) => r.body.event.id === id && r.status === status);
    await waitFor(() => answered('flaky', 200).length === 1 && answered('slow', 200).length === 1, 'flaky and slow delivered', 10_000);
    expect(fake.requests.filter((r) => r.body.event.id === 'flaky').map((r) => r.status)).to.deep.equal([500, 500, 500, 200]);
    const slow = fake.requests.filter((r) => r.body.event.id === 'slow');
    expect(slow).to.have.length(2);
    expect(slow[0].status, 'the first attempt never got an answer').to.equal(undefined);

    const dead = await waitFor(async () => {
      const r = await runCli(['dead-letters', 'list', '--config', file]);
      return r.stdout.split('\n').filter((l) => l.includes('bad-')).length === 2 ? r : undefined;
    }, 'two dead letters in `dead-letters list`', 10_000);
    expect(dead.code).to.equal(0);
    const lines = dead.stdout.trim().split('\n');
    expect(lines).to.have.length(2);
    for (const line of lines) {
      expect(line).to.match(/^#\d+ {2}\S+ {2}hooks {2}LiveCheck bad-[12] Completed {2}attempts=1 {2}webhook "hooks" \(http:\/\/127\.0\.0\.1:\d+\/…\) rejected the message \(400\)$/);
    }
    const idOf = (entity: string) => Number(/^#(\d+)/.exec(lines.find((l) => l.includes(` ${entity} `))!)![1]);

    const shown = await runCli(['dead-letters', 'show', String(idOf('bad-1')), '--json', '--config', file]);
    expect(shown.code).to.equal(0);
    const job = JSON.parse(shown.stdout);
    expect(job).to.include({ state: 'dead', receiver: 'hooks', attempts: 1 });
    expect(job.history).to.have.length(1);
    expect(job.history[0]).to.include({ attempt: 1, ok: false, code: 'clientError' });

    // The endpoint is fixed; the CLI, a separate process on the same SQLite file, queues the job again.
    accept.add('bad-1');
    accept.add('bad-2');
    const retried = await runCli(['dead-letters', 'retry', String(idOf('bad-1')), '--config', file]);
    expect(retried.stdout.trim()).to.equal(`dead letter #${idOf('bad-1')} queued again`);
    await waitFor(() => answered('bad-1', 200).length === 1, 'the running server to deliver bad-1', 10_000);
    expect(answered('bad-2', 200)).to.have.length(0);

    const all = await runCli(['dead-letters', 'retry', '--all', '--config', file]);
    expect(all.stdout.trim()).to.equal('1 dead letter(s) queued again');
    await waitFor(() => answered('bad-2', 200).length === 1, 'the running server to deliver bad-2', 10_000);
    const none = await runCli(['dead-letters', 'list', '--config', file]);
    expect(none.stdout.trim()).to.equal('no dead letters');

    // Exactly once each, and the store agrees.
    server.child.kill('SIGTERM');
    expect(await server.exited).to.deep.equal({ code: 0, signal: null });
    const store = await openStore(`sqlite:${join(temp.dir, 'bridge.db')}`);
    try {
      const jobs = await store.listJobs({ limit: 100 });
      expect(jobs.map((j) => `${j.event.id}:${j.state}`).sort()).to.deep.equal(['bad-1:done', 'bad-2:done', 'flaky:done', 'slow:done']);
      const bad1 = jobs.find((j) => j.event.id === 'bad-1')!;
      expect(bad1.history.map((h) => h.ok)).to.deep.equal([false, true]);
    } finally {
      await store.close();
    }
    for (const id of ['flaky', 'slow', 'bad-1', 'bad-2']) expect(answered(id, 200), id).to.have.length(1);
  });
});
