import { expect } from 'chai';
import { parseCommandLine } from '../src/cli/parse-command-line.js';
import { main } from '../src/cli.js';
import { ConfigError } from '../src/errors.js';
import { createLogger, resolveLogFormat } from '../src/logger.js';
import { oneLine, prettyLine } from '../src/pretty-line.js';
import { configFrom, MINIMAL_YAML } from './helpers/config.js';
import { memoryStream } from './helpers/logger.js';

const TIME = new Date(2024, 4, 17, 9, 30, 5, 42).getTime();

describe('resolveLogFormat (log.format, --log-format)', () => {
  for (const [format, terminal, env, expected] of [
    ['auto', true, {}, 'pretty'],
    ['auto', false, {}, 'json'],
    ['auto', true, { NO_PRETTY: '1' }, 'json'],
    ['json', true, {}, 'json'],
    ['pretty', false, {}, 'pretty'],
    ['pretty', true, { NO_PRETTY: '1' }, 'pretty'],
  ] as const) {
    it(`${format} ${terminal ? 'on a terminal' : 'into a pipe or file'}${Object.keys(env).length ? ' with NO_PRETTY' : ''}: ${expected}`, () => {
      expect(resolveLogFormat(format, terminal, env)).to.equal(expected);
    });
  }
});

describe('prettyLine (a log record on a terminal)', () => {
  it('writes one line: time, level, message, then key=value, strings with spaces quoted', () => {
    const line = prettyLine({ level: 30, time: TIME, msg: 'event accepted', service: 'aver-bridge', eventId: '01HXY', type: 'LiveCheck', id: 'chk 1', attempt: 2, labels: { a: 'b' } }, { color: false });
    expect(line).to.equal('09:30:05.042 INFO  event accepted eventId=01HXY type=LiveCheck id="chk 1" attempt=2 labels={"a":"b"}\n');
  });

  it('escapes control and bidirectional characters from outside, so a value cannot steer the terminal or pass for another field', () => {
    const line = prettyLine({ level: 40, time: TIME, msg: 'duplicate\u001b[2J', id: 'x\u001b[31m\u202e y=1', other: 'a\u009bb' }, { color: false });
    expect(line.split('\n')).to.have.length(2);
    expect(line).to.not.match(/[\u001b\u009b\u202e]/);
    expect(line).to.include('id="x\\u001b[31m\\u202e y=1"').and.include('other="a\\u009bb"').and.include('duplicate\\u001b[2J');
  });

  it('puts an error on the line, and its stack below only at error and fatal', () => {
    const err = { type: 'Error', message: 'boom', code: 'E_X', stack: 'Error: boom\n    at f (a.ts:1:1)' };
    const warn = prettyLine({ level: 40, time: TIME, msg: 'reload failed', err }, { color: false });
    expect(warn).to.equal('09:30:05.042 WARN  reload failed err=boom errCode=E_X\n');
    const error = prettyLine({ level: 50, time: TIME, msg: 'request failed', err }, { color: false });
    expect(error).to.equal('09:30:05.042 ERROR request failed err=boom errCode=E_X\n        at f (a.ts:1:1)\n');
  });

  it('colours the level and keys only when asked', () => {
    expect(prettyLine({ level: 40, time: TIME, msg: 'm', k: 'v' }, { color: true })).to.include('\u001b[33mWARN \u001b[0m');
    expect(prettyLine({ level: 40, time: TIME, msg: 'm', k: 'v' }, { color: false })).to.not.include('\u001b');
  });

  it('oneLine folds newlines and escapes control characters', () => {
    expect(oneLine('a\nb\r\nc\u0007')).to.equal('a b c\\u0007');
  });
});

describe('createLogger formats', () => {
  it('pretty: one readable line a record, secrets still redacted', () => {
    const out = memoryStream();
    const logger = createLogger('info', out.stream, 'pretty');
    logger.warn({ status: 401, code: 'unauthorized', token: 'xoxb-secret-value' }, 'webhook refused: 401 unauthorized');
    logger.debug('hidden');
    const lines = out.lines();
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3} WARN  webhook refused: 401 unauthorized status=401 code=unauthorized token=\[redacted\]$/);
    expect(out.text()).to.not.include('xoxb-secret-value');
  });

  it('json and auto (a destination is no terminal): JSON lines', () => {
    for (const format of ['json', 'auto'] as const) {
      const out = memoryStream();
      createLogger('info', out.stream, format).info({ eventId: 'e1' }, 'event accepted');
      expect(out.records()[0]).to.include({ msg: 'event accepted', eventId: 'e1', service: 'aver-bridge' });
    }
  });
});

describe('log.format in the config, and --log-format', () => {
  it('defaults to auto; takes json and pretty; refuses anything else', () => {
    expect(configFrom(MINIMAL_YAML).log.format).to.equal('auto');
    expect(configFrom(`${MINIMAL_YAML}log: { format: json }\n`).log.format).to.equal('json');
    expect(configFrom(`${MINIMAL_YAML}log: { format: pretty, level: debug }\n`).log).to.deep.equal({ format: 'pretty', level: 'debug' });
    expect(() => configFrom(`${MINIMAL_YAML}log: { format: xml }\n`)).to.throw(ConfigError, /log\.format/);
  });

  it('serve takes --log-format', () => {
    const line = parseCommandLine(['serve', '--log-format', 'json']);
    expect(line.kind === 'run' && line.input.values['log-format']).to.equal('json');
  });

  it('a --log-format that is not auto, json or pretty is a usage error (exit 2), before the config is read', async () => {
    const err: string[] = [];
    const code = await main(['serve', '--log-format', 'xml', '--config', '/nonexistent.yaml'], { out: () => undefined, err: (s) => void err.push(s) });
    expect(code).to.equal(2);
    expect(err.join('')).to.match(/^aver-bridge: --log-format must be one of auto, json, pretty \(got "xml"\)\n/);
  });
});
