import { expect } from 'chai';
import type { ConsoleReceiverConfig } from '../../src/model/config.js';
import { createConsoleReceiver } from '../../src/receivers/console/deliver.js';
import { configFrom, MINIMAL_YAML, testConfig } from '../helpers/config.js';
import { ctx, event, job } from '../helpers/fixtures.js';

/** What one delivery to a console receiver with `console` settings writes. */
async function written(console: ConsoleReceiverConfig['console'], logFormat: 'auto' | 'json' | 'pretty' = 'auto', e = event('Rejected', { id: 'chk-7731' })): Promise<string[]> {
  const lines: string[] = [];
  const config = testConfig({ log: { level: 'info', format: logFormat } });
  const receiver = createConsoleReceiver({ name: 'ops', kind: 'console', console }, { write: (l) => void lines.push(l), config });
  expect(await receiver.deliver(job(e), ctx())).to.deep.equal({ ok: true });
  return lines;
}

describe('the console receiver', () => {
  it('pretty: true writes one readable line, marked apart from log records', async () => {
    const lines = await written({ pretty: true });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^▶ console ops: 🔴 Live check rejected: chk-7731 · Acme onboarding \(LiveCheck chk-7731 · event ev-Rejected\)\n$/);
  });

  it('pretty: false writes one JSON object with "stream": "console", which no log record has', async () => {
    const lines = await written({ pretty: false }, 'pretty');
    expect(lines).to.have.length(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).to.include({ stream: 'console', receiver: 'ops', eventId: 'ev-Rejected', id: 'chk-7731', status: 'Rejected', severity: 'attention' });
    expect(line).to.not.have.property('level');
    expect(line).to.not.have.property('msg');
  });

  it('unset, follows the log format: JSON into a write function (no terminal) under auto, readable under pretty', async () => {
    expect(JSON.parse((await written({}))[0])).to.include({ stream: 'console' });
    expect(JSON.parse((await written({}, 'json'))[0])).to.include({ stream: 'console' });
    expect((await written({}, 'pretty'))[0]).to.match(/^▶ console ops: /);
  });

  it('keeps a readable line on one line and inert, whatever the event holds', async () => {
    const lines = await written({ pretty: true }, 'auto', event('Rejected', { id: 'chk\n\u001b[31mred', type: 'LiveCheck' }));
    expect(lines).to.have.length(1);
    expect(lines[0].slice(0, -1)).to.not.match(/[\n\u001b]/);
  });

  it('console.pretty is read from the config, and unset stays unset', () => {
    const receivers = (pretty: string) => configFrom(MINIMAL_YAML.replace('console: {}', `console: {${pretty}}`)).receivers[0];
    expect(receivers(' pretty: true ')).to.deep.include({ console: { pretty: true } });
    expect(receivers(' pretty: false ')).to.deep.include({ console: { pretty: false } });
    expect(receivers('')).to.deep.include({ console: {} });
  });
});
