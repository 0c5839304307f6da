import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { formatTime } from '../src/cli/dead-letter-text.js';
import { postWebhook, startBridge, tempDir, waitFor } from './helpers/bridge.js';
import { WEBHOOK_SECRET } from './helpers/config.js';
import { startFakeHttp, type FakeHttp } from './helpers/fake-http.js';

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('aver-bridge dead-letters', () => {
  let t: ReturnType<typeof tempDir>;
  let fake: FakeHttp;
  let config: string;

  // Two receivers whose endpoint refuses everything (400): each event becomes a dead letter for each.
  before(async () => {
    t = tempDir();
    fake = await startFakeHttp(() => ({ status: 400 }));
    const bridge = await startBridge(`
aver:
  webhook:
    secrets: ["${WEBHOOK_SECRET}"]
delivery:
  pollInterval: 20ms
receivers:
  - name: alpha
    webhook: { url: "${fake.url}/alpha" }
  - name: beta
    webhook: { url: "${fake.url}/beta" }
route:
  receiver: alpha
  routes:
    - receiver: alpha
      continue: true
    - receiver: beta
`, { dir: t.dir });
    try {
      for (const id of ['dl-1', 'dl-2']) {
        const res = await postWebhook(`${bridge.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g-1', status: 'Rejected' } }, { authorization: WEBHOOK_SECRET });
        expect(res.status).to.equal(202);
      }
      await waitFor(async () => (await bridge.bridge.store.listJobs({ state: 'dead', limit: 10 })).length === 4, 'four dead letters');
    } finally {
      await bridge.stop();
    }
    config = join(t.dir, 'aver-bridge.yaml');
  });
  after(async () => {
    await fake?.close();
    t?.cleanup();
  });

  it('list --receiver NAME lists only that receiver\'s dead letters', async () => {
    const all = await cli(['dead-letters', 'list', '--config', config]);
    expect(all.code, all.stderr).to.equal(0);
    expect(all.stdout.split('\n')).to.have.length(4);
    const alpha = await cli(['dead-letters', 'list', '--receiver', 'alpha', '--config', config]);
    const lines = alpha.stdout.split('\n');
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line.split('  ')[2]).to.equal('alpha');
    expect(lines.map((l) => / LiveCheck (dl-\d) /.exec(l)?.[1]).sort()).to.deep.equal(['dl-1', 'dl-2']);
    const json = await cli(['dead-letters', 'list', '--receiver', 'beta', '--json', '--config', config]);
    expect((JSON.parse(json.stdout) as Array<{ receiver: string }>).map((j) => j.receiver)).to.deep.equal(['beta', 'beta']);
  });

  it('list --receiver with a name the config lacks says so (a removed receiver\'s letters would still be listed)', async () => {
    const r = await cli(['dead-letters', 'list', '--receiver', 'gamma', '--config', config]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`no dead letters for receiver "gamma" (${config} has no receiver "gamma"; its receivers: alpha, beta)`);
  });

  it('list shows when each died as ISO 8601 in UTC', async () => {
    const r = await cli(['dead-letters', 'list', '--config', config]);
    for (const line of r.stdout.split('\n')) expect(line.split('  ')[1]).to.match(ISO_UTC);
  });

  it('show prints the dead letter for people: times in ISO 8601 UTC, never epoch milliseconds; --json the record', async () => {
    const id = /^#(\d+)/.exec((await cli(['dead-letters', 'list', '--receiver', 'beta', '--config', config])).stdout)![1];
    const r = await cli(['dead-letters', 'show', id, '--config', config]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).to.equal(`Dead letter #${id} for receiver "beta"`);
    for (const field of ['Received', 'Queued', 'Dead since']) {
      const line = lines.find((l) => l.trimStart().startsWith(`${field}:`));
      expect(line?.split(/:\s+/)[1], field).to.match(ISO_UTC);
    }
    expect(lines.find((l) => l.includes('Reason:'))).to.match(/rejected the message \(400\)/);
    expect(lines.find((l) => /^\s+1\. /.test(l))).to.match(/^\s+1\. \S+Z {2}failed {2}clientError {2}/);
    expect(r.stdout).to.not.match(/\b1\d{12}\b/);
    const json = await cli(['dead-letters', 'show', id, '--json', '--config', config]);
    expect(JSON.parse(json.stdout)).to.include({ id: Number(id), state: 'dead', receiver: 'beta' });
  });

  it('show and list write times in display.timeZone when the config sets one, with its offset', async () => {
    const berlin = join(t.dir, 'berlin.yaml');
    writeFileSync(berlin, `${readFileSync(config, 'utf8')}\ndisplay: { timeZone: Europe/Berlin }\n`);
    const list = await cli(['dead-letters', 'list', '--config', berlin]);
    expect(list.code, list.stderr).to.equal(0);
    const id = /^#(\d+)/.exec(list.stdout)![1];
    const when = list.stdout.split('\n')[0].split('  ')[1];
    expect(when).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/);
    const shown = await cli(['dead-letters', 'show', id, '--config', berlin]);
    expect(shown.stdout).to.contain(`Dead since:  ${when}`);
  });

  it('retry --all --receiver NAME queues only that receiver\'s dead letters again', async () => {
    const r = await cli(['dead-letters', 'retry', '--all', '--receiver', 'alpha', '--config', config]);
    expect(r).to.deep.include({ code: 0, stdout: '2 dead letter(s) queued again for receiver "alpha"' });
    const left = await cli(['dead-letters', 'list', '--config', config]);
    expect(left.stdout.split('\n').map((l) => l.split('  ')[2])).to.deep.equal(['beta', 'beta']);
  });

  const misuse: Array<[argv: string[], line: string]> = [
    [['show'], "aver-bridge: dead-letters show needs the dead letter's ID, e.g. dead-letters show 42"],
    [['show', '#3'], 'aver-bridge: a dead letter\'s ID is a number, as "dead-letters list" shows it (#42 is 42); got "#3"'],
    [['retry'], "aver-bridge: dead-letters retry needs the dead letter's ID (or --all), e.g. dead-letters retry 42"],
    [['retry', '3', '--receiver', 'alpha'], 'aver-bridge: --receiver goes with dead-letters list and dead-letters retry --all'],
    [['purge'], 'aver-bridge: dead-letters purge needs --older-than, e.g. --older-than 7d'],
    [['purge', '--older-than', 'a week'], 'aver-bridge: --older-than: not a duration: "a week" (use e.g. 10s, 5m, 24h, 7d)'],
    [['list', '--older-than', '7d'], 'aver-bridge: --older-than goes with dead-letters purge'],
    [['frob'], 'aver-bridge: unknown dead-letters command "frob": use list, show ID, retry ID, retry --all or purge --older-than AGE'],
  ];
  for (const [argv, line] of misuse) {
    it(`dead-letters ${argv.join(' ')}: exits 2 with one line and the usage`, async () => {
      const r = await cli(['dead-letters', ...argv, '--config', config]);
      expect(r.code).to.equal(2);
      expect(r.stderr.split('\n')[0]).to.equal(line);
      expect(r.stderr.split('\n')[1]).to.match(/^Usage: aver-bridge dead-letters /);
    });
  }
});

describe('formatTime (times the CLI shows)', () => {
  const T = Date.UTC(2026, 4, 1, 9, 30, 12, 345);
  it('is ISO 8601 to the second: UTC with a Z by default', () => {
    expect(formatTime(T)).to.equal('2026-05-01T09:30:12Z');
  });
  it('in a display zone, with its offset (summer and winter, and a zone at offset zero)', () => {
    expect(formatTime(T, 'Europe/Berlin')).to.equal('2026-05-01T11:30:12+02:00');
    expect(formatTime(Date.UTC(2026, 0, 15, 23, 5, 0), 'Europe/Berlin')).to.equal('2026-01-16T00:05:00+01:00');
    expect(formatTime(Date.UTC(2026, 0, 15, 23, 5, 0), 'Europe/London')).to.equal('2026-01-15T23:05:00+00:00');
    expect(formatTime(T, 'America/New_York')).to.equal('2026-05-01T05:30:12-04:00');
  });
  it('shows ? for a time that is not one', () => {
    expect(formatTime(Number.NaN)).to.equal('?');
  });
});
