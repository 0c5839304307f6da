import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startBridge, tempDir, waitFor } from './helpers/bridge.js';
import { MINIMAL_YAML } from './helpers/config.js';
import { runCli } from './helpers/server-process.js';

const EXAMPLE = 'examples/aver-bridge.yaml';
const EU = '2d1162b5-0000-0000-0000-000000000000';
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
type Run = Awaited<ReturnType<typeof runCli>>;

describe('aver-bridge CLI', () => {
  let t: ReturnType<typeof tempDir>;
  let broken: string;
  // The processes are slow to start (tsx), so the independent ones run together.
  let help: Run, checkOk: Run, checkBroken: Run, routes: Run, mismatch: Run, version: Run, misspelt: Run, unknown: Run;
  before(async function () {
    this.timeout(60_000);
    t = tempDir();
    broken = join(t.dir, 'broken.yaml');
    writeFileSync(broken, `aver:
  webhook:
    secrets: ["x"]
receivers:
  - name: ops
    console: {}
  - name: ops
    console: {}
route:
  receiver: ops
  routes:
    - matchers: ['status =~ "(Rejected"']
      receiver: nobody
`);
    [help, checkOk, checkBroken, routes, mismatch, version, misspelt, unknown] = await Promise.all([
      runCli(['--help']),
      runCli(['check-config', '--config', EXAMPLE]),
      runCli(['check-config', '--config', broken]),
      runCli(['routes', 'test', '--config', EXAMPLE, '--verify-receivers', 'compliance-console,ops-console', 'type=LiveCheck', 'status=Rejected', `groupId=${EU}`]),
      runCli(['routes', 'test', '--config', EXAMPLE, '--verify-receivers', 'ops-console', 'type=WatchlistSearch', 'status=Failed']),
      runCli(['--version']),
      runCli(['--conifg', 'x']),
      runCli(['nosuch']),
    ]);
  });
  after(() => t.cleanup());

  describe('as a process (node --import tsx src/cli.ts, cwd the repository)', () => {
    it('--help prints the usage of every command and exits 0', () => {
      expect(help.code, help.stderr).to.equal(0);
      for (const cmd of ['serve', 'check-config', 'routes test', '--verify-receivers', 'send-test', '--url']) expect(help.stdout).to.contain(cmd);
    });

    it('--version prints package.json\'s version and exits 0', () => {
      expect(version).to.deep.equal({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: '' });
    });

    it('--conifg x and nosuch: one line naming the mistake, then the usage, on stderr; exit 2; no stack trace', () => {
      for (const [r, line] of [[misspelt, 'aver-bridge: unknown option --conifg (did you mean --config?)'], [unknown, 'aver-bridge: unknown command "nosuch"']] as const) {
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr.split('\n')[0]).to.equal(line);
        expect(r.stderr.split('\n')[1]).to.equal('Usage:');
        expect(r.stderr).to.not.match(/^\s+at |ERR_PARSE_ARGS|node:internal/m);
      }
    });

    it('a port already in use at start-up: one line with the code and what to do; exit 1', async () => {
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      try {
        const port = (busy.address() as AddressInfo).port;
        const file = join(t.dir, 'busy.yaml');
        writeFileSync(file, `${MINIMAL_YAML}\nserver: { host: 127.0.0.1, port: ${port} }\nstorage: { url: "sqlite:${join(t.dir, 'busy.db')}" }\n`);
        const r = await runCli(['serve', '--config', file]);
        expect(r.code).to.equal(1);
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(new RegExp(`^EADDRINUSE: .*127\\.0\\.0\\.1:${port} \\(another process listens on that port: stop it, or set server\\.port \\(or PORT\\) to a free one\\)$`));
      } finally {
        busy.close();
      }
    });

    it('check-config exits 0 on examples/aver-bridge.yaml', () => {
      expect(checkOk.code, checkOk.stderr).to.equal(0);
      expect(checkOk.stdout.trim()).to.equal(`${EXAMPLE}: OK (2 receivers, store sqlite)`);
    });

    it('check-config exits 1 on a broken file, with every problem, its line and how to fix it', () => {
      expect(checkBroken.code).to.equal(1);
      expect(checkBroken.stdout).to.equal('');
      const e = checkBroken.stderr;
      expect(e).to.contain(`${broken}: 3 problems`);
      expect(e).to.contain('line 7, receivers[1].name: receiver name "ops" is used twice (receiver names must be unique)');
      expect(e).to.match(/line 12, route\.routes\[0\]\.matchers\[0\]: invalid regular expression in matcher .* \(fix the regular expression/);
      expect(e).to.contain('line 13, route.routes[0].receiver: undefined receiver "nobody" used in route (define it under receivers, or use one of: ops)');
    });

    it('routes test prints the receivers in tree order, then the path taken; matching --verify-receivers exits 0', () => {
      expect(routes.code, routes.stderr).to.equal(0);
      const lines = routes.stdout.trimEnd().split('\n');
      expect(lines[0]).to.equal('compliance-console,ops-console');
      expect(lines[1]).to.match(/^\s+compliance-console\s+via route\.routes\[0\]\s+\{status =~ "Rejected\|Failed\|Error", group = "EU onboarding"\}$/);
      expect(lines[2]).to.match(/^\s+ops-console\s+via route\.routes\[2\]$/);
      expect(lines).to.have.length(3);
    });

    it('routes test --verify-receivers that differ exits 1, naming both lists', () => {
      expect(mismatch.code).to.equal(1);
      expect(mismatch.stdout.split('\n')[0]).to.equal('compliance-console');
      expect(mismatch.stderr).to.contain('expected receivers "ops-console" do not match the routed receivers "compliance-console"');
    });

    it('send-test posts a sample event that a running bridge accepts with 202, and it is delivered', async function () {
      this.timeout(30_000);
      const bridge = await startBridge(MINIMAL_YAML);
      try {
        const r = await runCli(['send-test', '--url', `${bridge.url}/webhooks/aver`, '--secret', 's3cret-value', 'status=Rejected', 'id=cli-1']);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/^202 \{"accepted":true,"eventId":"[0-9a-f]+"\}/);
        const line = await waitFor(() => bridge.consoleLines.find((l) => l.id === 'cli-1'), 'the sample event delivered');
        expect(line).to.include({ status: 'Rejected', type: 'LiveCheck', receiver: 'ops' });
      } finally {
        await bridge.stop();
      }
    });
  });

  describe('the installed command (bin/aver-bridge.js, reached through a symlink as npm links it)', () => {
    it('without a build (no dist/): one line with the code and what to do; exit 1', () => {
      const pkg = tempDir('aver-bridge-nobuild-');
      try {
        mkdirSync(join(pkg.dir, 'bin'));
        copyFileSync(join(process.cwd(), 'bin', 'aver-bridge.js'), join(pkg.dir, 'bin', 'aver-bridge.js'));
        writeFileSync(join(pkg.dir, 'package.json'), JSON.stringify({ name: 'aver-bridge', type: 'module' }));
        const r = spawnSync(process.execPath, [join(pkg.dir, 'bin', 'aver-bridge.js'), '--version'], { encoding: 'utf8' });
        expect(r.status).to.equal(1);
        expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
        expect(r.stderr).to.match(/^ERR_MODULE_NOT_FOUND: cannot load aver-bridge \(dist\/cli\.js\): .* \(run npm ci, then npm run build; or reinstall aver-bridge\)\n$/);
      } finally {
        pkg.cleanup();
      }
    });

    it('runs the CLI: check-config prints its verdict and exits 0; a bad file exits 1; --version; a usage error exits 2', async function () {
      this.timeout(90_000);
      // A compiled copy laid out as a package: bin/, dist/ (tsc), node_modules → this repository's, and the
      // link npm makes in node_modules/.bin (whose name does not end in .js).
      const pkg = tempDir('aver-bridge-bin-');
      try {
        const repo = process.cwd();
        mkdirSync(join(pkg.dir, 'bin'));
        copyFileSync(join(repo, 'bin', 'aver-bridge.js'), join(pkg.dir, 'bin', 'aver-bridge.js'));
        writeFileSync(join(pkg.dir, 'package.json'), JSON.stringify({ name: 'aver-bridge', version: PACKAGE.version, type: 'module' }));
        symlinkSync(join(repo, 'node_modules'), join(pkg.dir, 'node_modules'));
        execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(pkg.dir, 'dist')], { stdio: 'pipe' });
        const link = join(pkg.dir, 'aver-bridge');
        symlinkSync(join(pkg.dir, 'bin', 'aver-bridge.js'), link);
        const run = (args: string[]) => spawnSync(process.execPath, [link, ...args], { cwd: repo, encoding: 'utf8' });
        const ok = run(['check-config', '--config', EXAMPLE]);
        expect(ok.stdout + ok.stderr).to.contain(`${EXAMPLE}: OK`);
        expect(ok.status).to.equal(0);
        const bad = run(['check-config', '--config', broken]);
        expect(bad.stderr).to.contain('receiver name "ops" is used twice');
        expect(bad.status).to.equal(1);
        expect(run(['--version'])).to.deep.include({ status: 0, stdout: `${PACKAGE.version}\n` });
        const misspelt = run(['--conifg', 'x']);
        expect(misspelt.status).to.equal(2);
        expect(misspelt.stderr.split('\n')[0]).to.equal('aver-bridge: unknown option --conifg (did you mean --config?)');
      } finally {
        pkg.cleanup();
      }
    });
  });
});
