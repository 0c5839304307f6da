/**
 * The route part of Alertmanager's config tests, ported to bridge configs
 * (each case names the prometheus/alertmanager v0.34.0 file and test it comes
 * from), and the deprecated match: / match_re: keys, converted as
 * Alertmanager's dispatch.NewRoute converts them.
 */
import { expect } from 'chai';
import { parseConfig, type ConfigWarning } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../src/errors.js';
import { matches, parseMatchers } from '../../src/routing/matchers.js';
import { buildRouteTree, matchRoutes } from '../../src/routing/tree.js';

const AM = 'alertmanager v0.34.0';

/** With one receiver, the route block starts on line 5. */
function yaml(route: string, receivers = ['team-X']): string {
  return `aver:\n  webhook: { secrets: ["x"] }\nreceivers:\n${receivers.map((n) => `  - { name: ${n}, console: {} }`).join('\n')}\n${route}`;
}

function load(route: string, receivers?: string[]) {
  const warnings: ConfigWarning[] = [];
  const config = parseConfig(yaml(route, receivers), 'test.yaml', {}, { warn: (w) => warnings.push(w) });
  return { config, warnings, tree: buildRouteTree(config.route) };
}

function problems(route: string, receivers?: string[]): ConfigProblem[] {
  try {
    load(route, receivers);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('the config was accepted');
}

describe('Alertmanager route config tests, ported', () => {
  describe(`${AM} config/config_test.go`, () => {
    it('TestDefaultReceiverExists: the root route must name a receiver ("" does not)', () => {
      const found = problems('route:\n  receiver: ""\n');
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([['route.receiver', 'the root route must specify a default receiver']]);
    });

    it('TestReceiverExists: a receiver used in a route must be defined', () => {
      const found = problems('route:\n  receiver: team-X\n', ['team-Y']);
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([['route.receiver', 'undefined receiver "team-X" used in route']]);
    });

    it('TestReceiverExistsForDeepSubRoute: … at any depth', () => {
      const found = problems(`route:
  receiver: team-X
  routes:
    - match:
        foo: bar
      routes:
      - match:
          foo: bar
        receiver: nonexistent
`);
      expect(found.map((p) => [p.path, p.message, p.line])).to.deep.equal([['route.routes[0].routes[0].receiver', 'undefined receiver "nonexistent" used in route', 13]]);
    });

    for (const [name, route, key] of [
      ['Test deprecated matchers on root route not allowed', "route:\n  receiver: 'team-X'\n  match:\n    severity: critical\n", 'route.match'],
      ['Test deprecated regex matchers on root route not allowed', "route:\n  receiver: 'team-X'\n  match_re:\n    severity: critical\n", 'route.match_re'],
      ['Test matchers not allowed on root route', "route:\n  receiver: 'team-X'\n  matchers:\n    - severity=critical\n", 'route.matchers'],
    ]) {
      it(`TestRootRouteHasNoMatcher: ${name}`, () => {
        const found = problems(route);
        expect(found.map((p) => [p.path, p.message])).to.deep.equal([[key, 'the root route must not have matchers: it takes every event no child route takes']]);
      });
    }

    it('TestContinueErrorInRouteRoot', () => {
      const found = problems('route:\n    receiver: team-X\n    continue: true\n');
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([['route.continue', 'the root route cannot have continue']]);
    });

    it('TestNilRegexp (testdata/conf.nil-match_re-route.yml): a match_re label without a value', () => {
      const found = problems('route:\n  receiver: empty\n  routes:\n    - match_re:\n        invalid_label:\n      receiver: empty\n', ['empty']);
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([['route.routes[0].match_re.invalid_label', 'invalid regexp value for "invalid_label"']]);
    });

    it('TestEmptyFieldsAndRegex (testdata/conf.empty-fields.yml): match_re is anchored around the value as written', () => {
      const { config } = load("route:\n  receiver: team-X\n  routes:\n    - match_re:\n        service: ^(foo1|foo2|baz)$\n      receiver: team-X\n");
      expect(config.route.routes[0].matchers).to.deep.equal(['service=~"^(?:^(foo1|foo2|baz)$)$"']);
    });
  });

  describe(`${AM} config/common/matchers_test.go`, () => {
    it('TestUnmarshalEmptyRegexp: match_re "" is ^(?:)$, which matches only the empty value', () => {
      const { config, tree } = load('route:\n  receiver: team-X\n  routes:\n    - match_re: { team: "" }\n      receiver: team-X\n');
      expect(config.route.routes[0].matchers).to.deep.equal(['team=~"^(?:)$"']);
      expect(matches(tree.routes[0].matchers[0], {})).to.equal(true);
      expect(matches(tree.routes[0].matchers[0], { team: 'x' })).to.equal(false);
    });
  });

  describe(`${AM} config/config.go Route.UnmarshalYAML and config/common/matchers.go`, () => {
    it('a match: or match_re: label must be a classic label name', () => {
      const found = problems('route:\n  receiver: team-X\n  routes:\n    - match: { foo-bar: x }\n      match_re: { "🙂": y }\n');
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([
        ['route.routes[0].match.foo-bar', 'invalid label name "foo-bar"'],
        ['route.routes[0].match_re.🙂', 'invalid label name "🙂"'],
      ]);
    });

    it('a match_re: regex Go refuses is an error with Go\'s reason', () => {
      const found = problems('route:\n  receiver: team-X\n  routes:\n    - match_re: { status: "(?=Rejected)" }\n');
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([['route.routes[0].match_re.status', 'invalid regular expression in match_re status: error parsing regexp: invalid or unsupported Perl syntax: `(?=`']]);
      expect(found[0].hint).to.match(/RE2/);
    });
  });

  describe(`${AM} dispatch/route.go NewRoute`, () => {
    it('match: comes first, then match_re:, then matchers:, all ANDed', () => {
      const { config, tree } = load(`route:
  receiver: team-X
  routes:
    - matchers: ['status != "Completed"']
      match_re: { type: ".*Check" }
      match: { group: EU }
      receiver: team-X
`);
      expect(config.route.routes[0].matchers).to.deep.equal(['group="EU"', 'type=~"^(?:.*Check)$"', 'status != "Completed"']);
      expect(matchRoutes(tree, { group: 'EU', type: 'LiveCheck', status: 'Rejected' })[0].path).to.equal('route.routes[0]');
      expect(matchRoutes(tree, { group: 'EU', type: 'LiveCheck', status: 'Completed' })[0].path).to.equal('route');
      expect(matchRoutes(tree, { group: 'EU', type: 'LiveCheckX', status: 'Rejected' })[0].path).to.equal('route');
    });

    it('a child with receiver: "" inherits its parent\'s, as one without a receiver does', () => {
      const { tree } = load(`route:
  receiver: team-X
  routes:
    - matchers: ['group = "EU"']
      receiver: team-Y
      routes:
        - matchers: ['status = "Rejected"']
          receiver: ""
`, ['team-X', 'team-Y']);
      expect(matchRoutes(tree, { group: 'EU', status: 'Rejected' }).map((r) => [r.path, r.receiver])).to.deep.equal([['route.routes[0].routes[0]', 'team-Y']]);
    });
  });

  describe('match: values as Alertmanager reads them (YAML into a Go map of strings)', () => {
    it('a number or boolean is its text as written; an empty value is ""', () => {
      const { config } = load('route:\n  receiver: team-X\n  routes:\n    - match: { a: 2, b: 2.0, c: true, d: 0x10, e: }\n');
      expect(config.route.routes[0].matchers).to.deep.equal(['a="2"', 'b="2.0"', 'c="true"', 'd="0x10"', 'e=""']);
    });

    it('any value, quotes, backslashes, newlines, commas and braces included, is matched exactly', () => {
      const values = ['say "hi"', 'C:\\path\\n', 'two\nlines', 'a, b', '{x}', ' padded ', "it's", '🙂', '\\', '"', 'tab\there', 'x=~"y"'];
      const route = `route:\n  receiver: team-X\n  routes:\n${values.map((v, i) => `    - match: { l${i}: ${JSON.stringify(v)} }\n      receiver: team-X\n`).join('')}`;
      const { config, warnings, tree } = load(route);
      values.forEach((v, i) => {
        const [m] = parseMatchers(config.route.routes[i].matchers[0]);
        expect([m.label, m.op, m.value]).to.deep.equal([`l${i}`, '=', v]);
        expect(matchRoutes(tree, { [`l${i}`]: v })[0].path).to.equal(`route.routes[${i}]`);
        expect(matchRoutes(tree, { [`l${i}`]: `${v}x` })[0].path).to.equal('route');
      });
      // Only the deprecation warnings: the converted matchers read the same in both parsers.
      expect(warnings.map((w) => w.message.split(' is ')[0])).to.deep.equal(values.map(() => 'match'));
    });
  });

  describe('warnings (what Alertmanager logs at warning level)', () => {
    it('match: and match_re: are deprecated: each gets a warning with its line and the matchers to write instead', () => {
      const { warnings } = load(`route:
  receiver: team-X
  routes:
    - match: { group: EU }
      match_re:
        status: Rejected|Failed
`);
      expect(warnings.map((w) => [w.path, w.line])).to.deep.equal([['route.routes[0].match', 8], ['route.routes[0].match_re', 10]]);
      expect(warnings[0].message).to.equal('match is deprecated (as in Alertmanager); it is read as the matchers ["group=\\"EU\\""]');
      expect(warnings[0].hint).to.equal(`write matchers: ['group="EU"'] instead`);
      expect(warnings[1].hint).to.equal(`write matchers: ['status=~"Rejected|Failed"'] instead`);
    });

    it('a matcher only the classic parser reads is read, with a warning that shows it in the UTF-8 syntax', () => {
      const { tree, warnings } = load(`route:
  receiver: team-X
  routes:
    - matchers: ['group = EU onboarding']
`);
      expect(tree.routes[0].matchers.map((m) => [m.label, m.value])).to.deep.equal([['group', 'EU onboarding']]);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.include({ path: 'route.routes[0].matchers[0]', line: 8 });
      expect(warnings[0].message).to.match(/^this matcher input is incompatible with the UTF-8 matchers parser.*: "group = EU onboarding" \(11:21: unexpected onboarding: expected a comma or close brace\)$/);
      expect(warnings[0].hint).to.equal('write it as "group=\\"EU onboarding\\""');
    });

    it('a matcher both parsers read differently is read as the classic parser reads it, with a warning', () => {
      const { tree, warnings } = load(`route:
  receiver: team-X
  routes:
    - matchers: ['path = "C:\\temp"']
`);
      expect(tree.routes[0].matchers[0].value).to.equal('C:\\temp');
      expect(warnings.map((w) => w.message.split(':')[0])).to.deep.equal(['matchers input has disagreement']);
    });

    it('an empty matchers entry is no matchers, without a warning', () => {
      const { tree, warnings } = load("route:\n  receiver: team-X\n  routes:\n    - matchers: ['', '{}']\n");
      expect(tree.routes[0].matchers).to.deep.equal([]);
      expect(warnings).to.deep.equal([]);
    });
  });
});
