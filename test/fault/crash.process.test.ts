import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/bridge.js';
import { startFakeHttp, type FakeHttp } from '../helpers/fake-http.js';
import { killServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const EVENTS = 2400;
const KILL_AFTER_ACKS = 1000;
const PARALLEL = 24;

describe('crash: SIGKILL in the middle of a load, then a restart', function () {
  this.timeout(90_000);
  let fake: FakeHttp | undefined;
  let server: ServerProcess | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await killServer(server);
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`delivers every one of ${EVENTS} events that got a 2xx at least once (duplicates counted, not forbidden)`, async () => {
    // A slightly slow endpoint, so deliveries are in flight when the process dies.
    fake = await startFakeHttp(() => ({ status: 200, delayMs: 3 }));
    // SIGKILL ends the process, not the machine: the page cache keeps every commit, so tmpfs proves the same
    // thing as a disk here, without an fsync per commit (power loss is SQLite's synchronous=FULL, not this test).
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'aver-bridge-crash-'));
    const file = join(dir, 'aver-bridge.yaml');
    writeFileSync(file, `
server: { host: 127.0.0.1, port: 0, shutdownTimeout: 2s }
aver:
  webhook:
    secrets: ["s3cret-value"]
storage: { url: "sqlite:${join(dir, 'bridge.db')}" }
delivery:
  concurrency: 16
  timeout: 1s
  leaseTime: 2s
  pollInterval: 50ms
  backoff: { base: 50ms, factor: 2, cap: 500ms }
receivers:
  - name: hooks
    webhook: { url: "${fake.url}/hook" }
    pacing: { ratePerSecond: 100000, burst: 1000 }
route:
  receiver: hooks
`);
    const acked = new Set<string>();
    const failed = new Set<string>();
    let next = 0;

    /** Posts events in PARALLEL streams until all are posted, `stop()` says so, or the server goes away. */
    async function load(url: string, stop: () => boolean) {
      const agent = async () => {
        while (next < EVENTS && !stop()) {
          const id = `crash-${next++}`;
          try {
            const res = await fetch(`${url}/webhooks/aver`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 's3cret-value' },
              body: JSON.stringify({ statusMessage: { type: 'LiveCheck', id, groupId: 'g-crash', status: 'Completed' } }),
            });
            await res.text();
            if (res.status >= 200 && res.status < 300) acked.add(id);
            else failed.add(id);
          } catch {
            failed.add(id);
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, agent));
    }

    server = await startServerProcess(file);
    let killed = false;
    const first = server;
    const phase1 = load(first.url, () => killed);
    await waitFor(() => acked.size >= KILL_AFTER_ACKS, 'the first acknowledgements', 30_000);
    const deliveredBeforeKill = new Set(fake.requests.map((r) => r.body.event.id)).size;
    first.child.kill('SIGKILL');
    killed = true;
    expect((await first.exited).signal).to.equal('SIGKILL');
    await phase1;
    const ackedBeforeKill = acked.size;

    server = await startServerProcess(file);
    await load(server.url, () => false);
    expect(next).to.equal(EVENTS);

    const deliveredIds = () => new Set(fake!.requests.map((r) => r.body.event.id));
    await waitFor(() => {
      const got = deliveredIds();
      return [...acked].every((id) => got.has(id));
    }, 'every acknowledged event at the endpoint', 45_000).catch(() => undefined);

    const counts = new Map<string, number>();
    for (const r of fake.requests) counts.set(r.body.event.id, (counts.get(r.body.event.id) ?? 0) + 1);
    const missing = [...acked].filter((id) => !counts.has(id));
    const duplicates = [...counts].filter(([, c]) => c > 1);
    const unackedDelivered = [...failed].filter((id) => counts.has(id)).length;
    console.log(
      `      crash report: posted ${EVENTS}, acknowledged ${acked.size} (${ackedBeforeKill} before SIGKILL), refused/failed ${failed.size} (${unackedDelivered} of them delivered anyway), ` +
        `delivered before the kill ${deliveredBeforeKill}, delivered ${counts.size} distinct in ${fake.requests.length} requests, duplicates ${duplicates.length}` +
        `${duplicates.length ? ` (${duplicates.slice(0, 10).map(([id, c]) => `${id}×${c}`).join(', ')}${duplicates.length > 10 ? ', …' : ''})` : ''}, missing ${missing.length}`,
    );
    expect(acked.size, 'at least 2,000 events acknowledged').to.be.at.least(2000);
    expect(deliveredBeforeKill, 'the kill came while deliveries were under way').to.be.above(0);
    expect(missing, 'acknowledged but never delivered').to.deep.equal([]);
  });
});
