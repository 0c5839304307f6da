import { expect } from 'chai';
import { RE2JS } from 're2js';
import { MatcherError, matches, parseMatcher, parseMatchers, type MatcherWarning } from '../../src/routing/matchers.js';

/** [matcher as written in YAML, labels, expected] */
type Row = [string, Record<string, string>, boolean];

describe('routing/matchers', () => {
  describe('matches (Alertmanager semantics)', () => {
    const rows: Row[] = [
      // = and != compare whole values, case-sensitively
      ['status = "Rejected"', { status: 'Rejected' }, true],
      ['status = "Rejected"', { status: 'rejected' }, false],
      ['status = "Reject"', { status: 'Rejected' }, false],
      ['status != "Rejected"', { status: 'Rejected' }, false],
      ['status != "Rejected"', { status: 'Completed' }, true],
      // =~ and !~ are anchored at both ends
      ['status =~ "Reject"', { status: 'Rejected' }, false],
      ['status =~ "Reject.*"', { status: 'Rejected' }, true],
      ['status =~ "ejected"', { status: 'Rejected' }, false],
      ['status =~ "Rejected|Failed"', { status: 'Failed' }, true],
      // The alternation is grouped: "Rejected|Failed" must not become ^Rejected|Failed$.
      ['status =~ "Rejected|Failed"', { status: 'RejectedX' }, false],
      ['status =~ "Rejected|Failed"', { status: 'XFailed' }, false],
      ['status !~ "Reject"', { status: 'Rejected' }, true],
      ['status !~ "Rejected|Failed"', { status: 'Rejected' }, false],
      ['status !~ "Rejected|Failed"', { status: 'Completed' }, true],
      ['type =~ ".*WatchlistSearch"', { type: 'RecurringWatchlistSearch' }, true],
      ['type =~ ".*WatchlistSearch"', { type: 'WatchlistSearchX' }, false],
      // A missing label is the empty string
      ['team = ""', {}, true],
      ['team = "kyc"', {}, false],
      ['team != "kyc"', {}, true],
      ['team != ""', {}, false],
      ['team =~ ".*"', {}, true],
      ['team =~ ".+"', {}, false],
      ['team !~ ".+"', {}, true],
      // Other spellings Alertmanager accepts: no spaces, bare values
      ['status="Rejected"', { status: 'Rejected' }, true],
      ['status=~Reject.*', { status: 'Rejected' }, true],
      ['group = "EU onboarding"', { group: 'EU onboarding' }, true],
      ['group = "EU onboarding"', { group: 'EU' }, false],
      // (?i) up front, as Alertmanager users write it (Go RE2), is case-insensitive, and still anchored
      ['status =~ "(?i)rejected|failed"', { status: 'Rejected' }, true],
      ['status =~ "(?i)rejected|failed"', { status: 'FAILED' }, true],
      ['status =~ "(?i)reject"', { status: 'Rejected' }, false],
      ['status !~ "(?i)rejected"', { status: 'REJECTED' }, false],
      ['status =~ "rejected"', { status: 'Rejected' }, false],
      // Escaped quotes and backslashes in quoted values
      ['id = "a\\"b"', { id: 'a"b' }, true],
      ['id =~ "a\\\\.b"', { id: 'a.b' }, true],
      ['id =~ "a\\\\.b"', { id: 'axb' }, false],
    ];
    for (const [text, labels, expected] of rows) {
      it(`${text} on ${JSON.stringify(labels)} → ${expected}`, () => {
        expect(matches(parseMatcher(text), labels)).to.equal(expected);
      });
    }
  });

  describe('regular expressions are RE2 (Go), as Alertmanager reads them, anchored as ^(?:…)$', () => {
    const rows: Row[] = [
      // Flags and groups Go's regexp has and JavaScript spells otherwise (or not at all)
      ['x =~ "(?s)a.b"', { x: 'a\nb' }, true],
      ['x =~ "a.b"', { x: 'a\nb' }, false],
      ['x =~ "(?i:ab)c"', { x: 'ABc' }, true],
      ['x =~ "(?i:ab)c"', { x: 'ABC' }, false],
      ['x =~ "(?P<word>ab)+"', { x: 'abab' }, true],
      ['x =~ "(?U)a+"', { x: 'aaa' }, true],
      ['x =~ "\\\\Qa.b\\\\E"', { x: 'a.b' }, true],
      ['x =~ "\\\\Qa.b\\\\E"', { x: 'axb' }, false],
      // Unicode classes: \pL is any letter, [[:alpha:]] is ASCII only, \w is ASCII only
      ['x =~ "\\\\pL+"', { x: 'Zoë' }, true],
      ['x =~ "[[:alpha:]]+"', { x: 'abc' }, true],
      ['x =~ "[[:alpha:]]+"', { x: 'Zoë' }, false],
      ['x =~ "\\\\w+"', { x: 'Zoë' }, false],
      // \z is the end of the text, $ too (no multi-line): a trailing newline is not ignored
      ['x =~ "a\\\\z"', { x: 'a' }, true],
      ['x =~ "a$"', { x: 'a\n' }, false],
      ['x =~ "(?m)a$"', { x: 'a\n' }, false],
      // . is one character, an astral one (an emoji is two UTF-16 units) included
      ['x =~ "."', { x: '🙂' }, true],
      ['x =~ ".."', { x: '🙂' }, false],
      // Case folding as Go's: (?i)k matches the Kelvin sign
      ['x =~ "(?i)k"', { x: '\u212a' }, true],
    ];
    for (const [text, labels, expected] of rows) {
      it(`${text} on ${JSON.stringify(labels)} → ${expected}`, () => {
        expect(matches(parseMatcher(text), labels)).to.equal(expected);
      });
    }

    it('are compiled by re2js (linear time), so a pattern that backtracks in JavaScript does not here', () => {
      const m = parseMatcher('id =~ "([a-z0-9]+-?)+"');
      expect(m.regex).to.be.instanceOf(RE2JS);
      expect(m.regex!.pattern()).to.equal('^(?:([a-z0-9]+-?)+)$');
      // Completes (JavaScript's engine takes seconds on the 40-character miss); bench/ has no timing for it, docs/routing.md has the numbers.
      expect(matches(m, { id: 'a'.repeat(39) + '!' })).to.equal(false);
      expect(matches(m, { id: 'a1b2c-d3e4f-'.repeat(4).slice(0, 40) })).to.equal(true);
    });

    // Patterns Go's regexp refuses are refused, with Go's reason.
    for (const [pattern, reason] of [
      ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
      ['(?!a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`'],
      ['(?<=a)b', 'error parsing regexp: invalid named capture: `(?<=a)b)$`'],
      ['a++', 'error parsing regexp: invalid nested repetition operator: `++`'],
      ['(a)\\\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
      ['x{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
      ['[[:foo:]]', 'error parsing regexp: invalid character class range: `[:foo:]`'],
    ] as const) {
      it(`refuses ${pattern}: ${reason}`, () => {
        const text = `x =~ "${pattern}"`;
        const err = catchError(() => parseMatchers(text));
        expect(err).to.be.instanceOf(MatcherError);
        expect(err).to.include({ code: 'matcher_regex_invalid', reason });
        expect(err.message).to.equal(`invalid regular expression in matcher ${JSON.stringify(text)}: ${reason}`);
      });
    }
  });

  describe('label lookups never read the object prototype', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      it(`a label named ${name} that the event does not have is ""`, () => {
        expect(matches(parseMatcher(`${name} = ""`), {})).to.equal(true);
        expect(matches(parseMatcher(`${name} =~ ".+"`), {})).to.equal(false);
        expect(matches(parseMatcher(`${name} != ""`), { type: 'LiveCheck' })).to.equal(false);
      });
    }

    it('a label named constructor that the event has is read', () => {
      const labels = Object.fromEntries([['constructor', 'x'], ['__proto__', 'y']]);
      expect(matches(parseMatcher('constructor = "x"'), labels)).to.equal(true);
      expect(matches(parseMatcher('__proto__ = "y"'), labels)).to.equal(true);
    });
  });

  describe('parseMatcher (one matcher, as compat.Matcher: amtool\'s label arguments)', () => {
    it('reads label, operator and value, and keeps the text for messages', () => {
      const m = parseMatcher('  status =~ "Rejected|Failed"  ');
      expect(m).to.include({ label: 'status', op: '=~', value: 'Rejected|Failed', text: 'status =~ "Rejected|Failed"' });
      expect(parseMatcher('type != LiveCheck')).to.include({ label: 'type', op: '!=', value: 'LiveCheck' });
      expect(parseMatcher('groupId=""')).to.include({ label: 'groupId', op: '=', value: '' });
    });

    // What Alertmanager's default mode says about each (the classic parser's error, when neither parser reads it).
    for (const [bad, reason] of [
      ['status', 'bad matcher format: status'],
      ['status == "x"', 'matcher value contains unescaped double quote: = "x"'],
      ['= "x"', 'bad matcher format: = "x"'],
      ['status ~ "x"', 'bad matcher format: status ~ "x"'],
      ['status = "unclosed', 'matcher value contains unescaped double quote: "unclosed'],
      ['status = "x" extra', 'matcher value contains unescaped double quote: "x" extra'],
      ['{status = "x"}', 'unexpected open or close brace: {status = "x"}'],
      ['status = "x"}', 'unexpected open or close brace: status = "x"}'],
    ] as const) {
      it(`refuses ${JSON.stringify(bad)}: ${reason}`, () => {
        const err = catchError(() => parseMatcher(bad));
        expect(err).to.include({ code: 'matcher_unparseable', reason, status: 400 });
        expect(err.message).to.equal(`cannot parse matcher ${JSON.stringify(bad)}: ${reason}`);
      });
    }

    it('reads what only the UTF-8 parser reads without a warning (a label starting with a digit)', () => {
      const warnings: MatcherWarning[] = [];
      expect(parseMatcher('1abc = "x"', { warn: (w) => warnings.push(w) })).to.include({ label: '1abc', op: '=', value: 'x' });
      expect(warnings).to.deep.equal([]);
    });

    it('reads what only the classic parser reads, with a warning that suggests the UTF-8 spelling', () => {
      const warnings: MatcherWarning[] = [];
      expect(parseMatcher('status = two words', { origin: 'cli', warn: (w) => warnings.push(w) })).to.include({ label: 'status', op: '=', value: 'two words' });
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.deep.include({ kind: 'incompatible', input: 'status = two words', origin: 'cli', suggestion: 'status="two words"', reason: '13:18: unexpected words: expected a comma or close brace' });
    });

    it('the classic fallback reads the rest of the text as the value, commas included', () => {
      expect(parseMatcher('group=Acme, Inc.')).to.include({ label: 'group', value: 'Acme, Inc.' });
    });
  });

  describe('parseMatchers (one entry of a route\'s list, as compat.Matchers)', () => {
    const read = (text: string) => parseMatchers(text).map((m) => [m.label, m.op, m.value]);

    it('reads one matcher, several comma-separated, or several in braces', () => {
      expect(read('status = "Rejected"')).to.deep.equal([['status', '=', 'Rejected']]);
      expect(read('type = "LiveCheck", status =~ "Rejected|Failed"')).to.deep.equal([['type', '=', 'LiveCheck'], ['status', '=~', 'Rejected|Failed']]);
      expect(read(' {type="LiveCheck",status!~"Completed"} ')).to.deep.equal([['type', '=', 'LiveCheck'], ['status', '!~', 'Completed']]);
      expect(read('{type = "LiveCheck",}'), 'a trailing comma').to.deep.equal([['type', '=', 'LiveCheck']]);
      expect(read('{}'), 'no matchers').to.deep.equal([]);
      expect(read(''), 'no matchers either').to.deep.equal([]);
    });

    it('keeps each matcher\'s text as written, for `routes test`', () => {
      expect(parseMatchers('{type = "LiveCheck",status =~ "Rejected|Failed"}').map((m) => m.text)).to.deep.equal(['type = "LiveCheck"', 'status =~ "Rejected|Failed"']);
    });

    it('does not split on a comma inside a double-quoted value, escaped quotes included', () => {
      expect(read('{group = "Acme, Inc.", note = "say \\"hi\\", \\\\o/", warnings =~ ".*A,B.*"}')).to.deep.equal([
        ['group', '=', 'Acme, Inc.'], ['note', '=', 'say "hi", \\o/'], ['warnings', '=~', '.*A,B.*'],
      ]);
    });

    it('reads quoted and UTF-8 label names', () => {
      expect(read('{"foo"="bar", foo🙂=bar, "with space" != ""}')).to.deep.equal([['foo', '=', 'bar'], ['foo🙂', '=', 'bar'], ['with space', '!=', '']]);
    });

    it('keeps single quotes and backticks literally (they do not quote)', () => {
      const warnings: MatcherWarning[] = [];
      expect(parseMatchers("{note='hi'}", { warn: (w) => warnings.push(w) }).map((m) => m.value)).to.deep.equal(["'hi'"]);
      expect(warnings.map((w) => w.kind)).to.deep.equal(['incompatible']);
    });

    it('decodes \\n, \\" and \\\\ in double quotes, as both parsers do', () => {
      const warnings: MatcherWarning[] = [];
      expect(parseMatchers('{a="x\\ny", b="say \\"hi\\"", c="C:\\\\"}', { warn: (w) => warnings.push(w) }).map((m) => m.value)).to.deep.equal(['x\ny', 'say "hi"', 'C:\\']);
      expect(warnings).to.deep.equal([]);
    });

    it('keeps the other Go escapes (\\t, \\u00e9) literally, as the classic reading wins a disagreement, with a warning', () => {
      const warnings: MatcherWarning[] = [];
      expect(parseMatchers('{b="x\\ty", c="\\u00e9"}', { warn: (w) => warnings.push(w) }).map((m) => m.value)).to.deep.equal(['x\\ty', '\\u00e9']);
      expect(warnings.map((w) => w.kind)).to.deep.equal(['disagreement']);
    });

    it('trims an optional { and an optional } independently, as the classic parser does (with a warning)', () => {
      const warnings: MatcherWarning[] = [];
      const warn = (w: MatcherWarning) => warnings.push(w);
      expect(parseMatchers('{type = "LiveCheck"', { warn }).map((m) => m.value)).to.deep.equal(['LiveCheck']);
      expect(parseMatchers('type = "LiveCheck"}', { warn }).map((m) => m.value)).to.deep.equal(['LiveCheck']);
      expect(parseMatchers('{', { warn })).to.deep.equal([]);
      expect(parseMatchers('}', { warn })).to.deep.equal([]);
      expect(warnings.map((w) => [w.kind, w.reason])).to.deep.equal([
        ['incompatible', '0:19: end of input: expected close brace'],
        ['incompatible', '0:19: }: expected opening brace'],
        ['incompatible', '0:1: end of input: expected close brace'],
        ['incompatible', '0:1: }: expected opening brace'],
      ]);
    });

    for (const [bad, reason] of [
      ['type = "LiveCheck",, status = "x"', 'bad matcher format: '],
      ['{type = "LiveCheck", status}', 'bad matcher format: status'],
      ['{note = \'say "hi", bye\'}', 'matcher value contains unescaped double quote: \'say "hi"'],
    ] as const) {
      it(`refuses ${JSON.stringify(bad)}: ${JSON.stringify(reason)}`, () => {
        const err = catchError(() => parseMatchers(bad));
        expect(err).to.include({ code: 'matcher_unparseable', reason });
        expect(err.message).to.equal(`cannot parse matcher ${JSON.stringify(bad)}: ${reason}`);
      });
    }
  });
});

function catchError(fn: () => unknown): MatcherError {
  try {
    fn();
  } catch (err) {
    return err as MatcherError;
  }
  expect.fail('no error thrown');
}
