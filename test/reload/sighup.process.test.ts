import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, waitFor } from '../helpers/bridge.js';
import type { LogRecord } from '../helpers/logger.js';
import { scrape, valueOf } from '../metrics/prom-text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('SIGHUP reloads the config of a running server (real process)', function () {
  // Starting node with tsx takes a few seconds on a busy machine.
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let temp: ReturnType<typeof tempDir>;
  let out = '';

  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    temp?.cleanup();
  });

  it('swaps in an edited file on SIGHUP, and keeps it when the next edit is bad', async () => {
    temp = tempDir();
    const file = join(temp.dir, 'aver-bridge.yaml');
    const config = (extra: string) => `
server: { host: 127.0.0.1, port: 0 }
aver:
  webhook:
    secrets: ["s3cret-value"]
storage: { url: "sqlite:${join(temp.dir, 'bridge.db')}" }
receivers:
  - name: ops
    console: {}
${extra}
route:
  receiver: ops
`;
    const first = config('');
    writeFileSync(file, first);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_PRETTY: '1', LOG_LEVEL: 'info' };
    delete env.PORT;
    delete env.AVER_BRIDGE_CONFIG;
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'serve', '--config', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const logLines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogRecord & { port?: number });

    const listening = (await waitFor(() => logLines().find((l) => l.msg === 'aver-bridge listening'), `the server to listen (output: ${out})`, 15_000));
    const url = `http://127.0.0.1:${listening.port}`;
    const initial = await scrape(url);
    expect(valueOf(initial.samples, 'aver_bridge_config_hash', { hash: hashOf(first) })).to.equal(1);

    const second = config('  - name: audit\n    console: {}');
    writeFileSync(file, second);
    child.kill('SIGHUP');
    const reloaded = (await waitFor(async () => {
      const { samples } = await scrape(url);
      return valueOf(samples, 'aver_bridge_config_hash', { hash: hashOf(second) }) === 1 ? samples : undefined;
    }, 'the new config hash in /metrics'));
    expect(valueOf(reloaded, 'aver_bridge_config_last_reload_successful')).to.equal(1);
    expect(valueOf(reloaded, 'aver_bridge_config_hash', { hash: hashOf(first) })).to.equal(undefined);
    expect(await waitFor(() => logLines().find((l) => l.msg === 'configuration reloaded'), 'the reload in the log')).to.include({ hash: hashOf(second) });

    writeFileSync(file, second.replace('receiver: ops', 'receiver: nowhere'));
    child.kill('SIGHUP');
    const failed = (await waitFor(async () => {
      const { samples } = await scrape(url);
      return valueOf(samples, 'aver_bridge_config_last_reload_successful') === 0 ? samples : undefined;
    }, 'the failed reload in /metrics'));
    expect(valueOf(failed, 'aver_bridge_config_hash', { hash: hashOf(second) })).to.equal(1);
    // The log line travels through a pipe: it may arrive after /metrics has answered.
    const error = await waitFor(() => logLines().find((l) => l.msg === 'reload failed; keeping the old configuration'), 'the reload error in the log');
    expect(error.err?.message).to.include('nowhere');

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
    expect(code).to.equal(0);
  });
});
