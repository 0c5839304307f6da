import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { killServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const EVENTS = 400;

describe('crash: SIGKILL during group_wait, then a restart', function () {
  this.timeout(60_000);
  let fake: FakeHttp | undefined;
  let server: ServerProcess | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await killServer(server);
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the restarted process sends the group digest with every acknowledged event', async () => {
    fake = await startFakeHttp(() => ({ status: 200 }));
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'aver-bridge-group-crash-'));
    const file = join(dir, 'aver-bridge.yaml');
    writeFileSync(file, `
server: { host: 127.0.0.1, port: 0, shutdownTimeout: 2s }
aver: { webhook: { secrets: ["s3cret-value"] } }
storage: { url: "sqlite:${join(dir, 'bridge.db')}" }
delivery: { pollInterval: 50ms }
receivers:
  - name: hooks
    webhook: { url: "${fake.url}/hook" }
route:
  receiver: hooks
  group_by: [groupId, type]
  group_wait: 5s
`);
    server = await startServerProcess(file);
    const acked: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < EVENTS) {
        const id = `rws-${next++}`;
        const res = await fetch(`${server!.url}/webhooks/aver`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 's3cret-value' },
          body: JSON.stringify({ statusMessage: { type: 'RecurringWatchlistSearch', id, groupId: 'g-crash', status: 'Completed' } }),
        });
        await res.text();
        if (res.status === 202) acked.push(id);
      }
    }));
    server.child.kill('SIGKILL');
    expect((await server.exited).signal).to.equal('SIGKILL');
    expect(fake.requests, 'nothing sent before group_wait ended').to.have.length(0);

    server = await startServerProcess(file);
    const digest = await waitFor(() => fake!.requests.find((r) => r.body.kind === 'digest'), 'the digest after the restart', 30_000);
    expect(acked).to.have.length(EVENTS);
    expect(digest.body.digest.total).to.equal(acked.length);
    expect(fake.requests.filter((r) => r.body.kind === 'digest')).to.have.length(1);
  });
});
