import { expect } from 'chai';
import { ConfigError } from '../../src/errors.js';
import type { ReceiverConfigOf } from '../../src/model/config.js';
import { configFrom } from '../helpers/config.js';

const BASE = `
aver:
  webhook:
    secrets: ["s3cret-value"]
slack:
  botToken: xoxb-test
  verifyToken: false
teams:
  appId: ""
  allowInsecureDevMode: true
`;

function problems(yaml: string): Array<{ path: string; line?: number; message: string }> {
  try {
    configFrom(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  expect.fail('the config should have been refused');
}

describe('display: (how messages write times)', () => {
  it('defaults to UTC and en-GB', () => {
    expect(configFrom(`${BASE}receivers: [{ name: ops, console: {} }]\nroute: { receiver: ops }\n`).display).to.deep.equal({ timeZone: 'UTC', locale: 'en-GB' });
  });

  it('takes an IANA zone and a locale', () => {
    const cfg = configFrom(`${BASE}display: { timeZone: Europe/Berlin, locale: de-DE }\nreceivers: [{ name: ops, console: {} }]\nroute: { receiver: ops }\n`);
    expect(cfg.display).to.deep.equal({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
  });

  it('refuses an unknown zone or a malformed locale, naming the key and its line', () => {
    const yaml = `${BASE}display:
  timeZone: Europe/Atlantis
  locale: "not a locale"
receivers: [{ name: ops, console: {} }]
route: { receiver: ops }
`;
    const lineOf = (text: string) => yaml.split('\n').findIndex((l) => l.includes(text)) + 1;
    const found = problems(yaml);
    expect(found).to.have.length(2);
    expect(found[0]).to.deep.include({ path: 'display.timeZone', line: lineOf('Europe/Atlantis') });
    expect(found[0].message).to.include('Europe/Atlantis');
    expect(found[1]).to.deep.include({ path: 'display.locale', line: lineOf('not a locale') });
  });

  it('refuses unknown keys under display', () => {
    expect(problems(`${BASE}display: { zone: UTC }\nreceivers: [{ name: ops, console: {} }]\nroute: { receiver: ops }\n`)[0].path).to.equal('display.zone');
  });
});

describe('broadcast: (Slack and Teams receivers)', () => {
  function receivers(broadcast: string) {
    const cfg = configFrom(`${BASE}receivers:
  - name: s
    slack: { channel: C0123, ${broadcast} }
  - name: t
    teams: { channelId: "19:a@thread.tacv2", ${broadcast} }
route: { receiver: s }
`);
    return [(cfg.receivers[0] as ReceiverConfigOf<'slack'>).slack.broadcast, (cfg.receivers[1] as ReceiverConfigOf<'teams'>).teams.broadcast];
  }

  it('defaults to attention and action; takes true, false or a list of severities', () => {
    expect(receivers('updates: thread')).to.deep.equal([['attention', 'action'], ['attention', 'action']]);
    expect(receivers('broadcast: true')).to.deep.equal([['attention', 'action', 'good', 'info'], ['attention', 'action', 'good', 'info']]);
    expect(receivers('broadcast: false')).to.deep.equal([[], []]);
    expect(receivers('broadcast: [good, attention]')).to.deep.equal([['attention', 'good'], ['attention', 'good']]);
  });

  it('refuses a severity it does not know', () => {
    const found = problems(`${BASE}receivers:
  - name: s
    slack: { channel: C0123, broadcast: [red] }
route: { receiver: s }
`);
    expect(found.map((p) => p.path)).to.include('receivers[0].slack.broadcast[0]');
    expect(found.map((p) => p.message).join(' ')).to.include('"attention"');
  });
});
