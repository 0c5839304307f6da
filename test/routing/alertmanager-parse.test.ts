/**
 * Alertmanager's matcher tests, ported: each case names the file (and test)
 * of prometheus/alertmanager v0.34.0 it comes from. Inputs are the strings the
 * Go tests parse (Go "…" literals rewritten as JavaScript strings, Go `…` raw
 * strings as String.raw), matchers are [operator, label, value].
 */
import { expect } from 'chai';
import { parseClassicMatchers } from '../../src/routing/parse-classic.js';
import { parseUtf8Matcher, parseUtf8Matchers } from '../../src/routing/parse-utf8.js';
import { formatMatcher, matches, newMatcher, parseMatcher, parseMatchers, type Matcher, type MatcherWarning, type MatchOp } from '../../src/routing/matchers.js';

const AM = 'alertmanager v0.34.0';
type M = [MatchOp, string, string];
/** Any error: the source test checks only that there is one. */
const AN_ERROR = Symbol('an error');
/** [input, matchers read | Alertmanager's error message | AN_ERROR] */
type Case = [string, M[] | string | typeof AN_ERROR];

const triple = (m: Matcher): M => [m.op, m.label, m.value];

/** Runs a table against a parser: the matchers it reads, or the exact error message. */
function table(source: string, parse: (input: string) => Matcher[], cases: Case[]) {
  describe(`${AM} ${source}`, () => {
    for (const [input, want] of cases) {
      const title = want === AN_ERROR ? 'an error' : typeof want === 'string' ? `error ${JSON.stringify(want)}` : JSON.stringify(want);
      it(`${JSON.stringify(input)} → ${title}`, () => {
        if (want === AN_ERROR) expect(() => parse(input)).to.throw();
        else if (typeof want === 'string') expect(() => parse(input)).to.throw().with.property('message', want);
        else expect(parse(input).map(triple)).to.deep.equal(want);
      });
    }
  });
}

const eq = (l: string, v: string): M => ['=', l, v];
const ne = (l: string, v: string): M => ['!=', l, v];
const re = (l: string, v: string): M => ['=~', l, v];
const nre = (l: string, v: string): M => ['!~', l, v];

describe('Alertmanager matcher tests, ported', () => {
  table('matcher/parse/parse_test.go TestMatchers (the UTF-8 parser)', parseUtf8Matchers, [
    ['', []], // no braces
    ['{}', []], // open and closing braces
    ['{foo=bar}', [eq('foo', 'bar')]],
    ['{foo=bar,}', [eq('foo', 'bar')]],
    ['{foo!=bar}', [ne('foo', 'bar')]],
    ['{foo=~[a-z]+}', [re('foo', '[a-z]+')]],
    ['{foo!~[a-z]+}', [nre('foo', '[a-z]+')]],
    ['{foo=🙂}', [eq('foo', '🙂')]],
    ['{foo=🙂bar}', [eq('foo', '🙂bar')]],
    ['foo=bar', [eq('foo', 'bar')]],
    ['foo=bar,', [eq('foo', 'bar')]],
    ['foo!=bar', [ne('foo', 'bar')]],
    ['foo=~[a-z]+', [re('foo', '[a-z]+')]],
    ['foo!~[a-z]+', [nre('foo', '[a-z]+')]],
    ['{"foo"="bar"}', [eq('foo', 'bar')]],
    ['{"foo"="bar",}', [eq('foo', 'bar')]],
    ['{"foo"!="bar"}', [ne('foo', 'bar')]],
    ['{"foo"=~"[a-z]+"}', [re('foo', '[a-z]+')]],
    [String.raw`{"foo"=~"\\d+"}`, [re('foo', String.raw`\d+`)]],
    ['{"foo"!~"[a-z]+"}', [nre('foo', '[a-z]+')]],
    ['{"foo"="🙂"}', [eq('foo', '🙂')]],
    [String.raw`{"foo"="\xf0\x9f\x99\x82"}`, [eq('foo', '🙂')]],
    [String.raw`{"foo"="\U0001f642"}`, [eq('foo', '🙂')]],
    ['{"foo"="🙂bar"}', [eq('foo', '🙂bar')]],
    [String.raw`{"foo"="bar\n"}`, [eq('foo', 'bar\n')]],
    [String.raw`{"foo"="bar\t"}`, [eq('foo', 'bar\t')]],
    [String.raw`{"foo"="\"bar\""}`, [eq('foo', '"bar"')]],
    [String.raw`{"foo"="bar\\"}`, [eq('foo', 'bar\\')]],
    ['"foo"="bar"', [eq('foo', 'bar')]],
    ['"foo"="bar",', [eq('foo', 'bar')]],
    ['{foo=bar,bar!=baz}', [eq('foo', 'bar'), ne('bar', 'baz')]],
    ['{foo="bar",bar!="baz"}', [eq('foo', 'bar'), ne('bar', 'baz')]],
    ['foo=bar,bar!=baz', [eq('foo', 'bar'), ne('bar', 'baz')]],
    ['foo="bar",bar!="baz"', [eq('foo', 'bar'), ne('bar', 'baz')]],
    [',', '0:1: unexpected ,: expected label name'],
    ['{,}', '1:2: unexpected ,: expected label name'],
    ['{', '0:1: end of input: expected close brace'],
    ['}', '0:1: }: expected opening brace'],
    ['foo=bar}', '0:8: }: expected opening brace'],
    ['{foo=bar', '0:8: end of input: expected close brace'],
    ['{foo=:"bar"}', '6:11: unexpected "bar": expected a comma or close brace'],
    [String.raw`{foo="bar\w"}`, String.raw`5:12: "bar\w": invalid input`],
    [String.raw`{"foo"=~"\d+"}`, String.raw`8:13: "\d+": invalid input`],
    [String.raw`{foo=bar\n}`, String.raw`8:9: \: invalid input: expected a comma or close brace`],
    [String.raw`{"foo"="\xf0\x9f"}`, String.raw`7:17: "\xf0\x9f": invalid input`],
  ]);

  table('matcher/parse/parse_test.go TestMatcher (the UTF-8 parser, one matcher)', (input) => [parseUtf8Matcher(input)], [
    ['{foo=bar}', [eq('foo', 'bar')]],
    ['{foo=bar,}', [eq('foo', 'bar')]],
    ['{foo!=bar}', [ne('foo', 'bar')]],
    ['{foo=~[a-z]+}', [re('foo', '[a-z]+')]],
    ['{foo!~[a-z]+}', [nre('foo', '[a-z]+')]],
    ['{foo=🙂}', [eq('foo', '🙂')]],
    [String.raw`{"foo"="\xf0\x9f\x99\x82"}`, [eq('foo', '🙂')]],
    [String.raw`{"foo"="\U0001f642"}`, [eq('foo', '🙂')]],
    ['{foo=🙂bar}', [eq('foo', '🙂bar')]],
    ['foo=bar', [eq('foo', 'bar')]],
    ['foo=bar,', [eq('foo', 'bar')]],
    ['foo!=bar', [ne('foo', 'bar')]],
    ['foo=~[a-z]+', [re('foo', '[a-z]+')]],
    ['foo!~[a-z]+', [nre('foo', '[a-z]+')]],
    ['{"foo"="bar"}', [eq('foo', 'bar')]],
    ['{"foo"="bar",}', [eq('foo', 'bar')]],
    ['{"foo"!="bar"}', [ne('foo', 'bar')]],
    ['{"foo"=~"[a-z]+"}', [re('foo', '[a-z]+')]],
    ['{"foo"!~"[a-z]+"}', [nre('foo', '[a-z]+')]],
    ['{"foo"="🙂"}', [eq('foo', '🙂')]],
    ['{"foo"="🙂bar"}', [eq('foo', '🙂bar')]],
    [String.raw`{"foo"="bar\n"}`, [eq('foo', 'bar\n')]],
    [String.raw`{"foo"="bar\t"}`, [eq('foo', 'bar\t')]],
    [String.raw`{"foo"="\"bar\""}`, [eq('foo', '"bar"')]],
    [String.raw`{"foo"="bar\\"}`, [eq('foo', 'bar\\')]],
    ['"foo"="bar"', [eq('foo', 'bar')]],
    ['"foo"="bar",', [eq('foo', 'bar')]],
    ['', 'no matchers'],
    ['{}', 'no matchers'],
    ['foo=bar,bar=baz', 'expected 1 matcher, found 2'],
    [String.raw`foo="\xf0\x9f"`, String.raw`4:14: "\xf0\x9f": invalid input`],
  ]);

  // The cases the compliance test runs (not those it skips: the fallback table below has them).
  // It checks only that an error is returned, so the messages here are what the UTF-8 parser says.
  table('matcher/compliance/compliance_test.go TestCompliance (the UTF-8 parser)', parseUtf8Matchers, [
    ['{foo=bar}', [eq('foo', 'bar')]],
    ['{foo="bar"}', [eq('foo', 'bar')]],
    ['{foo=~bar.*}', [re('foo', 'bar.*')]],
    ['{foo=~"bar.*"}', [re('foo', 'bar.*')]],
    ['{foo!=bar}', [ne('foo', 'bar')]],
    ['{foo!="bar"}', [ne('foo', 'bar')]],
    ['{foo!~bar.*}', [nre('foo', 'bar.*')]],
    ['{foo!~"bar.*"}', [nre('foo', 'bar.*')]],
    ['{foo="bar", baz!="quux"}', [eq('foo', 'bar'), ne('baz', 'quux')]],
    ['{foo="bar", baz!~"quux.*"}', [eq('foo', 'bar'), nre('baz', 'quux.*')]],
    ['{foo="bar",baz!~".*quux", derp="wat"}', [eq('foo', 'bar'), nre('baz', '.*quux'), eq('derp', 'wat')]],
    ['{foo="bar", baz!="quux", derp="wat"}', [eq('foo', 'bar'), ne('baz', 'quux'), eq('derp', 'wat')]],
    ['{foo="bar", baz!~".*quux.*", derp="wat"}', [eq('foo', 'bar'), nre('baz', '.*quux.*'), eq('derp', 'wat')]],
    ['{foo="bar", instance=~"some-api.*"}', [eq('foo', 'bar'), re('instance', 'some-api.*')]],
    ['{foo=""}', [eq('foo', '')]],
    ['{foo="bar,quux", job="job1"}', [eq('foo', 'bar,quux'), eq('job', 'job1')]],
    ['{foo = "bar", dings != "bums", }', [eq('foo', 'bar'), ne('dings', 'bums')]],
    ['foo=bar,dings!=bums', [eq('foo', 'bar'), ne('dings', 'bums')]],
    [String.raw`{quote="She said: \"Hi, ladies! That's gender-neutral…\""}`, [eq('quote', `She said: "Hi, ladies! That's gender-neutral…"`)]],
    ['statuscode=~"5.."', [re('statuscode', '5..')]],
    [String.raw`contains_quote != "\"" , contains_comma !~ "foo,bar" , `, [ne('contains_quote', '"'), nre('contains_comma', 'foo,bar')]],
    ['{name-with-dashes = "bar"}', [eq('name-with-dashes', 'bar')]],
    ['{,}', AN_ERROR],
    ['job="value', AN_ERROR],
    ['job=value"', AN_ERROR],
    [String.raw`trickier==\\=\=\""`, AN_ERROR],
    ['contains_unescaped_quote = foo"bar', AN_ERROR],
    ['{foo=~"invalid[regexp"}', AN_ERROR],
    [String.raw`"{foo=\"bar"}`, AN_ERROR],
    [String.raw`"foo=\"bar"`, AN_ERROR],
    [String.raw`"foo=\"bar\""`, AN_ERROR],
    [String.raw`"foo=\"bar\"`, AN_ERROR],
    [String.raw`"{foo=\"bar\"}"`, AN_ERROR],
    ['"foo="bar""', AN_ERROR],
    ['{{foo=', AN_ERROR],
  ]);

  table('pkg/labels/parse_test.go TestMatchers (the classic parser)', parseClassicMatchers, [
    ['{}', []],
    [',', 'bad matcher format: '],
    ['{,}', 'bad matcher format: '],
    ["{foo='}", [eq('foo', "'")]],
    ['{foo=`}', [eq('foo', '`')]],
    ['{foo=\\"}', [eq('foo', '"')]],
    ['{foo=bar}', [eq('foo', 'bar')]],
    ['{foo="bar"}', [eq('foo', 'bar')]],
    ['{foo=~bar.*}', [re('foo', 'bar.*')]],
    ['{foo=~"bar.*"}', [re('foo', 'bar.*')]],
    ['{foo!=bar}', [ne('foo', 'bar')]],
    ['{foo!="bar"}', [ne('foo', 'bar')]],
    ['{foo!~bar.*}', [nre('foo', 'bar.*')]],
    ['{foo!~"bar.*"}', [nre('foo', 'bar.*')]],
    ['{foo="bar", baz!="quux"}', [eq('foo', 'bar'), ne('baz', 'quux')]],
    ['{foo="bar", baz!~"quux.*"}', [eq('foo', 'bar'), nre('baz', 'quux.*')]],
    ['{foo="bar",baz!~".*quux", derp="wat"}', [eq('foo', 'bar'), nre('baz', '.*quux'), eq('derp', 'wat')]],
    ['{foo="bar", baz!="quux", derp="wat"}', [eq('foo', 'bar'), ne('baz', 'quux'), eq('derp', 'wat')]],
    ['{foo="bar", baz!~".*quux.*", derp="wat"}', [eq('foo', 'bar'), nre('baz', '.*quux.*'), eq('derp', 'wat')]],
    ['{foo="bar", instance=~"some-api.*"}', [eq('foo', 'bar'), re('instance', 'some-api.*')]],
    ['{foo=""}', [eq('foo', '')]],
    ['{foo="bar,quux", job="job1"}', [eq('foo', 'bar,quux'), eq('job', 'job1')]],
    ['{foo = "bar", dings != "bums", }', [eq('foo', 'bar'), ne('dings', 'bums')]],
    ['foo=bar,dings!=bums', [eq('foo', 'bar'), ne('dings', 'bums')]],
    [String.raw`{quote="She said: \"Hi, ladies! That's gender-neutral…\""}`, [eq('quote', `She said: "Hi, ladies! That's gender-neutral…"`)]],
    ['statuscode=~"5.."', [re('statuscode', '5..')]],
    ['tricky=~~~', [re('tricky', '~~')]],
    [String.raw`trickier==\\=\=\"`, [eq('trickier', String.raw`=\=\="`)]],
    [String.raw`contains_quote != "\"" , contains_comma !~ "foo,bar" , `, [ne('contains_quote', '"'), nre('contains_comma', 'foo,bar')]],
    ['{foo=bar}}', [eq('foo', 'bar}')]],
    ['{foo=bar}},}', [eq('foo', 'bar}}')]],
    ['{foo=,bar=}}', [eq('foo', ''), eq('bar', '}')]],
    [String.raw`{foo=bar\t}`, [eq('foo', 'bar\\t')]],
    [String.raw`{foo=bar\n}`, [eq('foo', 'bar\n')]],
    [String.raw`{foo=bar\}`, [eq('foo', 'bar\\')]],
    [String.raw`{foo=bar\\}`, [eq('foo', 'bar\\')]],
    [String.raw`{foo=bar\"}`, [eq('foo', 'bar"')]],
    ['job=', [eq('job', '')]],
    ['job="value', 'matcher value contains unescaped double quote: "value'],
    ['job=value"', 'matcher value contains unescaped double quote: value"'],
    [String.raw`trickier==\\=\=\""`, String.raw`matcher value contains unescaped double quote: =\\=\=\""`],
    ['contains_unescaped_quote = foo"bar', 'matcher value contains unescaped double quote: foo"bar'],
    ['{invalid-name = "valid label"}', 'bad matcher format: invalid-name = "valid label"'],
    ['{foo=~"invalid[regexp"}', 'error parsing regexp: missing closing ]: `[regexp)$`'],
    [String.raw`"{foo=\"bar"}`, String.raw`bad matcher format: "{foo=\"bar"`],
    [String.raw`"foo=\"bar"`, String.raw`bad matcher format: "foo=\"bar"`],
    [String.raw`"foo=\"bar\""`, String.raw`bad matcher format: "foo=\"bar\""`],
    [String.raw`"foo=\"bar\"`, String.raw`bad matcher format: "foo=\"bar\"`],
    [String.raw`"{foo=\"bar\"}"`, String.raw`bad matcher format: "{foo=\"bar\"}"`],
    ['"foo="bar""', 'bad matcher format: "foo="bar""'],
    ['{{foo=', 'bad matcher format: {foo='],
    ['{foo=', [eq('foo', '')]],
    ['{foo=}b', [eq('foo', '}b')]],
  ]);

  /** A fallback table: what the default mode reads, and the warning it logs (none, incompatible or disagreement). */
  function fallbackTable(source: string, parse: (input: string, warn: (w: MatcherWarning) => void) => Matcher[], cases: Array<[string, M[] | string, ('incompatible' | 'disagreement')?]>) {
    describe(`${AM} ${source}`, () => {
      for (const [input, want, warning] of cases) {
        it(`${JSON.stringify(input)} → ${typeof want === 'string' ? `error ${JSON.stringify(want)}` : JSON.stringify(want)}${warning ? `, warning (${warning})` : ''}`, () => {
          const warnings: MatcherWarning[] = [];
          if (typeof want === 'string') {
            expect(() => parse(input, (w) => warnings.push(w))).to.throw().with.property('reason', want);
          } else {
            expect(parse(input, (w) => warnings.push(w)).map(triple)).to.deep.equal(want);
          }
          expect(warnings.map((w) => w.kind)).to.deep.equal(warning ? [warning] : []);
        });
      }
    });
  }

  fallbackTable('matcher/compat/parse_test.go TestFallbackMatcherParser (the default mode, one matcher)', (input, warn) => [parseMatcher(input, { warn })], [
    ['foo=bar', [eq('foo', 'bar')]], // input is accepted
    ['foo!bar', 'bad matcher format: foo!bar'], // input is accepted in neither
    ['foo🙂=bar', [eq('foo🙂', 'bar')]], // input is accepted in matchers/parse but not pkg/labels
    ['foo=!bar\\n', [eq('foo', '!bar\n')], 'incompatible'], // input is accepted in pkg/labels but not matchers/parse
    [String.raw`foo="\xf0\x9f\x99\x82"`, [eq('foo', String.raw`\xf0\x9f\x99\x82`)], 'disagreement'], // input causes disagreement
  ]);

  fallbackTable('matcher/compat/parse_test.go TestFallbackMatchersParser (the default mode)', (input, warn) => parseMatchers(input, { warn }), [
    ['{foo=bar,bar=baz}', [eq('foo', 'bar'), eq('bar', 'baz')]],
    ['{foo!bar}', 'bad matcher format: foo!bar'],
    ['{foo🙂=bar,bar=baz🙂}', [eq('foo🙂', 'bar'), eq('bar', 'baz🙂')]],
    ['{foo=!bar,bar=$baz\\n}', [eq('foo', '!bar'), eq('bar', '$baz\n')], 'incompatible'],
    [String.raw`{foo="\xf0\x9f\x99\x82"}`, [eq('foo', String.raw`\xf0\x9f\x99\x82`)], 'disagreement'],
  ]);

  // The cases the compliance test skips are those the UTF-8 parser reads differently from the classic one:
  // the default mode reads them as the classic parser does, with a warning.
  fallbackTable('matcher/compliance/compliance_test.go TestCompliance, skipped cases (the default mode)', (input, warn) => parseMatchers(input, { warn }), [
    ['{}', []], // no warning here: see "Deliberate differences" in docs/routing.md
    ["{foo='}", [eq('foo', "'")], 'incompatible'],
    ['{foo=`}', [eq('foo', '`')], 'incompatible'],
    [String.raw`{foo=\n}`, [eq('foo', '\n')], 'incompatible'],
    [String.raw`{foo=bar\n}`, [eq('foo', 'bar\n')], 'incompatible'],
    [String.raw`{foo=\t}`, [eq('foo', '\\t')], 'incompatible'],
    [String.raw`{foo=bar\t}`, [eq('foo', 'bar\\t')], 'incompatible'],
    [String.raw`{foo=bar\}`, [eq('foo', 'bar\\')], 'incompatible'],
    [String.raw`{foo=bar\\}`, [eq('foo', 'bar\\')], 'incompatible'],
    [String.raw`{foo=\"}`, [eq('foo', '"')], 'incompatible'],
    [String.raw`{foo=bar\"}`, [eq('foo', 'bar"')], 'incompatible'],
    ['tricky=~~~', [re('tricky', '~~')], 'incompatible'],
    [String.raw`trickier==\\=\=\"`, [eq('trickier', String.raw`=\=\="`)], 'incompatible'],
    ['{foo=bar}}', [eq('foo', 'bar}')], 'incompatible'],
    ['{foo=bar}},}', [eq('foo', 'bar}}')], 'incompatible'],
    ['{foo=,bar=}}', [eq('foo', ''), eq('bar', '}')], 'incompatible'],
    ['job=', [eq('job', '')], 'incompatible'],
    ['{foo=', [eq('foo', '')], 'incompatible'],
    ['{foo=}b', [eq('foo', '}b')], 'incompatible'],
  ]);

  describe(`${AM} pkg/labels/matcher_test.go TestMatcher (matching a value)`, () => {
    const cases: Array<[MatchOp, string, string, boolean]> = [
      ['=', 'bar', 'bar', true],
      ['=', 'bar', 'foo-bar', false],
      ['!=', 'bar', 'bar', false],
      ['!=', 'bar', 'foo-bar', true],
      ['=~', 'bar', 'bar', true],
      ['=~', 'bar', 'foo-bar', false],
      ['=~', '.*bar', 'foo-bar', true],
      ['!~', 'bar', 'bar', false],
      ['!~', 'bar', 'foo-bar', true],
      ['!~', '.*bar', 'foo-bar', false],
      ['=~', 'foo.bar', 'foo-bar', true],
      ['=~', String.raw`foo\.bar`, 'foo-bar', false],
      ['=~', String.raw`foo\.bar`, 'foo.bar', true],
      ['=', 'foo\nbar', 'foo\nbar', true],
      ['=~', 'foo.bar', 'foo\nbar', false],
      ['=~', '(?s)foo.bar', 'foo\nbar', true],
      ['=', '~!="', '~!="', true],
    ];
    for (const [op, value, input, want] of cases) {
      it(`${op} ${JSON.stringify(value)} on ${JSON.stringify(input)} → ${want}`, () => {
        expect(matches(newMatcher(op, '', value), { '': input })).to.equal(want);
      });
    }
  });

  describe(`${AM} pkg/labels/matcher_test.go TestMatcherString (a matcher written back)`, () => {
    const cases: Array<[string, MatchOp, string, string]> = [
      ['foo', '=', 'bar', 'foo="bar"'],
      ['foo', '!=', 'bar', 'foo!="bar"'],
      ['foo', '=~', 'bar', 'foo=~"bar"'],
      ['foo', '!~', 'bar', 'foo!~"bar"'],
      ['foo', '=', String.raw`back\slash`, String.raw`foo="back\\slash"`],
      ['foo', '=', 'double"quote', String.raw`foo="double\"quote"`],
      ['foo', '=', 'new\nline', String.raw`foo="new\nline"`],
      ['foo', '=', 'tab\tstop', 'foo="tab\tstop"'],
      ['foo', '=', '🙂', 'foo="🙂"'],
      ['foo!', '!=', 'bar', '"foo!"!="bar"'],
      ['foo🙂', '=', 'bar', 'foo🙂="bar"'],
      ['foo bar', '=', 'baz', '"foo bar"="baz"'],
    ];
    for (const [label, op, value, want] of cases) {
      it(`${JSON.stringify(label)} ${op} ${JSON.stringify(value)} → ${want}`, () => {
        expect(formatMatcher({ label, op, value })).to.equal(want);
        // And the UTF-8 parser reads it back to the same matcher.
        expect(parseUtf8Matchers(want).map(triple)).to.deep.equal([[op, label, value]]);
      });
    }
  });
});
