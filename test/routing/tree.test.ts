import { expect } from 'chai';
import { labelsOf } from '../../src/model/event.js';
import { buildRouteTree, matchRoutes, receiversFor } from '../../src/routing/tree.js';
import { configFrom } from '../helpers/config.js';

/** A whole config around an inline `route:` block; the receivers named are declared as consoles. */
function treeFrom(route: string, extra = '') {
  const names = new Set([...route.matchAll(/receiver: ([\w-]+)/g)].map((m) => m[1]));
  const config = configFrom(`
aver:
  webhook: { secrets: ["x"] }
${extra}
receivers:
${[...names].map((n) => `  - { name: ${n}, console: {} }`).join('\n')}
${route}`);
  return { tree: buildRouteTree(config.route), config };
}

/** [labels, receivers reached in order, route paths taken] */
type Case = [Record<string, string>, string[], string[]];

function table(route: string, cases: Case[]) {
  const { tree } = treeFrom(route);
  for (const [labels, receivers, paths] of cases) {
    it(`${JSON.stringify(labels)} → ${receivers.join(', ')}`, () => {
      expect(matchRoutes(tree, labels).map((r) => r.path)).to.deep.equal(paths);
      expect(receiversFor(tree, labels)).to.deep.equal(receivers);
    });
  }
}

describe('routing/tree', () => {
  describe('an entry with several matchers, as Alertmanager writes them ({a="b", c=~"d"})', () => {
    table(`
route:
  receiver: ops
  routes:
    - matchers: ['{type = "LiveCheck", status =~ "Rejected|Failed"}', 'groupId != "test-group"']
      receiver: reviewers
`, [
      [{ type: 'LiveCheck', status: 'Rejected', groupId: 'g1' }, ['reviewers'], ['route.routes[0]']],
      [{ type: 'LiveCheck', status: 'Rejected', groupId: 'test-group' }, ['ops'], ['route']],
      [{ type: 'OfflineCheck', status: 'Failed', groupId: 'g1' }, ['ops'], ['route']],
    ]);
  });

  describe('Alertmanager TestRouteMatch, in Aver labels', () => {
    // The shape of Alertmanager's dispatch/route_test.go tree: owner→group, env→status, job→type.
    table(`
route:
  receiver: notify-def
  routes:
    - matchers: ['group = "EU"']
      receiver: notify-eu
      routes:
        - matchers: ['status = "Created"']
          receiver: notify-created
        - matchers: ['status = "Rejected"']
          receiver: notify-rejected-a
          continue: true
        - matchers: ['status =~ "Reject.*"', 'type =~ ".*"']
          receiver: notify-rejected-b
    - matchers: ['group =~ "US|UK"']
      receiver: notify-us-uk
    - matchers: ['type = "WatchlistSearch"']
      routes:
        - matchers: ['status = "Created"']
          receiver: notify-created
          routes:
            - matchers: ['id = "long"']
`, [
      [{ group: 'EU' }, ['notify-eu'], ['route.routes[0]']],
      [{ group: 'EU', status: 'unset' }, ['notify-eu'], ['route.routes[0]']],
      [{ group: 'UK' }, ['notify-us-uk'], ['route.routes[1]']],
      [{ group: 'EU', status: 'Created' }, ['notify-created'], ['route.routes[0].routes[0]']],
      [{ group: 'EU', status: 'Rejected' }, ['notify-rejected-a', 'notify-rejected-b'], ['route.routes[0].routes[1]', 'route.routes[0].routes[2]']],
      // Inherits notify-def from the root.
      [{ type: 'WatchlistSearch' }, ['notify-def'], ['route.routes[2]']],
      [{ type: 'WatchlistSearch', status: 'Created' }, ['notify-created'], ['route.routes[2].routes[0]']],
      // A grandchild with no receiver inherits its parent's.
      [{ type: 'WatchlistSearch', status: 'Created', id: 'long' }, ['notify-created'], ['route.routes[2].routes[0].routes[0]']],
      [{ group: 'APAC' }, ['notify-def'], ['route']],
      [{}, ['notify-def'], ['route']],
    ]);
  });

  describe('first match wins, continue, fallback', () => {
    table(`
route:
  receiver: root
  routes:
    - matchers: ['status = "Rejected"']
      receiver: first
    - matchers: ['status =~ "Rejected|Failed"']
      receiver: second
    - matchers: ['type = "LiveCheck"', 'status = "Completed"']
      receiver: cont
      continue: true
    - matchers: ['type = "LiveCheck"']
      receiver: after-cont
    - matchers: ['type = "OfflineCheck"']
      receiver: cont
      continue: true
`, [
      // Both the first and second match: the first wins, the second is never reached.
      [{ status: 'Rejected' }, ['first'], ['route.routes[0]']],
      [{ status: 'Failed' }, ['second'], ['route.routes[1]']],
      // AND of matchers: only type matches, so route 2 is skipped.
      [{ type: 'LiveCheck', status: 'Created' }, ['after-cont'], ['route.routes[3]']],
      // continue: true goes on to the next sibling, and the event reaches both receivers.
      [{ type: 'LiveCheck', status: 'Completed' }, ['cont', 'after-cont'], ['route.routes[2]', 'route.routes[3]']],
      // A continue route that matched alone is the answer; the root does not also take it.
      [{ type: 'OfflineCheck' }, ['cont'], ['route.routes[4]']],
      // Nothing matched: the root (the default) handles it.
      [{ type: 'WatchlistSearch', status: 'Completed' }, ['root'], ['route']],
    ]);
  });

  describe('fallback to the parent when no child matches', () => {
    table(`
route:
  receiver: root
  routes:
    - matchers: ['group = "EU onboarding"']
      receiver: eu
      routes:
        - matchers: ['status = "Rejected"']
          receiver: eu-rejected
        - matchers: ['status = "Failed"']
`, [
      [{ group: 'EU onboarding', status: 'Rejected' }, ['eu-rejected'], ['route.routes[0].routes[0]']],
      // The matching child has no receiver: it inherits eu.
      [{ group: 'EU onboarding', status: 'Failed' }, ['eu'], ['route.routes[0].routes[1]']],
      // No child matched: the parent handles it, not the root.
      [{ group: 'EU onboarding', status: 'Completed' }, ['eu'], ['route.routes[0]']],
      [{ group: 'US onboarding', status: 'Rejected' }, ['root'], ['route']],
    ]);
  });

  describe('one event, several receivers, each once and in tree order', () => {
    table(`
route:
  receiver: ops
  routes:
    - matchers: ['status =~ "Rejected|Failed"']
      receiver: compliance
      continue: true
    - matchers: ['group = "EU"']
      receiver: eu
      continue: true
      routes:
        - matchers: ['status = "Rejected"']
          receiver: eu-rejected
          continue: true
        - matchers: ['status = "Rejected"']
          receiver: compliance
    - receiver: ops
`, [
      [{ status: 'Rejected', group: 'EU' }, ['compliance', 'eu-rejected', 'ops'], ['route.routes[0]', 'route.routes[1].routes[0]', 'route.routes[1].routes[1]', 'route.routes[2]']],
      [{ status: 'Completed', group: 'EU' }, ['eu', 'ops'], ['route.routes[1]', 'route.routes[2]']],
      [{ status: 'Completed', group: 'US' }, ['ops'], ['route.routes[2]']],
    ]);
  });

  describe('the example config (examples/aver-bridge.yaml shape)', () => {
    table(`
route:
  receiver: ops-console
  routes:
    - matchers: ['status =~ "Rejected|Failed|Error"', 'group = "EU onboarding"']
      receiver: compliance-console
      continue: true
    - matchers: ['type =~ ".*WatchlistSearch"', 'status =~ "Failed|Error"']
      receiver: compliance-console
    - receiver: ops-console
`, [
      [{ type: 'LiveCheck', status: 'Rejected', group: 'EU onboarding' }, ['compliance-console', 'ops-console'], ['route.routes[0]', 'route.routes[2]']],
      [{ type: 'LiveCheck', status: 'Reject', group: 'EU onboarding' }, ['ops-console'], ['route.routes[2]']],
      [{ type: 'RecurringWatchlistSearch', status: 'Failed', group: 'US onboarding' }, ['compliance-console'], ['route.routes[1]']],
      [{ type: 'LiveCheck', status: 'Completed', group: 'US onboarding' }, ['ops-console'], ['route.routes[2]']],
    ]);
  });

  describe('labels of an event (group from aver.groups)', () => {
    const route = `
route:
  receiver: other
  routes:
    - matchers: ['group = "EU onboarding"']
      receiver: eu
    - matchers: ['group = "7f3e9a10-0000-0000-0000-000000000000"']
      receiver: by-id
`;
    const { tree, config } = treeFrom(route, `  groups:\n    "2d1162b5-0000-0000-0000-000000000000": EU onboarding`);
    const event = (groupId: string) => ({ type: 'LiveCheck', id: '12345', groupId, status: 'Completed' });

    it('carries type, status, groupId, id, and group as the friendly name', () => {
      expect(labelsOf(event('2d1162b5-0000-0000-0000-000000000000'), config.aver.groups)).to.deep.equal({
        type: 'LiveCheck', status: 'Completed', groupId: '2d1162b5-0000-0000-0000-000000000000', group: 'EU onboarding', id: '12345',
      });
      expect(receiversFor(tree, labelsOf(event('2d1162b5-0000-0000-0000-000000000000'), config.aver.groups))).to.deep.equal(['eu']);
    });

    it('uses the groupId as group when it has no friendly name', () => {
      const labels = labelsOf(event('7f3e9a10-0000-0000-0000-000000000000'), config.aver.groups);
      expect(labels.group).to.equal('7f3e9a10-0000-0000-0000-000000000000');
      expect(receiversFor(tree, labels)).to.deep.equal(['by-id']);
      expect(receiversFor(tree, labelsOf(event('unknown-group'), config.aver.groups))).to.deep.equal(['other']);
    });
  });

  describe('buildRouteTree', () => {
    it('parses matchers once, inherits receivers, and names each node by its path', () => {
      const { tree } = treeFrom(`
route:
  receiver: root
  routes:
    - matchers: ['status = "Rejected"']
      routes:
        - receiver: leaf
        - matchers: ['type = "LiveCheck"']
`);
      expect(tree).to.include({ receiver: 'root', path: 'route', continue: false });
      expect(tree.routes[0]).to.include({ receiver: 'root', path: 'route.routes[0]' });
      expect(tree.routes[0].matchers[0]).to.include({ label: 'status', op: '=', value: 'Rejected' });
      expect(tree.routes[0].routes.map((r) => [r.receiver, r.path])).to.deep.equal([
        ['leaf', 'route.routes[0].routes[0]'],
        ['root', 'route.routes[0].routes[1]'],
      ]);
    });
  });
});
