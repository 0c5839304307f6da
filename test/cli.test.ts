import { expect } from 'chai';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { startBridge, tempDir } from './helpers/bridge.js';
import { MINIMAL_YAML } from './helpers/config.js';

const EXAMPLE = 'examples/aver-bridge.yaml';

/** The CLI's main() in this process, for the cases that need no process of their own. */
async function inProcess(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('aver-bridge CLI', () => {
  let t: ReturnType<typeof tempDir>;
  before(() => { t = tempDir(); });
  after(() => t.cleanup());

  describe('main() in process', () => {
    it('routes test: the order of --verify-receivers is part of the answer', async () => {
      const r = await inProcess(['routes', 'test', '--config', EXAMPLE, '--verify-receivers', 'ops-console,compliance-console', 'status=Rejected', 'group=EU onboarding']);
      expect(r.code).to.equal(1);
      expect(r.stdout.split('\n')[0]).to.equal('compliance-console,ops-console');
    });

    it('routes test: an argument that is not label=value exits 1, with Alertmanager\'s reason', async () => {
      const r = await inProcess(['routes', 'test', '--config', EXAMPLE, 'status']);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain('expected label=value, got "status": bad matcher format: status');
    });

    it('routes test: label arguments are read as amtool reads them (quotes and escapes; the classic spelling with a warning)', async () => {
      const quoted = await inProcess(['routes', 'test', '--config', EXAMPLE, 'status="Rejected"', 'group="EU onboarding"']);
      expect(quoted.code, quoted.stderr).to.equal(0);
      expect(quoted.stdout.split('\n')[0]).to.equal('compliance-console,ops-console');
      expect(quoted.stderr).to.equal('');
      const classic = await inProcess(['routes', 'test', '--config', EXAMPLE, 'status=Rejected', 'group=EU onboarding']);
      expect(classic.stdout.split('\n')[0]).to.equal('compliance-console,ops-console');
      expect(classic.stderr).to.match(/^warning: this matcher input is incompatible with the UTF-8 matchers parser.*: "group=EU onboarding" \(write group="EU onboarding"\)$/);
      const escaped = await inProcess(['routes', 'test', '--config', EXAMPLE, 'group="say \\"hi\\""']);
      expect(escaped.stdout.split('\n')[0]).to.equal('ops-console');
    });

    for (const [arg, reason] of [
      ['status!=Rejected', 'labels must be specified as key=value pairs'],
      ['status=~Rej.*', 'labels must be specified as key=value pairs'],
      ['{status=Rejected}', 'unexpected open or close brace: {status=Rejected}'],
      ['status="Rejected', 'matcher value contains unescaped double quote: "Rejected'],
    ]) {
      it(`routes test: ${arg} exits 1: ${reason}`, async () => {
        const r = await inProcess(['routes', 'test', '--config', EXAMPLE, arg]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.equal(`bad_label: expected label=value, got ${JSON.stringify(arg)}: ${reason}`);
      });
    }

    it('check-config: a file that does not exist exits 1', async () => {
      const r = await inProcess(['check-config', '--config', join(t.dir, 'missing.yaml')]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain('cannot read the config file: ENOENT');
    });

    it('send-test: a wrong secret gets 401 and exits 1; the header name is --header', async () => {
      const bridge = await startBridge(MINIMAL_YAML.replace('secrets:', 'header: x-kyc-token\n    secrets:'));
      try {
        const url = `${bridge.url}/webhooks/aver`;
        const wrong = await inProcess(['send-test', '--url', url, '--header', 'X-Kyc-Token', '--secret', 'nope']);
        expect(wrong.code).to.equal(1);
        expect(wrong.stdout).to.match(/^401 \{"error":\{"code":"unauthorized"/);
        const ok = await inProcess(['send-test', '--url', url, '--header', 'X-Kyc-Token', '--secret', 's3cret-value']);
        expect(ok.code, ok.stdout).to.equal(0);
        expect(ok.stdout).to.match(/^202 /);
      } finally {
        await bridge.stop();
      }
    });

    it('send-test without --url exits 2 and says what to pass', async () => {
      const r = await inProcess(['send-test']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('--url');
    });

    it('an unknown command exits 2 with the usage', async () => {
      const r = await inProcess(['frobnicate']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('unknown command: frobnicate').and.contain('Usage:');
    });
  });
});
