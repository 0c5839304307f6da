import { expect } from 'chai';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { main } from '../src/cli.js';
import { COMMANDS } from '../src/cli/commands.js';
import { startBridge, tempDir } from './helpers/bridge.js';
import { MINIMAL_YAML } from './helpers/config.js';

const EXAMPLE = 'examples/aver-bridge.yaml';
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

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

    it('--version prints package.json\'s version and exits 0', async () => {
      const r = await inProcess(['--version']);
      expect(r).to.deep.equal({ code: 0, stdout: PACKAGE.version, stderr: '' });
    });

    it('help and --help list every command with its synopsis, and exit 0', async () => {
      for (const argv of [['help'], ['--help'], ['-h']]) {
        const r = await inProcess(argv);
        expect(r.code, argv.join(' ')).to.equal(0);
        expect(r.stderr).to.equal('');
        for (const c of COMMANDS) {
          expect(r.stdout, c.name).to.contain(`  ${c.name}  `);
          for (const u of c.usage) expect(r.stdout).to.contain(`aver-bridge ${u}`);
        }
      }
    });

    for (const c of COMMANDS) {
      it(`help ${c.name} and ${c.name} --help print its usage and every option it takes`, async () => {
        const viaHelp = await inProcess(['help', ...c.name.split(' ')]);
        const viaFlag = await inProcess([...c.name.split(' '), '--help']);
        expect(viaHelp.code).to.equal(0);
        expect(viaFlag).to.deep.equal(viaHelp);
        expect(viaHelp.stdout.split('\n')[0]).to.equal(`Usage: aver-bridge ${c.usage[0]}`);
        for (const o of c.options) expect(viaHelp.stdout, `--${o}`).to.match(new RegExp(`^ +(-., )?--${o}\\b`, 'm'));
      });
    }

    // One line saying what is wrong, then the usage; exit 2; never a stack trace.
    const usageErrors: Array<[argv: string[], line: string, usage: string]> = [
      [['--conifg', 'x'], 'aver-bridge: unknown option --conifg (did you mean --config?)', 'Usage:'],
      [['nosuch'], 'aver-bridge: unknown command "nosuch"', 'Usage:'],
      [['chek-config'], 'aver-bridge: unknown command "chek-config" (did you mean "check-config"?)', 'Usage:'],
      [['routes'], 'aver-bridge: unknown command "routes" (did you mean "routes test"?)', 'Usage:'],
      [['help', 'nosuch'], 'aver-bridge: unknown command "nosuch"', 'Usage:'],
      [['check-config', '--conifg', 'x'], 'aver-bridge: unknown option --conifg (did you mean --config?)', 'Usage: aver-bridge check-config'],
      [['check-config', '--url', 'x'], 'aver-bridge: check-config does not take --url', 'Usage: aver-bridge check-config'],
      [['check-config', 'extra'], 'aver-bridge: check-config takes no arguments; got "extra"', 'Usage: aver-bridge check-config'],
      [['serve', '--config'], 'aver-bridge: --config needs a value: --config FILE', 'Usage: aver-bridge [serve]'],
      [['dead-letters', '--json=yes'], 'aver-bridge: --json takes no value (got --json=yes)', 'Usage: aver-bridge dead-letters'],
      [['-x'], 'aver-bridge: unknown option -x', 'Usage: aver-bridge [serve]'],
      [['send-test'], 'aver-bridge: send-test needs --url, e.g. --url http://localhost:8080/webhooks/aver', 'Usage: aver-bridge send-test'],
    ];
    for (const [argv, line, usage] of usageErrors) {
      it(`${argv.join(' ')}: exits 2 with "${line}" and the usage`, async () => {
        const r = await inProcess(argv);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal('');
        const [first, ...rest] = r.stderr.split('\n');
        expect(first).to.equal(line);
        expect(rest.join('\n')).to.match(new RegExp(`^${usage.replace(/[[\]]/g, '\\$&')}`));
        expect(r.stderr).to.not.match(/^\s+at /m);
      });
    }
  });
});
