import { expect } from 'chai';
import { createLogger } from '../../src/logger.js';
import { configFrom, MINIMAL_YAML } from '../helpers/config.js';
import { memoryStream } from '../helpers/logger.js';

describe('log level (LOG_LEVEL and log.level)', () => {
  it('takes log.level from the config file', () => {
    expect(configFrom(`${MINIMAL_YAML}\nlog: { level: debug }\n`).log.level).to.equal('debug');
  });

  it('lets LOG_LEVEL override log.level', () => {
    expect(configFrom(`${MINIMAL_YAML}\nlog: { level: debug }\n`, { LOG_LEVEL: 'warn' }).log.level).to.equal('warn');
  });

  it('defaults to info', () => {
    expect(configFrom(MINIMAL_YAML).log.level).to.equal('info');
  });

  it('drops lines below the level and redacts secrets in the ones it keeps', () => {
    const out = memoryStream();
    const logger = createLogger('warn', out.stream);
    logger.info('hidden');
    logger.warn({ token: 'xoxb-secret', receiver: 'ops' }, 'shown');
    const lines = out.records();
    expect(lines.map((l) => l.msg)).to.deep.equal(['shown']);
    expect(lines[0]).to.include({ token: '[redacted]', receiver: 'ops', service: 'aver-bridge' });
  });
});
