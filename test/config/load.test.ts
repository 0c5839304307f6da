import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configPath, loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../src/errors.js';
import { tempDir } from '../helpers/bridge.js';
import { MINIMAL_YAML } from '../helpers/config.js';

/** MINIMAL_YAML under a server section: line 3 is `aver:`, the line numbers the tests below expect. */
const BASE = `server:
  port: 8080${MINIMAL_YAML}`;

/** Parses and expects a ConfigError; returns it for the assertions on its problems. */
function problemsOf(yaml: string, env: NodeJS.ProcessEnv = {}): { error: ConfigError; problems: ConfigProblem[] } {
  try {
    parseConfig(yaml, 'test.yaml', env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const error = err as ConfigError;
    expect(error.code).to.equal('config_invalid');
    return { error, problems: error.problems };
  }
  expect.fail('the config was accepted');
}

/** Expects exactly one problem, at that path and line, whose message matches and that has a hint. */
function expectProblem(yaml: string, want: { path: string; line: number; message: RegExp; hint?: RegExp }, env: NodeJS.ProcessEnv = {}): ConfigError {
  const { error, problems } = problemsOf(yaml, env);
  const found = problems.find((p) => p.path === want.path);
  expect(found, `no problem at ${want.path}: ${error.message}`).to.not.equal(undefined);
  expect(found!.message).to.match(want.message);
  expect(found!.line, error.message).to.equal(want.line);
  expect(found!.hint, `no hint: ${error.message}`).to.be.a('string').and.not.equal('');
  if (want.hint) expect(found!.hint).to.match(want.hint);
  // The rendered message names the file, the line and the path.
  expect(error.message).to.contain('test.yaml').and.contain(`line ${want.line}, ${want.path}: `);
  return error;
}

describe('config/load', () => {
  it('loads the minimal config with its defaults', () => {
    const c = parseConfig(BASE, 'test.yaml', {});
    expect(c.server).to.include({ host: '0.0.0.0', port: 8080, requestTimeoutMs: 10_000, maxConnections: 1024, trustProxy: false });
    expect(c.aver.webhook).to.deep.include({ path: '/webhooks/aver', header: 'authorization', secrets: ['s3cret-value'], maxBodyBytes: 65536, dedupWindowMs: 86_400_000, allowUnauthenticated: false });
    expect(c.storage.url).to.equal('sqlite:./data/aver-bridge.db');
    expect(c.log.level).to.equal('info');
    expect(c.route).to.deep.equal({ receiver: 'ops', matchers: [], continue: false, routes: [] });
  });

  it('loads examples/aver-bridge.yaml', () => {
    const c = loadConfig('examples/aver-bridge.yaml', {});
    expect(c.receivers.map((r) => r.name)).to.deep.equal(['ops-console', 'compliance-console']);
    expect(c.aver.webhook.secrets).to.deep.equal(['dev-secret']);
  });

  describe('errors name the YAML path and line, and say how to fix it', () => {
    it('an unknown key, at the key itself', () => {
      const yaml = BASE.replace('    secrets:', '    maxBodyBytes: 1024\n    secretz: ["x"]\n    secrets:');
      expectProblem(yaml, { path: 'aver.webhook.secretz', line: 6, message: /unknown key "secretz"/, hint: /spelling/ });
    });

    it('an unknown top-level key', () => {
      expectProblem(`${BASE}routes: []\n`, { path: 'routes', line: 11, message: /unknown key "routes"/ });
    });

    it('a receiver used in a route but not defined', () => {
      const yaml = `${BASE}  routes:\n    - matchers: ['status = "Rejected"']\n      receiver: x\n`;
      expectProblem(yaml, { path: 'route.routes[0].receiver', line: 13, message: /^undefined receiver "x" used in route$/, hint: /ops/ });
    });

    it('a root receiver that is not defined', () => {
      expectProblem(BASE.replace('receiver: ops', 'receiver: nope'), { path: 'route.receiver', line: 10, message: /undefined receiver "nope" used in route/ });
    });

    it('duplicate receiver names', () => {
      const yaml = BASE.replace('route:', '  - name: ops\n    console: {}\nroute:');
      expectProblem(yaml, { path: 'receivers[1].name', line: 9, message: /receiver name "ops" is used twice/, hint: /unique/ });
    });

    it('a regex that does not compile', () => {
      const yaml = `${BASE}  routes:\n    - matchers: ['type = "LiveCheck"', 'status =~ "Rejected|(Failed"']\n      receiver: ops\n`;
      // Alertmanager's own message for it (Go's regexp, through the classic parser's fallback).
      expectProblem(yaml, { path: 'route.routes[0].matchers[1]', line: 12, message: /^invalid regular expression in matcher "status =~ \\"Rejected\|\(Failed\\"": error parsing regexp: missing closing \): `\^\(\?:Rejected\|\(Failed\)\$`$/, hint: /regular expression/ });
    });

    it('a matcher that cannot be parsed, with Alertmanager\'s reason', () => {
      // `status == Rejected` is not here: Alertmanager's classic parser reads it (status = "= Rejected").
      const yaml = `${BASE}  routes:\n    - matchers: ['status ~ Rejected']\n      receiver: ops\n`;
      expectProblem(yaml, { path: 'route.routes[0].matchers[0]', line: 12, message: /^cannot parse matcher "status ~ Rejected": bad matcher format: status ~ Rejected$/, hint: /=~/ });
    });

    it('matchers or continue on the root route (it is the default and must match everything)', () => {
      const { problems } = problemsOf(BASE.replace('  receiver: ops', '  receiver: ops\n  matchers: [\'status = "Rejected"\']\n  continue: true'));
      expect(problems.map((p) => p.path)).to.have.members(['route.matchers', 'route.continue']);
      for (const p of problems) expect(p.hint).to.be.a('string');
    });

    it('an environment variable that is not set', () => {
      const yaml = BASE.replace('["s3cret-value"]', '["${NOPE}"]');
      expectProblem(yaml, { path: 'aver.webhook.secrets[0]', line: 5, message: /environment variable NOPE is not set/, hint: /NOPE/ });
    });

    it('a duration that is not one', () => {
      const yaml = BASE.replace('    secrets:', '    dedupWindow: 24 hours\n    secrets:');
      expectProblem(yaml, { path: 'aver.webhook.dedupWindow', line: 5, message: /not a duration/, hint: /24h/ });
    });

    it('a value not in an enum lists the allowed ones', () => {
      const { problems } = problemsOf(`${BASE}log:\n  level: verbose\n`);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include({ path: 'log.level', line: 12 });
      expect(problems[0].message).to.contain('"debug"').and.contain('"info"');
    });

    it('server.requestTimeout 0 (no limit at all) is refused', () => {
      expectProblem(BASE.replace('port: 8080', 'port: 8080\n  requestTimeout: 0'), { path: 'server.requestTimeout', line: 3, message: /above 0/, hint: /10s/ });
    });

    it('a wrong type', () => {
      const { problems } = problemsOf(BASE.replace('port: 8080', 'port: eighty'));
      expect(problems[0]).to.include({ path: 'server.port', line: 2 });
      expect(problems[0].message).to.match(/integer/);
    });

    it('a YAML syntax error, with its line', () => {
      const { problems } = problemsOf(BASE.replace('  receiver: ops', '  receiver: [ops'));
      expect(problems[0].message).to.match(/^YAML syntax/);
      expect(problems[0].line).to.be.a('number');
    });

    it('reports every problem at once', () => {
      const yaml = BASE.replace('["s3cret-value"]', '["${NOPE}"]').replace('receiver: ops', 'receiver: x');
      const { problems } = problemsOf(yaml);
      expect(problems.map((p) => p.path)).to.include.members(['aver.webhook.secrets[0]']);
    });

    it('a file that cannot be read', () => {
      expect(() => loadConfig('/nonexistent/aver-bridge.yaml', {})).to.throw(ConfigError, /cannot read the config file: ENOENT.*--config/);
    });
  });

  describe('environment expansion', () => {
    it('expands ${VAR} and ${VAR:-default}, and $$ is a literal $', () => {
      // split/join: String.replace would itself turn $$ into $.
      const yaml = BASE.split('["s3cret-value"]').join('["${SECRET_A}", "${SECRET_B:-fallback}", "${SECRET_C:-unused}", "pa$$word", "$${NOT_EXPANDED}"]');
      const c = parseConfig(yaml, 'test.yaml', { SECRET_A: 'from-env', SECRET_C: 'set' });
      expect(c.aver.webhook.secrets).to.deep.equal(['from-env', 'fallback', 'set', 'pa$word', '${NOT_EXPANDED}']);
    });

    it('an unset variable deep in a flow mapping, named by its full path', () => {
      const yaml = BASE.replace('    console: {}', '    webhook: { url: "https://example.com/h", headers: { x-token: "${HOOK_TOKEN}" } }');
      expectProblem(yaml, { path: 'receivers[0].webhook.headers.x-token', line: 8, message: /HOOK_TOKEN is not set/ });
    });

    it('an empty variable counts as unset', () => {
      expectProblem(BASE.replace('["s3cret-value"]', '["${EMPTY}"]'), { path: 'aver.webhook.secrets[0]', line: 5, message: /EMPTY is not set/ }, { EMPTY: '' });
    });

    it('a number written through a variable is a number', () => {
      const c = parseConfig(BASE.replace('port: 8080', 'port: ${APP_PORT:-9090}').replace('["s3cret-value"]', '["s"]\n    maxBodyBytes: ${MAX}'), 'test.yaml', { MAX: '2048' });
      expect(c.server.port).to.equal(9090);
      expect(c.aver.webhook.maxBodyBytes).to.equal(2048);
    });

    it('env PORT overrides server.port', () => {
      expect(parseConfig(BASE, 'test.yaml', { PORT: '9999' }).server.port).to.equal(9999);
    });

    it('env PORT that is not a port is an error, not ignored', () => {
      for (const PORT of ['abc', '70000']) {
        const { problems } = problemsOf(BASE, { PORT });
        expect(problems[0].path).to.equal('PORT');
        expect(problems[0].hint).to.be.a('string');
      }
    });

    it('env LOG_LEVEL overrides log.level, and must be a level', () => {
      expect(parseConfig(`${BASE}log:\n  level: warn\n`, 'test.yaml', { LOG_LEVEL: 'debug' }).log.level).to.equal('debug');
      expect(parseConfig(`${BASE}log:\n  level: warn\n`, 'test.yaml', {}).log.level).to.equal('warn');
      const { problems } = problemsOf(BASE, { LOG_LEVEL: 'verbose' });
      expect(problems[0].path).to.equal('LOG_LEVEL');
      expect(problems[0].message).to.contain('"debug"');
    });

    it('configPath: --config, else AVER_BRIDGE_CONFIG, else ./aver-bridge.yaml', () => {
      expect(configPath('a.yaml', { AVER_BRIDGE_CONFIG: 'b.yaml' })).to.equal('a.yaml');
      expect(configPath(undefined, { AVER_BRIDGE_CONFIG: 'b.yaml' })).to.equal('b.yaml');
      expect(configPath(undefined, {})).to.equal('./aver-bridge.yaml');
    });
  });

  describe('…File twins', () => {
    let t: ReturnType<typeof tempDir>;
    beforeEach(() => { t = tempDir(); });
    afterEach(() => t.cleanup());

    it('reads slack.botTokenFile, without its trailing newline', () => {
      const file = join(t.dir, 'bot-token');
      writeFileSync(file, 'xoxb-from-file\n');
      const c = parseConfig(`${BASE}slack:\n  botTokenFile: ${file}\n`, 'test.yaml', {});
      expect(c.slack!.botToken).to.equal('xoxb-from-file');
    });

    it('reads several webhook secrets from secretsFile, one a line', () => {
      const file = join(t.dir, 'secrets');
      writeFileSync(file, 'first\n\n  second  \r\nthird\n');
      const c = parseConfig(BASE.replace('secrets: ["s3cret-value"]', `secretsFile: ${file}`), 'test.yaml', {});
      expect(c.aver.webhook.secrets).to.deep.equal(['first', 'second', 'third']);
    });

    it('both a key and its …File set is an error', () => {
      const file = join(t.dir, 'bot-token');
      writeFileSync(file, 'xoxb-from-file');
      expectProblem(`${BASE}slack:\n  botToken: xoxb-inline\n  botTokenFile: ${file}\n`, { path: 'slack.botTokenFile', line: 13, message: /set botToken or botTokenFile, not both/ });
    });

    it('both secrets and secretsFile set is an error (a forgotten inline default would stay accepted)', () => {
      const file = join(t.dir, 'secrets');
      writeFileSync(file, 'from-file');
      expectProblem(BASE.replace('secrets: ["s3cret-value"]', `secrets: ["dev-secret"]\n    secretsFile: ${file}`), { path: 'aver.webhook.secretsFile', line: 6, message: /not both/ });
    });

    it('admin.token and admin.tokenFile both set is an error', () => {
      const file = join(t.dir, 'admin-token');
      writeFileSync(file, 'admin-token-from-file-0123\n');
      expectProblem(`${BASE}admin:\n  token: admin-token-inline-0123\n  tokenFile: ${file}\n`, { path: 'admin.tokenFile', line: 13, message: /set token or tokenFile, not both/ });
    });

    it('an admin token shorter than 16 characters is refused, without showing it; 16 are enough', () => {
      const error = expectProblem(`${BASE}admin:\n  token: hunter2-admin\n`, { path: 'admin.token', line: 12, message: /13 characters long; it must have at least 16/, hint: /openssl rand -hex 32/ });
      expect(error.message).not.to.contain('hunter2');
      const file = join(t.dir, 'short-admin-token');
      writeFileSync(file, 'short\n');
      expectProblem(`${BASE}admin:\n  tokenFile: ${file}\n`, { path: 'admin.tokenFile', line: 12, message: /5 characters long/ });
      expect(parseConfig(`${BASE}admin:\n  token: ${'x'.repeat(16)}\n`, 'test.yaml', {}).admin.token).to.equal('x'.repeat(16));
    });

    it('a …File that cannot be read names the path and how to fix it', () => {
      expectProblem(`${BASE}slack:\n  botTokenFile: ${join(t.dir, 'missing')}\n`, { path: 'slack.botTokenFile', line: 12, message: /cannot read .*missing: ENOENT/ });
    });
  });

  describe('secrets never appear in a ConfigError', () => {
    const SECRETS = ['s3cret-value', 'xoxb-1111-2222-abcdefSECRET', 'hook-token-SECRET', 'url-token-SECRET', 'pw-SECRET'];
    const broken: Array<[string, string]> = [
      ['a webhook secret in a list that is not one', BASE.replace('secrets: ["s3cret-value"]', 'secrets: s3cret-value')],
      ['a Slack token under a mistyped key', `${BASE}slack:\n  botTokn: xoxb-1111-2222-abcdefSECRET\n`],
      ['a Slack token of the wrong type', `${BASE}slack:\n  botToken: [xoxb-1111-2222-abcdefSECRET]\n`],
      ['a header token next to an unknown key', BASE.replace('    console: {}', '    webhook: { url: "https://example.com/h", headers: { x-token: hook-token-SECRET }, bogus: 1 }')],
      ['a webhook URL with a token that is not http(s)', BASE.replace('    console: {}', '    webhook: { url: "ftp://example.com/url-token-SECRET" }')],
      ['a Teams password of the wrong type', `${BASE}teams:\n  appId: abc\n  appPassword: { value: pw-SECRET }\n`],
      ['a YAML syntax error on the secret line', BASE.replace('["s3cret-value"]', '["s3cret-value"')],
      ['a secret followed by a tab error', BASE.replace('["s3cret-value"]', '"s3cret-value" : : x')],
    ];
    for (const [name, yaml] of broken) {
      it(name, () => {
        const { error } = problemsOf(yaml);
        for (const s of SECRETS) expect(error.message).to.not.contain(s);
        for (const p of error.problems) for (const s of SECRETS) expect(JSON.stringify(p)).to.not.contain(s);
      });
    }
  });
});
