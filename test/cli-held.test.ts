import { expect } from 'chai';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { postWebhook, startBridge, tempDir, waitFor } from './helpers/bridge.js';
import { WEBHOOK_SECRET } from './helpers/config.js';
import { startFakeHttp, type FakeHttp } from './helpers/fake-http.js';

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('aver-bridge held', () => {
  let t: ReturnType<typeof tempDir>;
  let fake: FakeHttp;
  let config: string;

  // Two receivers behind a route muted every day of the week: each event is held for each, never sent.
  before(async () => {
    t = tempDir();
    fake = await startFakeHttp();
    const bridge = await startBridge(`
aver:
  webhook:
    secrets: ["${WEBHOOK_SECRET}"]
time_intervals:
  - name: always
    time_intervals:
      - weekdays: ['sunday:saturday']
receivers:
  - name: alpha
    webhook: { url: "${fake.url}/alpha" }
  - name: beta
    webhook: { url: "${fake.url}/beta" }
route:
  receiver: alpha
  mute_time_intervals: [always]
  routes:
    - { receiver: alpha, continue: true, mute_time_intervals: [always] }
    - { receiver: beta, mute_time_intervals: [always] }
`, { dir: t.dir });
    try {
      for (const [id, status] of [['held-1', 'Rejected'], ['held-2', 'AwaitingReview']]) {
        const res = await postWebhook(`${bridge.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g-1', status } }, { authorization: WEBHOOK_SECRET });
        expect(res.status).to.equal(202);
      }
      await waitFor(async () => (await bridge.bridge.store.timerStats(Date.now())).held === 4, 'four held deliveries');
    } finally {
      await bridge.stop();
    }
    expect(fake.requests, 'nothing sent while muted').to.deep.equal([]);
    config = join(t.dir, 'aver-bridge.yaml');
  });
  after(async () => {
    await fake?.close();
    t?.cleanup();
  });

  it('held (list) shows every held delivery: when it goes out, receiver, check and status, event, route', async () => {
    for (const argv of [['held'], ['held', 'list']]) {
      const r = await cli([...argv, '--config', config]);
      expect(r.code, r.stderr).to.equal(0);
      const lines = r.stdout.split('\n');
      expect(lines).to.have.length(4);
      for (const line of lines) {
        const [until, receiver, check] = line.split('  ');
        // Muted every day: held until the look-ahead's end, then looked at again.
        expect(until).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(Date.parse(until)).to.be.greaterThan(Date.now());
        expect(receiver).to.be.oneOf(['alpha', 'beta']);
        expect(check).to.match(/^LiveCheck:held-[12] (Rejected|AwaitingReview)$/);
        expect(line).to.match(/  event \S+  via \S+$/);
      }
    }
  });

  it('--receiver NAME lists only that receiver\'s; --json gives the records; a name the config lacks says so', async () => {
    const alpha = await cli(['held', 'list', '--receiver', 'alpha', '--config', config]);
    expect(alpha.stdout.split('\n').map((l) => l.split('  ')[1])).to.deep.equal(['alpha', 'alpha']);
    const json = await cli(['held', '--receiver', 'beta', '--json', '--config', config]);
    const records = JSON.parse(json.stdout) as Array<{ receiver: string; entityKey: string; status: string; until: number }>;
    expect(records.map((h) => [h.receiver, h.entityKey, h.status])).to.deep.equal([['beta', 'LiveCheck:held-1', 'Rejected'], ['beta', 'LiveCheck:held-2', 'AwaitingReview']]);
    expect(records[0].until).to.be.a('number');
    const gamma = await cli(['held', '--receiver', 'gamma', '--config', config]);
    expect(gamma.code).to.equal(0);
    expect(gamma.stdout).to.equal(`no held deliveries for receiver "gamma" (${config} has no receiver "gamma"; its receivers: alpha, beta)`);
  });

  const misuse: Array<[string[], string]> = [
    [['held', 'drop'], 'aver-bridge: unknown held command "drop": use held list'],
    [['held', 'list', 'extra'], 'aver-bridge: held takes at most 1; got "list" "extra"'],
    [['held', '--all'], 'aver-bridge: held does not take --all'],
  ];
  for (const [argv, line] of misuse) {
    it(`${argv.join(' ')}: exits 2 with one line and the usage`, async () => {
      const r = await cli([...argv, '--config', config]);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr.split('\n')[0]).to.equal(line);
      expect(r.stderr.split('\n')[1]).to.equal('Usage: aver-bridge held [list] [--receiver NAME] [--json] [--config FILE]');
    });
  }
});
