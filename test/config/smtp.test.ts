import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { parseConfig } from '../../src/config/load.js';
import { parseAddress } from '../../src/config/smtp.js';
import { ConfigError, type ConfigProblem } from '../../src/errors.js';
import type { Config } from '../../src/model/config.js';
import { tempDir } from '../helpers/bridge.js';

const HEAD = `aver:
  webhook: { secrets: ["s3cret-value"] }
route:
  receiver: mail
`;

/** A config with `smtp` (the block's lines) and one e-mail receiver `mail` (its `email:` lines). */
function yaml(smtp: string | null, email = '      to: ["compliance@example.com"]\n'): string {
  return `${HEAD}${smtp === null ? '' : `smtp:\n${smtp}`}receivers:\n  - name: mail\n    email:\n${email}`;
}

const SMTP = '  url: smtp://mail.example.com\n  from: "Aver <aver@example.com>"\n';

function load(text: string): Config {
  return parseConfig(text, 'test.yaml', {});
}

function problemsOf(text: string): ConfigProblem[] {
  try {
    load(text);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('the config was accepted');
}

describe('config: smtp and e-mail receivers', () => {
  it('reads smtp with its defaults: port 587, STARTTLS required, certificates checked, a pool of 3', () => {
    const config = load(yaml(SMTP));
    expect(config.smtp).to.deep.equal({
      url: 'smtp://mail.example.com', host: 'mail.example.com', port: 587, secure: false, requireTLS: true,
      from: 'Aver <aver@example.com>', tls: { rejectUnauthorized: true }, pool: { maxConnections: 3, maxMessages: 100 },
    });
    expect(config.receivers[0]).to.deep.include({ kind: 'email', email: { to: ['compliance@example.com'], cc: [], bcc: [] } });
  });

  it('reads smtps on 465, a login from a password file, a CA file and every setting', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.dir, 'pw'), 'hunter2\n');
      writeFileSync(join(dir.dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const smtp = `  url: smtps://[::1]\n  user: aver\n  passwordFile: ${join(dir.dir, 'pw')}\n  from: aver@example.com\n  requireTLS: false\n`
        + `  tls: { caFile: ${join(dir.dir, 'ca.pem')}, rejectUnauthorized: false }\n  pool: { maxConnections: 1, maxMessages: 5 }\n`;
      const config = load(yaml(smtp, '      to: []\n      cc: ["Ops <ops@example.com>"]\n      bcc: ["archive@example.com"]\n      subject: "{{ emoji }} {{ subject }}"\n'));
      expect(config.smtp).to.deep.include({ host: '::1', port: 465, secure: true, requireTLS: false, user: 'aver', password: 'hunter2', pool: { maxConnections: 1, maxMessages: 5 } });
      expect(config.smtp!.tls).to.deep.include({ caFile: join(dir.dir, 'ca.pem'), rejectUnauthorized: false });
      expect(config.smtp!.tls.ca).to.include('BEGIN CERTIFICATE');
      expect(config.receivers[0]).to.deep.include({ email: { to: [], cc: ['Ops <ops@example.com>'], bcc: ['archive@example.com'], subject: '{{ emoji }} {{ subject }}' } });
    } finally {
      dir.cleanup();
    }
  });

  const cases: Array<[what: string, text: string, path: string, line: number, message: RegExp, hint: RegExp]> = [
    ['an http URL', yaml('  url: https://mail.example.com\n  from: a@example.com\n'), 'smtp.url', 6, /must start with smtp:\/\/ or smtps:\/\//, /smtp:\/\/host:587/],
    ['credentials in the URL', yaml('  url: smtp://u:p@mail.example.com\n  from: a@example.com\n'), 'smtp.url', 6, /holds credentials/, /smtp\.user and smtp\.password/],
    ['a URL that is not one', yaml('  url: "mail example"\n  from: a@example.com\n'), 'smtp.url', 6, /not a URL/, /smtps:\/\/host:465/],
    ['a From that is not an address', yaml('  url: smtp://mail.example.com\n  from: "aver at example.com"\n'), 'smtp.from', 7, /"aver at example\.com" is not an e-mail address/, /name@example\.com/],
    ['a user without a password', yaml(`${SMTP}  user: aver\n`), 'smtp.password', 6, /smtp\.user is set but smtp\.password/, /set both/],
    ['a CA file that is not there', yaml(`${SMTP}  tls: { caFile: /nonexistent/ca.pem }\n`), 'smtp.tls.caFile', 8, /cannot read \/nonexistent\/ca\.pem: ENOENT/, /CA certificate/],
    ['a recipient that is not an address', yaml(SMTP, '      to: ["ok@example.com", "ops@@example.com"]\n'), 'receivers[0].email.to[1]', 11, /"ops@@example\.com" is not an e-mail address/, /Display Name <name@example\.com>/],
    ['a bcc with a line break', yaml(SMTP, '      bcc: ["a@example.com\\nBcc: x@example.com"]\n'), 'receivers[0].email.bcc[0]', 11, /is not an e-mail address/, /name@example\.com/],
    ['no recipient at all', yaml(SMTP, '      to: []\n'), 'receivers[0].email', 11, /receiver "mail" has no recipient/, /email\.to/],
    ['no smtp section', yaml(null), 'receivers[0].email', 8, /sends e-mail but there is no top-level smtp section/, /smtp\.url and smtp\.from/],
    ['a subject with an unknown variable', yaml(SMTP, '      to: ["a@example.com"]\n      subject: "{{ headlin }}"\n'), 'receivers[0].email.subject', 12, /subject: unknown variable "headlin"/, /the variables are: type, typeWords/],
    ['a subject that does not parse', yaml(SMTP, '      to: ["a@example.com"]\n      subject: "{% if %}"\n'), 'receivers[0].email.subject', 12, /^subject: /, /fix the Liquid syntax/],
  ];
  for (const [what, text, path, line, message, hint] of cases) {
    it(`refuses ${what}, at its line, saying how to fix it`, () => {
      const found = problemsOf(text).find((p) => p.path === path);
      expect(found, JSON.stringify(problemsOf(text))).to.not.equal(undefined);
      expect(found!.message).to.match(message);
      expect(found!.hint).to.match(hint);
      expect(found!.line).to.equal(line);
    });
  }

  it('refuses unknown keys and a missing url or from (the schema)', () => {
    expect(problemsOf(yaml(`${SMTP}  port: 25\n`)).map((p) => p.message)).to.deep.equal(['unknown key "port"']);
    expect(problemsOf(yaml('  url: smtp://mail.example.com\n')).map((p) => p.message)).to.deep.equal(['missing required key "from"']);
    expect(problemsOf(yaml(SMTP, '      to: ["a@example.com"]\n      reply: x\n')).map((p) => p.message)).to.deep.equal(['unknown key "reply"']);
  });

  it('leaves a config without smtp or e-mail receivers as it was', () => {
    const config = load(`${HEAD.replace('receiver: mail', 'receiver: ops')}receivers:\n  - name: ops\n    console: {}\n`);
    expect(config.smtp).to.equal(undefined);
    expect(Object.keys(config)).to.not.include('smtp');
  });
});

describe('parseAddress', () => {
  const ok: Array<[string, { name?: string; address: string }]> = [
    ['ops@example.com', { address: 'ops@example.com' }],
    ['  Ops Team <ops@example.com> ', { name: 'Ops Team', address: 'ops@example.com' }],
    ['"Compliance, EU" <compliance+eu@mail.example.co.uk>', { name: 'Compliance, EU', address: 'compliance+eu@mail.example.co.uk' }],
    ['<bare@localhost>', { address: 'bare@localhost' }],
    ['jörg@bücher.example', { address: 'jörg@bücher.example' }],
  ];
  for (const [text, parsed] of ok) it(`reads ${JSON.stringify(text)}`, () => expect(parseAddress(text)).to.deep.equal(parsed));
  for (const text of ['ops', 'ops@', '@example.com', 'a b@example.com', 'ops@example..com', 'ops@-example.com', 'Ops <ops@example.com', 'a@example.com\r\nBcc: b@example.com', 'a@b.com, c@d.com', '.a@example.com']) {
    it(`refuses ${JSON.stringify(text)}`, () => expect(parseAddress(text)).to.equal(undefined));
  }
});

describe('check-config on smtp and e-mail receivers', () => {
  it('exits 1 naming each bad address and the URL with its line; exits 0 once fixed', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.dir, 'aver-bridge.yaml');
      writeFileSync(file, yaml('  url: http://mail.example.com\n  from: aver@example.com\n', '      to: ["ops@"]\n'));
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
      expect(await main(['check-config', '--config', file], io)).to.equal(1);
      expect(err.join('\n')).to.include('line 6, smtp.url: smtp.url must start with smtp:// or smtps://, not http://')
        .and.include('line 11, receivers[0].email.to[0]: "ops@" is not an e-mail address');
      writeFileSync(file, yaml(SMTP));
      expect(await main(['check-config', '--config', file], io)).to.equal(0);
      expect(out.join('\n')).to.include(': OK (1 receiver');
    } finally {
      dir.cleanup();
    }
  });
});
