import { expect } from 'chai';
import { parseLabelArgs, testRoute } from '../../src/routing/test-route.js';
import { buildRouteTree } from '../../src/routing/tree.js';
import type { MatcherWarning } from '../../src/routing/matchers.js';

describe('routing/test-route', () => {
  describe('parseLabelArgs (routes test arguments, as amtool config routes test reads them)', () => {
    it('reads label="value" with Go escapes, and label=value', () => {
      expect(parseLabelArgs(['status=Rejected', 'group="EU onboarding"', 'note="say \\"hi\\"\\nbye"', '"odd name"=x'])).to.deep.equal({
        status: 'Rejected', group: 'EU onboarding', note: 'say "hi"\nbye', 'odd name': 'x',
      });
    });

    it('a label given twice keeps the last value; label= is the empty value', () => {
      expect(parseLabelArgs(['status=Rejected', 'status=Failed', 'team='])).to.deep.equal({ status: 'Failed', team: '' });
    });

    it('reports what amtool would warn about', () => {
      const warnings: MatcherWarning[] = [];
      expect(parseLabelArgs(['group=EU onboarding', 'path="C:\\temp"'], (w) => warnings.push(w))).to.deep.equal({ group: 'EU onboarding', path: 'C:\\temp' });
      expect(warnings.map((w) => [w.kind, w.origin, w.input])).to.deep.equal([['incompatible', 'cli', 'group=EU onboarding'], ['disagreement', 'cli', 'path="C:\\temp"']]);
    });

    it('a label named __proto__ or constructor is a label like any other', () => {
      const labels = parseLabelArgs(['__proto__=x', 'constructor=y']);
      expect(Object.hasOwn(labels, '__proto__')).to.equal(true);
      expect(labels.constructor).to.equal('y');
      expect(Object.getPrototypeOf(labels)).to.equal(Object.prototype);
    });
  });

  describe('testRoute', () => {
    const tree = buildRouteTree({
      receiver: 'root', matchers: [], continue: false,
      routes: [
        { receiver: 'proto', matchers: ['__proto__ = "x"'], continue: false, routes: [] },
        { receiver: 'no-constructor', matchers: ['constructor = ""', 'type = "LiveCheck"'], continue: false, routes: [] },
      ],
    });

    it('routes on a label named __proto__ that was given', () => {
      expect(testRoute(tree, {}, parseLabelArgs(['__proto__=x'])).receivers).to.deep.equal(['proto']);
    });

    it('a label named constructor that was not given is "" (never Object.prototype.constructor)', () => {
      expect(testRoute(tree, {}, parseLabelArgs(['type=LiveCheck'])).receivers).to.deep.equal(['no-constructor']);
      expect(testRoute(tree, {}, parseLabelArgs(['type=LiveCheck', 'constructor=x'])).receivers).to.deep.equal(['root']);
    });
  });
});
