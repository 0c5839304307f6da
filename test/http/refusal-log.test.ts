import { expect } from 'chai';
import { createRefusalLog, REFUSAL_LOG_WINDOW_MS, type Refusal } from '../../src/http/refusal-log.js';
import { fakeClock } from '../helpers/clock.js';
import { memoryLogger } from '../helpers/logger.js';

const WRONG_SECRET: Refusal = { status: 401, code: 'unauthorized', remoteAddress: '203.0.113.9', method: 'POST', path: '/webhooks/aver', reason: 'missing or wrong authorization header' };
const NOT_JSON: Refusal = { ...WRONG_SECRET, status: 400, code: 'invalid_json', reason: 'the body is not valid JSON' };

describe('createRefusalLog (refused webhooks at warn, rate-limited per code)', () => {
  it('logs the first refusal of a code with status, code, address, path and what to do', () => {
    const logs = memoryLogger();
    createRefusalLog({ clock: fakeClock(), logger: logs.logger })(WRONG_SECRET);
    const [line, ...rest] = logs.records();
    expect(rest).to.deep.equal([]);
    expect(line).to.include({ level: 40, msg: 'webhook refused: 401 unauthorized', status: 401, code: 'unauthorized', remoteAddress: '203.0.113.9', method: 'POST', path: '/webhooks/aver' });
    expect(line.hint).to.match(/aver\.webhook\.secrets/);
    expect(line).to.not.have.property('suppressed');
  });

  it('a flood of one code is one line per window; the next window\'s first line counts the ones left out', () => {
    const logs = memoryLogger();
    const clock = fakeClock();
    const log = createRefusalLog({ clock, logger: logs.logger });
    for (let i = 0; i < 1000; i++) log(WRONG_SECRET);
    expect(logs.records()).to.have.length(1);
    clock.advance(REFUSAL_LOG_WINDOW_MS - 1);
    log(WRONG_SECRET);
    expect(logs.records()).to.have.length(1);
    clock.advance(1);
    log(WRONG_SECRET);
    const lines = logs.records();
    expect(lines).to.have.length(2);
    expect(lines[1]).to.include({ code: 'unauthorized', suppressed: 1000, msg: 'webhook refused: 401 unauthorized (and 1000 more since the last such line, not logged)' });
  });

  it('counts each code apart: a flood of one does not hide another', () => {
    const logs = memoryLogger();
    const log = createRefusalLog({ clock: fakeClock(), logger: logs.logger });
    for (let i = 0; i < 10; i++) log(WRONG_SECRET);
    log(NOT_JSON);
    expect(logs.records().map((l) => l.code)).to.deep.equal(['unauthorized', 'invalid_json']);
  });
});
