import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postWebhook, tempDir, waitFor } from './helpers/bridge.js';
import { startFakeHttp } from './helpers/fake-http.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

const SECRET = 'restart-webhook-SECRET-1';
const HOOK_TOKEN = 'restart-hook-TOKEN-2';

/** The receiver's far end, on 127.0.0.1: answers 503 while down, 200 once up, and records what it got. */
async function fakeReceiver() {
  const state = { up: false };
  const http = await startFakeHttp(() => (state.up ? { status: 200 } : { status: 503 }));
  /** The requests answered 200: what was delivered. */
  const delivered = () => http.requests.filter((r) => r.status === 200).map((r) => ({ eventId: r.eventId, token: r.headers['x-token'] as string | undefined, body: r.body }));
  return { state, http, delivered, close: () => http.close() };
}

describe('restart: an acknowledged webhook survives kill -9 (real server processes)', () => {
  let t: ReturnType<typeof tempDir>;
  let fake: Awaited<ReturnType<typeof fakeReceiver>>;
  const procs: ServerProcess[] = [];
  before(async () => {
    t = tempDir();
    fake = await fakeReceiver();
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await fake.close();
    t.cleanup();
  });

  it('delivers every event acknowledged before kill -9 after a restart, and exits 0 on SIGTERM', async function () {
    // Two process starts (tsx, Bolt, botbuilder) take seconds on a loaded machine; nothing here is timed.
    this.timeout(60_000);
    const config = join(t.dir, 'aver-bridge.yaml');
    writeFileSync(config, `
server: { host: 127.0.0.1, port: 0 }
aver:
  webhook:
    secrets: ["\${AVER_WEBHOOK_SECRET}"]
storage: { url: "sqlite:${join(t.dir, 'bridge.db')}" }
delivery:
  pollInterval: 50ms
  # A job leased when the process died is claimable again after max(leaseTime, timeout + 2s).
  leaseTime: 1s
  timeout: 1s
  backoff: { base: 50ms, cap: 200ms }
receivers:
  - name: audit-hook
    webhook: { url: "${fake.http.url}/hook", headers: { x-token: "\${HOOK_TOKEN}" } }
route:
  receiver: audit-hook
`);
    const env = { AVER_WEBHOOK_SECRET: SECRET, HOOK_TOKEN };

    const first = await startServerProcess(config, env);
    procs.push(first);
    const hook = `http://127.0.0.1:${first.port}/webhooks/aver`;
    const acked: string[] = [];
    const N = 6;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => postWebhook(hook, { statusMessage: { type: 'LiveCheck', id: `r-${i}`, groupId: 'g-1', status: 'Rejected' } }, { authorization: SECRET })),
    );
    for (const a of answers) {
      expect(a.status).to.equal(202);
      acked.push(a.json.eventId);
    }
    // The pipeline is trying (and failing: the receiver is down) when the process dies.
    await waitFor(() => fake.http.requests.length > 0, 'a first delivery attempt');
    first.child.kill('SIGKILL');
    expect(await first.exited).to.deep.equal({ code: null, signal: 'SIGKILL' });
    expect(fake.delivered()).to.have.length(0);

    fake.state.up = true;
    const second = await startServerProcess(config, env);
    procs.push(second);
    await waitFor(() => acked.every((id) => fake.delivered().some((d) => d.eventId === id)), 'every acknowledged event delivered', 8000);
    expect(fake.delivered().map((d) => d.eventId).sort()).to.deep.equal([...acked].sort());
    for (const d of fake.delivered()) {
      expect(d.token).to.equal(HOOK_TOKEN);
      expect(d.body.event).to.include({ type: 'LiveCheck', status: 'Rejected', groupId: 'g-1' });
    }

    second.child.kill('SIGTERM');
    expect(await second.exited).to.deep.equal({ code: 0, signal: null });
    expect(second.logs().some((l) => l.msg === 'aver-bridge stopped')).to.equal(true);

    // Neither process wrote the webhook secret or the receiver's header token anywhere.
    for (const p of [first, second]) {
      expect(p.output()).to.not.contain(SECRET);
      expect(p.output()).to.not.contain(HOOK_TOKEN);
    }
  });
});
