import { expect } from 'chai';
import { UsageError } from '../src/cli/command.js';
import { describeError } from '../src/cli/describe-error.js';
import { BridgeError, ConfigError } from '../src/errors.js';

/** A Node system error as `listen`, `open` or a driver throws it. */
function systemError(message: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(message), extra);
}

describe('describeError (what the CLI prints when a command fails)', () => {
  it('a usage error: "aver-bridge: " and the message, then the usage; exit 2', () => {
    expect(describeError(new UsageError('unknown option --x', 'Usage: aver-bridge [serve]'))).to.deep.equal({ text: 'aver-bridge: unknown option --x\nUsage: aver-bridge [serve]', exitCode: 2 });
  });

  it('a config error: every problem, as the message lists them; exit 1', () => {
    const err = new ConfigError([{ path: 'route.receiver', line: 3, message: 'undefined receiver "x"', hint: 'define it' }], 'a.yaml');
    expect(describeError(err)).to.deep.equal({ text: err.message, exitCode: 1 });
  });

  it('a BridgeError: its code and message on one line; exit 1', () => {
    expect(describeError(new BridgeError('slack_auth_failed', 'Slack rejected the bot token:\nset slack.botToken'))).to.deep.equal({ text: 'slack_auth_failed: Slack rejected the bot token: set slack.botToken', exitCode: 1 });
  });

  const unexpected: Array<[what: string, err: unknown, code: string, hint: RegExp]> = [
    ['a port in use', systemError('listen EADDRINUSE: address already in use 0.0.0.0:8080', { code: 'EADDRINUSE', syscall: 'listen' }), 'EADDRINUSE', /set server\.port \(or PORT\)/],
    ['a privileged port', systemError('listen EACCES: permission denied 0.0.0.0:80', { code: 'EACCES', syscall: 'listen' }), 'EACCES', /port 1024 or above/],
    ['a file it may not open', systemError("EACCES: permission denied, open '/data/x.db'", { code: 'EACCES', syscall: 'open' }), 'EACCES', /owner and permissions/],
    ['an SQLite file that cannot be opened', systemError('unable to open database file', { code: 'SQLITE_CANTOPEN' }), 'SQLITE_CANTOPEN', /folder in storage\.url exists/],
    ['a native module built for another Node.js', systemError('The module was compiled against a different Node.js version', { code: 'ERR_DLOPEN_FAILED' }), 'ERR_DLOPEN_FAILED', /npm rebuild better-sqlite3/],
    ['no native module at all (bindings)', Object.assign(new Error('Could not locate the bindings file. Tried:\n → /a/build/better_sqlite3.node\n → /b'), { tries: ['/a', '/b'] }), 'internal_error', /npm rebuild better-sqlite3/],
    ['fetch refused (the code in its cause)', new TypeError('fetch failed', { cause: systemError('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }) }), 'ECONNREFUSED', /nothing answers at that address/],
    ['anything else', new Error('boom'), 'internal_error', /report it/],
    ['something thrown that is not an Error', 'a string', 'internal_error', /report it/],
  ];
  for (const [what, err, code, hint] of unexpected) {
    it(`${what}: one line, "${code}: message (what to do)"; exit 1`, () => {
      const { text, exitCode } = describeError(err);
      expect(exitCode).to.equal(1);
      expect(text).to.not.include('\n');
      expect(text.startsWith(`${code}: `), text).to.equal(true);
      expect(text).to.match(hint).and.match(/\)$/);
      expect(text).to.not.match(/\bat .*:\d+:\d+/);
    });
  }

  it('masks a password a driver quotes in a URL', () => {
    const { text } = describeError(systemError('cannot connect to postgres://bridge:hunter2@db:5432/x', { code: 'ECONNREFUSED' }));
    expect(text).to.contain('postgres://bridge:***@db:5432/x').and.not.contain('hunter2');
  });
});
