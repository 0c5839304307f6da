/**
 * Alertmanager's routing-tree tests, ported to bridge configs: each case names
 * the file (and test) of prometheus/alertmanager v0.34.0 it comes from.
 * group_by, group_wait, group_interval (tested in test/config/grouping.test.ts)
 * and repeat_interval (the bridge has none) are left out of the trees; what is checked is what routing
 * decides: the routes taken, in order (as Alertmanager's route keys), and the
 * receivers they give.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { parseConfig, type ConfigWarning } from '../../src/config/load.js';
import { formatMatcher, type Matcher } from '../../src/routing/matchers.js';
import { buildRouteTree, flattenRoutes, matchRoutes, type Route } from '../../src/routing/tree.js';
import { tempDir } from '../helpers/bridge.js';

const AM = 'alertmanager v0.34.0';

/** A bridge config around Alertmanager's `route:` block (indented as a top-level key), its receivers as consoles. */
function configYaml(route: string, receivers: string[]): string {
  return `aver:\n  webhook: { secrets: ["x"] }\nreceivers:\n${receivers.map((n) => `  - { name: ${n}, console: {} }`).join('\n')}\n${route}`;
}

function load(route: string, receivers: string[]) {
  const warnings: ConfigWarning[] = [];
  const config = parseConfig(configYaml(route, receivers), 'test.yaml', {}, { warn: (w) => warnings.push(w) });
  return { tree: buildRouteTree(config.route), config, warnings };
}

/** Alertmanager's labels.Matchers order: by name, then value, then operator (=, !=, =~, !~). */
const OPS = ['=', '!=', '=~', '!~'];
function sorted(ms: Matcher[]): Matcher[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...ms].sort((a, b) => cmp(a.label, b.label) || cmp(a.value, b.value) || OPS.indexOf(a.op) - OPS.indexOf(b.op));
}

/** Alertmanager's Route.Key(): each node's sorted matchers from the root, `{…}/{…}`. */
function keyOf(tree: Route, node: Route): string {
  const indexes = [...node.path.matchAll(/\.routes\[(\d+)\]/g)].map((m) => Number(m[1]));
  const nodes = [tree];
  for (const i of indexes) nodes.push(nodes[nodes.length - 1].routes[i]);
  return nodes.map((n) => `{${sorted(n.matchers).map(formatMatcher).join(',')}}`).join('/');
}

/** [labels, receivers in order, route keys in order] */
type Case = [Record<string, string>, string[], string[]];

function routeTable(name: string, route: string, receivers: string[], cases: Case[]) {
  describe(`${AM} ${name}`, () => {
    const { tree } = load(route, receivers);
    for (const [labels, want, keys] of cases) {
      it(`${JSON.stringify(labels)} → ${want.join(', ')}`, () => {
        const hit = matchRoutes(tree, labels);
        expect(hit.map((r) => r.receiver)).to.deep.equal(want);
        expect(hit.map((r) => keyOf(tree, r))).to.deep.equal(keys);
      });
    }
  });
}

const NOTIFY = ['notify-def', 'notify-A', 'notify-testing', 'notify-productionA', 'notify-productionB', 'notify-BC'];

/** dispatch/route_test.go's tree with match: and match_re: (TestRouteMatch, TestRouteWalk). */
const MATCH_TREE = `route:
  receiver: 'notify-def'
  routes:
  - match:
      owner: 'team-A'
    receiver: 'notify-A'
    routes:
    - match:
        env: 'testing'
      receiver: 'notify-testing'
    - match:
        env: "production"
      receiver: 'notify-productionA'
      continue: true
    - match_re:
        env: "produ.*"
        job: ".*"
      receiver: 'notify-productionB'
  - match_re:
      owner: 'team-(B|C)'
    receiver: 'notify-BC'
  - match:
      group_by: 'role'
    routes:
    - match:
        env: 'testing'
      receiver: 'notify-testing'
      routes:
      - match:
          wait: 'long'
`;

describe('Alertmanager routing tests, ported', () => {
  routeTable('dispatch/route_test.go TestRouteMatch (match:, match_re:)', MATCH_TREE, NOTIFY, [
    [{ owner: 'team-A' }, ['notify-A'], ['{}/{owner="team-A"}']],
    [{ owner: 'team-A', env: 'unset' }, ['notify-A'], ['{}/{owner="team-A"}']],
    [{ owner: 'team-C' }, ['notify-BC'], ['{}/{owner=~"^(?:team-(B|C))$"}']],
    [{ owner: 'team-A', env: 'testing' }, ['notify-testing'], ['{}/{owner="team-A"}/{env="testing"}']],
    [{ owner: 'team-A', env: 'production' }, ['notify-productionA', 'notify-productionB'], [
      '{}/{owner="team-A"}/{env="production"}',
      '{}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"}',
    ]],
    [{ group_by: 'role' }, ['notify-def'], ['{}/{group_by="role"}']],
    [{ env: 'testing', group_by: 'role' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}']],
    [{ env: 'testing', group_by: 'role', wait: 'long' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']],
  ]);

  describe(`${AM} dispatch/route_test.go TestRouteWalk`, () => {
    it('visits every route depth first, each with its receiver (inherited where it has none)', () => {
      const { tree } = load(MATCH_TREE, NOTIFY);
      expect(flattenRoutes(tree).map((r) => r.route.receiver)).to.deep.equal([
        'notify-def', 'notify-A', 'notify-testing', 'notify-productionA', 'notify-productionB', 'notify-BC', 'notify-def', 'notify-testing', 'notify-testing',
      ]);
    });
  });

  routeTable('dispatch/route_test.go TestRouteMatchers (matchers:)', `route:
  receiver: 'notify-def'
  routes:
  - matchers: ['{owner="team-A"}', '{level!="critical"}']
    receiver: 'notify-A'
    routes:
    - matchers: ['{env="testing"}', '{baz!~".*quux"}']
      receiver: 'notify-testing'
    - matchers: ['{env="production"}']
      receiver: 'notify-productionA'
      continue: true
    - matchers: [ env=~"produ.*", job=~".*"]
      receiver: 'notify-productionB'
  - matchers: [owner=~"team-(B|C)"]
    receiver: 'notify-BC'
  - matchers: [group_by="role"]
    routes:
    - matchers: ['{env="testing"}']
      receiver: 'notify-testing'
      routes:
      - matchers: [wait="long"]
`, NOTIFY, [
    [{ owner: 'team-A' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-A', env: 'unset' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-C' }, ['notify-BC'], ['{}/{owner=~"team-(B|C)"}']],
    [{ owner: 'team-A', env: 'testing' }, ['notify-testing'], ['{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}']],
    [{ owner: 'team-A', env: 'production' }, ['notify-productionA', 'notify-productionB'], [
      '{}/{level!="critical",owner="team-A"}/{env="production"}',
      '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}',
    ]],
    [{ group_by: 'role' }, ['notify-def'], ['{}/{group_by="role"}']],
    [{ env: 'testing', group_by: 'role' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}']],
    [{ env: 'testing', group_by: 'role', wait: 'long' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']],
  ]);

  routeTable('dispatch/route_test.go TestRouteMatchersAndMatch (both kinds in one tree)', `route:
  receiver: 'notify-def'
  routes:
  - matchers: ['{owner="team-A"}', '{level!="critical"}']
    receiver: 'notify-A'
    routes:
    - matchers: ['{env="testing"}', '{baz!~".*quux"}']
      receiver: 'notify-testing'
    - match:
        env: "production"
      receiver: 'notify-productionA'
      continue: true
    - matchers: [ env=~"produ.*", job=~".*"]
      receiver: 'notify-productionB'
  - match_re:
      owner: 'team-(B|C)'
    receiver: 'notify-BC'
  - matchers: [group_by="role"]
    routes:
    - matchers: ['{env="testing"}']
      receiver: 'notify-testing'
      routes:
      - matchers: [wait="long"]
`, NOTIFY, [
    [{ owner: 'team-A' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-A', env: 'unset' }, ['notify-A'], ['{}/{level!="critical",owner="team-A"}']],
    [{ owner: 'team-C' }, ['notify-BC'], ['{}/{owner=~"^(?:team-(B|C))$"}']],
    [{ owner: 'team-A', env: 'testing' }, ['notify-testing'], ['{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}']],
    [{ owner: 'team-A', env: 'production' }, ['notify-productionA', 'notify-productionB'], [
      '{}/{level!="critical",owner="team-A"}/{env="production"}',
      '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}',
    ]],
    [{ group_by: 'role' }, ['notify-def'], ['{}/{group_by="role"}']],
    [{ env: 'testing', group_by: 'role' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}']],
    [{ env: 'testing', group_by: 'role', wait: 'long' }, ['notify-testing'], ['{}/{group_by="role"}/{env="testing"}/{wait="long"}']],
  ]);

  routeTable('dispatch/dispatch_test.go TestGroups (the routes each alert takes)', `route:
  receiver: 'prod'
  routes:
  - match:
      env: 'testing'
    receiver: 'testing'
  - match:
      env: 'prod'
    receiver: 'prod'
    continue: true
  - match:
      kafka: 'yes'
    receiver: 'kafka'
`, ['kafka', 'prod', 'testing'], [
    [{ alertname: 'OtherAlert', cluster: 'cc', service: 'dd' }, ['prod'], ['{}']],
    [{ env: 'testing', alertname: 'TestingAlert', service: 'api', instance: 'inst1' }, ['testing'], ['{}/{env="testing"}']],
    [{ env: 'prod', alertname: 'HighErrorRate', cluster: 'aa', service: 'api', instance: 'inst1' }, ['prod'], ['{}/{env="prod"}']],
    [{ env: 'prod', alertname: 'HighErrorRate', cluster: 'aa', service: 'api', instance: 'inst2' }, ['prod'], ['{}/{env="prod"}']],
    [{ env: 'prod', alertname: 'HighErrorRate', cluster: 'bb', service: 'api', instance: 'inst1' }, ['prod'], ['{}/{env="prod"}']],
    [{ env: 'prod', alertname: 'HighLatency', cluster: 'bb', service: 'db', kafka: 'yes', instance: 'inst3' }, ['prod', 'kafka'], ['{}/{env="prod"}', '{}/{kafka="yes"}']],
  ]);

  describe(`${AM} cli/test_routing_test.go TestRoutingTest (aver-bridge routes test, as amtool config routes test)`, () => {
    // cli/testdata/conf.routing.yml and conf.routing-reverted.yml: `test: 2` is a YAML number, read as its text.
    const ROUTING = `route:\n  receiver: default\n  routes:\n    - match_re:\n        test: ^[12]$\n      receiver: test1\n      continue: true\n    - match:\n        test: 2\n      receiver: test2\n`;
    const REVERTED = `route:\n  receiver: default\n  routes:\n    - match:\n        test: 2\n      receiver: test2\n      continue: true\n    - match_re:\n        test: ^[12]$\n      receiver: test1\n      continue: true\n`;
    let t: ReturnType<typeof tempDir>;
    before(() => {
      t = tempDir();
      writeFileSync(join(t.dir, 'conf.routing.yml'), configYaml(ROUTING, ['default', 'test1', 'test2']));
      writeFileSync(join(t.dir, 'conf.routing-reverted.yml'), configYaml(REVERTED, ['default', 'test1', 'test2']));
    });
    after(() => t.cleanup());

    for (const [file, label, want] of [
      ['conf.routing.yml', 'test=1', 'test1'],
      ['conf.routing.yml', 'test=2', 'test1,test2'],
      ['conf.routing-reverted.yml', 'test=2', 'test2,test1'],
      ['conf.routing.yml', 'test=volovina', 'default'],
    ] as const) {
      it(`${file} ${label} → ${want}`, async () => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(['routes', 'test', '--config', join(t.dir, file), '--verify-receivers', want, label], { out: (s) => out.push(s), err: (s) => err.push(s) });
        expect(code, err.join('\n')).to.equal(0);
        expect(out[0]).to.equal(want);
      });
    }
  });
});
