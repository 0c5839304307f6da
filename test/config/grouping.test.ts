import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { testRoute } from '../../src/routing/test-route.js';
import { buildRouteTree } from '../../src/routing/tree.js';
import { tempDir } from '../helpers/bridge.js';

const base = (route: string, top = '') => `
aver: { webhook: { allowUnauthenticated: true } }
receivers:
  - name: ops
    console: {}
  - name: night
    console: {}
${top}
route:
${route}
`;

function problems(yaml: string): Array<{ path: string; line?: number; message: string }> {
  try {
    parseConfig(yaml, 'test.yaml', {}, { warn: () => undefined });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const INTERVALS = `time_intervals:
  - name: weekend
    time_intervals:
      - weekdays: [saturday, sunday]
        location: Europe/Berlin`;

describe('config: group_by, group_wait, group_interval, time intervals and remind', () => {
  it('children inherit group_by, group_wait, group_interval and remind as in Alertmanager; time intervals are their own', () => {
    const config = parseConfig(base(`  receiver: ops
  group_by: [groupId, type]
  group_wait: 10s
  remind: { after: 4h, statuses: [AwaitingReview], repeat: 2 }
  mute_time_intervals: [weekend]
  routes:
    - matchers: ['type="LiveCheck"']
      group_interval: 1m
    - matchers: ['type="OfflineCheck"']
      group_by: ['...']`, INTERVALS), 'test.yaml', {});
    const tree = buildRouteTree(config.route);
    const [live, offline] = tree.routes;
    expect(live).to.include({ groupWaitMs: 10_000, groupIntervalMs: 60_000 });
    expect(live.groupBy).to.deep.equal(['groupId', 'type']);
    expect(live.remind).to.deep.equal({ afterMs: 14_400_000, statuses: ['AwaitingReview'], repeat: 2 });
    expect(live.muteTimeIntervals).to.deep.equal([]);
    expect(tree.muteTimeIntervals.map((n) => n.name)).to.deep.equal(['weekend']);
    const shown = testRoute(tree, {}, { type: 'OfflineCheck', status: 'Completed', groupId: 'g', id: '1' }).routes[0].timers;
    expect(shown.groupBy).to.equal(undefined);
    expect(testRoute(tree, {}, { type: 'LiveCheck', status: 'Completed', groupId: 'g', id: '1' }).routes[0].timers)
      .to.deep.include({ groupBy: ['groupId', 'type'], groupWaitMs: 10_000, groupIntervalMs: 60_000 });
    expect(offline.groupBy).to.deep.equal(['...']);
  });

  it('routes test prints each matched route\'s grouping, intervals and reminder', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.dir, 'aver-bridge.yaml');
      writeFileSync(file, base(`  receiver: ops
  remind: { after: 4h, statuses: [AwaitingReview], repeat: 2 }
  routes:
    - matchers: ['type="RecurringWatchlistSearch"']
      group_by: [groupId, type]
      group_interval: 1m
      mute_time_intervals: [weekend]`, INTERVALS));
      const out: string[] = [];
      const io = { out: (s: string) => void out.push(s), err: () => undefined };
      expect(await main(['routes', 'test', '--config', file, 'type=RecurringWatchlistSearch', 'status=Completed'], io)).to.equal(0);
      expect(out).to.deep.equal([
        'ops',
        '  ops  via route.routes[0]  {type="RecurringWatchlistSearch"}',
        '    group_by [groupId, type], group_wait 30s, group_interval 1m; muted during weekend; remind after 4h in AwaitingReview (at most 2)',
      ]);
    } finally {
      dir.cleanup();
    }
  });

  it('a config without the new keys groups nothing and has no intervals', () => {
    const tree = buildRouteTree(parseConfig(base('  receiver: ops'), 'test.yaml', {}).route);
    expect(tree.groupBy).to.equal(undefined);
    expect(tree).to.include({ groupWaitMs: 30_000, groupIntervalMs: 300_000 });
    expect(tree.remind).to.equal(undefined);
  });

  const bad: Array<[string, string, string, string]> = [
    ['an unknown interval name', '  receiver: ops\n  mute_time_intervals: [weekends]', 'undefined time interval "weekends" used in route', 'route.mute_time_intervals[0]'],
    ['a bad duration', '  receiver: ops\n  group_wait: 30 seconds', 'group_wait', 'route.group_wait'],
    ['a zero group_interval', '  receiver: ops\n  group_interval: 0s', 'group_interval cannot be zero', 'route.group_interval'],
    ["'...' beside other labels", "  receiver: ops\n  group_by: ['...', groupId]", "cannot have wildcard group_by ('...')", 'route.group_by'],
    ['a duplicated label', '  receiver: ops\n  group_by: [groupId, groupId]', 'duplicated label "groupId" in group_by', 'route.group_by[1]'],
  ];
  for (const [what, route, message, path] of bad) {
    it(`check-config refuses ${what}, with its YAML line`, () => {
      const found = problems(base(route, INTERVALS));
      const p = found.find((x) => x.message.includes(message) || x.path === path);
      expect(p, JSON.stringify(found)).to.not.equal(undefined);
      expect(p!.path).to.equal(path);
      expect(p!.line).to.be.a('number');
    });
  }

  it('check-config refuses a bad zone and a bad weekday in time_intervals, each with its line', () => {
    const found = problems(base('  receiver: ops', `time_intervals:
  - name: weekend
    time_intervals:
      - weekdays: [caturday]
        location: Europe/Atlantis`));
    expect(found.map((p) => [p.path, p.line])).to.deep.equal([
      ['time_intervals[0].time_intervals[0].weekdays[0]', 11],
      ['time_intervals[0].time_intervals[0].location', 12],
    ]);
    expect(found[1].message).to.include('unknown time zone "Europe/Atlantis"');
  });
});
