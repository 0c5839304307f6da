import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { MINIMAL_YAML, WEBHOOK_SECRET } from '../helpers/config.js';
import { alertExamples } from '../helpers/markdown.js';
import { scrape } from './prom-text.js';

/** promtool comes with Prometheus (Debian: apt-get install prometheus); the check is skipped without it. */
function promtoolPresent(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('GET /metrics, as promtool check metrics reads it', () => {
  let t: TestBridge | undefined;
  after(async () => {
    await t?.stop();
  });

  it('reports nothing: no lint problem in any family (a delivered webhook, so histograms have samples)', async function () {
    if (!promtoolPresent()) {
      console.log('      (skipped: promtool is not on PATH; apt-get install prometheus brings it)');
      this.skip();
    }
    t = await startBridge(MINIMAL_YAML);
    const res = await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'promtool-1', groupId: 'g-1', status: 'Completed' } }, { authorization: WEBHOOK_SECRET });
    expect(res.status).to.equal(202);
    await waitFor(() => t!.consoleLines.length === 1, 'the event delivered');
    const { text } = await scrape(t.url);
    expect(text).to.include('aver_bridge_delivery_attempt_duration_seconds_bucket');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr, 'promtool check metrics').to.equal('');
    expect(check.status).to.equal(0);
  });
});

describe('the alert examples in README.md and docs/, as promtool check rules reads them', () => {
  it('are valid rule files', function () {
    if (!promtoolPresent()) {
      console.log('      (skipped: promtool is not on PATH; apt-get install prometheus brings it)');
      this.skip();
    }
    const dir = tempDir();
    try {
      const rules = alertExamples();
      expect(rules).to.not.have.length(0);
      rules.forEach((text, i) => {
        const file = join(dir.dir, `rules-${i}.yaml`);
        writeFileSync(file, text);
        const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
        expect(check.status, check.stdout + check.stderr).to.equal(0);
      });
    } finally {
      dir.cleanup();
    }
  });
});
