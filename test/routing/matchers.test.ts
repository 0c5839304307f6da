import { expect } from 'chai';
import { matches, parseMatcher, parseMatchers } from '../../src/routing/matchers.js';

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

  describe('parseMatcher', () => {
    it('reads label, operator and value, and keeps the text for messages', () => {
      const m = parseMatcher('  status =~ "Rejected|Failed"  ');
      expect(m).to.include({ label: 'status', op: '=~', value: 'Rejected|Failed', text: 'status =~ "Rejected|Failed"' });
      expect(parseMatcher('type != LiveCheck')).to.include({ label: 'type', op: '!=', value: 'LiveCheck' });
      expect(parseMatcher('groupId=""')).to.include({ label: 'groupId', op: '=', value: '' });
    });

    for (const bad of ['status', 'status == "x"', '= "x"', 'status ~ "x"', 'status = "unclosed', 'status = two words', '1abc = "x"', 'status = "x" extra']) {
      it(`refuses ${JSON.stringify(bad)} with a message that says how to write one`, () => {
        expect(() => parseMatcher(bad)).to.throw(/cannot parse matcher .*operator \(=, !=, =~, !~\)/);
      });
    }

    it('refuses a regex that does not compile, naming the matcher', () => {
      expect(() => parseMatcher('status =~ "Rejected|(Failed"')).to.throw(/invalid regular expression in matcher "status =~ \\"Rejected\|\(Failed\\""/);
    });
  });

  describe('parseMatchers (one entry of a route\'s list, as Alertmanager reads it)', () => {
    const read = (text: string) => parseMatchers(text).map((m) => [m.label, m.op, m.value]);

    it('reads one matcher, several comma-separated, or several in braces', () => {
      expect(read('status = "Rejected"')).to.deep.equal([['status', '=', 'Rejected']]);
      expect(read('type = "LiveCheck", status =~ "Rejected|Failed"')).to.deep.equal([['type', '=', 'LiveCheck'], ['status', '=~', 'Rejected|Failed']]);
      expect(read(' {type="LiveCheck",status!~"Completed"} ')).to.deep.equal([['type', '=', 'LiveCheck'], ['status', '!~', 'Completed']]);
      expect(read('{type = "LiveCheck",}'), 'a trailing comma').to.deep.equal([['type', '=', 'LiveCheck']]);
      expect(read('{}'), 'no matchers').to.deep.equal([]);
    });

    it('does not split on a comma inside a quoted value, escaped quotes included', () => {
      expect(read('{group = "Acme, Inc.", note = \'say "hi", \\\'bye\\\'\', warnings =~ ".*A,B.*"}')).to.deep.equal([
        ['group', '=', 'Acme, Inc.'], ['note', '=', 'say "hi", \'bye\''], ['warnings', '=~', '.*A,B.*'],
      ]);
    });

    for (const [bad, why] of [
      ['{type = "LiveCheck"', /opening \{ needs a closing \}/],
      ['type = "LiveCheck"}', /opening \{ needs a closing \}/],
      ['type = "LiveCheck",, status = "x"', /empty matcher between commas/],
      ['', /cannot parse matcher/],
      ['{type = "LiveCheck", status}', /cannot parse matcher "status"/],
    ] as const) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(() => parseMatchers(bad)).to.throw(why);
      });
    }
  });
});
