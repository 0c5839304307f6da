import { expect } from 'chai';
import { groupKeyOf } from '../../src/grouping/group-key.js';
import { isMuted, mutedUntil } from '../../src/grouping/mute.js';
import { firstReminderAt, nextReminderAt } from '../../src/grouping/reminders.js';
import { intervalContains, parseTimeInterval, type RawTimeInterval } from '../../src/grouping/time-intervals.js';
import { decideFlush } from '../../src/grouping/window.js';
import type { NamedTimeInterval } from '../../src/model/time-interval.js';

const at = (iso: string) => Date.parse(iso);
const spec = (raw: RawTimeInterval) => {
  const { spec: s, problems } = parseTimeInterval(raw);
  expect(problems).to.deep.equal([]);
  return s;
};
const named = (name: string, ...raws: RawTimeInterval[]): NamedTimeInterval => ({ name, intervals: raws.map(spec) });

describe('grouping/group-key', () => {
  const labels = { type: 'RecurringWatchlistSearch', groupId: 'g1', status: 'Completed', id: 'x', group: 'EU' };
  const cases: Array<[string, string[] | undefined, string | null]> = [
    ['no group_by on the route or above: no grouping', undefined, null],
    ["['...']: every label, i.e. no grouping", ['...'], null],
    ['[]: one group for the whole route', [], '[]'],
    ['by groupId and type, in name order', ['type', 'groupId'], '[["groupId","g1"],["type","RecurringWatchlistSearch"]]'],
    ['a label the event lacks is empty', ['region'], '[["region",""]]'],
  ];
  for (const [what, groupBy, key] of cases) {
    it(what, () => expect(groupKeyOf(groupBy, labels)?.key ?? null).to.equal(key));
  }
});

describe('grouping/window: decideFlush', () => {
  const cases: Array<[string, Parameters<typeof decideFlush>[0], ReturnType<typeof decideFlush>]> = [
    ['nothing new: the group closes', { fresh: 0, digested: true, held: false, intervalMs: 300_000 }, { action: 'close' }],
    ['one event, no digest yet: its single message', { fresh: 1, digested: false, held: false, intervalMs: 300_000 }, { action: 'single', nextFlushAt: 1300_000 }],
    ['several: a digest, then group_interval', { fresh: 2, digested: false, held: false, intervalMs: 300_000 }, { action: 'digest', nextFlushAt: 1300_000 }],
    ['one more after a digest: the digest is edited', { fresh: 1, digested: true, held: false, intervalMs: 300_000 }, { action: 'digest', nextFlushAt: 1300_000 }],
    ['held deliveries: one digest, then closed', { fresh: 5, digested: false, held: true, intervalMs: 0 }, { action: 'digest', nextFlushAt: null }],
    ['one held delivery: its single message, then closed', { fresh: 1, digested: false, held: true, intervalMs: 0 }, { action: 'single', nextFlushAt: null }],
  ];
  for (const [what, state, decision] of cases) it(what, () => expect(decideFlush(state, 1_000_000)).to.deep.equal(decision));
});

describe('grouping/time-intervals: Alertmanager syntax and membership', () => {
  const problems: Array<[string, RawTimeInterval, string]> = [
    ['a time out of range', { times: [{ start_time: '25:00', end_time: '26:00' }] }, "couldn't parse timestamp 25:00"],
    ['an end before the start', { times: [{ start_time: '10:00', end_time: '09:00' }] }, 'start time cannot be equal or greater than end time'],
    ['an unknown weekday', { weekdays: ['funday'] }, 'funday is not a valid weekday'],
    ['a weekday range that wraps (as in Alertmanager)', { weekdays: ['saturday:sunday'] }, 'start day cannot be before end day'],
    ['day 0', { days_of_month: ['0'] }, '0 is not a valid day of the month'],
    ['a negative start with a positive end', { days_of_month: ['-3:5'] }, 'end day must be negative if start day is negative'],
    ['months backwards', { months: ['may:january'] }, 'end month january is before start month may'],
    ['an unknown zone', { location: 'Mars/Olympus' }, 'unknown time zone "Mars/Olympus"'],
  ];
  for (const [what, raw, message] of problems) {
    it(`refuses ${what}`, () => expect(parseTimeInterval(raw).problems.map((p) => p.message).join()).to.include(message));
  }
  const member: Array<[string, RawTimeInterval, string, boolean]> = [
    ['weekend contains Saturday', { weekdays: ['saturday', 'sunday'] }, '2024-05-18T12:00:00Z', true],
    ['weekend excludes Friday', { weekdays: ['saturday', 'sunday'] }, '2024-05-17T23:59:00Z', false],
    ['times end exclusive', { times: [{ start_time: '09:00', end_time: '17:00' }] }, '2024-05-17T17:00:00Z', false],
    ['times start inclusive', { times: [{ start_time: '09:00', end_time: '17:00' }] }, '2024-05-17T09:00:00Z', true],
    ['24:00 ends the day', { times: [{ start_time: '22:00', end_time: '24:00' }] }, '2024-05-17T23:59:59Z', true],
    ['-1 is the last day of February in a leap year', { days_of_month: ['-1'] }, '2024-02-29T10:00:00Z', true],
    ['-1 is not the 28th in a leap year', { days_of_month: ['-1'] }, '2024-02-28T10:00:00Z', false],
    ['months by name and number', { months: ['1:march'] }, '2024-03-31T10:00:00Z', true],
    ['years', { years: ['2020:2023'] }, '2024-01-01T00:00:00Z', false],
    ['in a zone: 08:30 in Berlin is 06:30 UTC in summer', { times: [{ start_time: '08:00', end_time: '09:00' }], location: 'Europe/Berlin' }, '2024-07-01T06:30:00Z', true],
    ['in a zone, the weekday is local', { weekdays: ['saturday'], location: 'Pacific/Auckland' }, '2024-05-17T13:00:00Z', true],
  ];
  for (const [what, raw, when, inside] of member) it(what, () => expect(intervalContains(spec(raw), at(when))).to.equal(inside));
});

describe('grouping/mute: muted, and until when', () => {
  const weekend = named('weekend', { weekdays: ['saturday', 'sunday'], location: 'Europe/London' });
  const office = named('office', { weekdays: ['monday:friday'], times: [{ start_time: '09:00', end_time: '17:00' }] });
  it('a mute interval holds until it ends, in its zone (Monday 00:00 London is Sunday 23:00 UTC in summer)', () => {
    expect(mutedUntil({ mute: [weekend], active: [] }, at('2024-05-18T12:00:00Z'))).to.equal(at('2024-05-19T23:00:00Z'));
  });
  it('not muted outside it', () => expect(mutedUntil({ mute: [weekend], active: [] }, at('2024-05-17T12:00:00Z'))).to.equal(null));
  it('outside every active interval is muted, until the next one starts', () => {
    expect(isMuted({ mute: [], active: [office] }, at('2024-05-17T18:00:00Z'))).to.equal(true);
    expect(mutedUntil({ mute: [], active: [office] }, at('2024-05-17T18:00:00Z'))).to.equal(at('2024-05-20T09:00:00Z'));
  });
});

describe('grouping/reminders', () => {
  const remind = { afterMs: 4 * 3_600_000, statuses: ['AwaitingReview'], repeat: 2 };
  it('due `after` the event, in a listed status only', () => {
    expect(firstReminderAt(remind, 'AwaitingReview', 1000)).to.equal(1000 + remind.afterMs);
    expect(firstReminderAt(remind, 'Completed', 1000)).to.equal(null);
    expect(firstReminderAt(undefined, 'AwaitingReview', 1000)).to.equal(null);
  });
  it('again every `after`, at most `repeat` in all', () => {
    expect(nextReminderAt(remind, 1, 5000)).to.equal(5000 + remind.afterMs);
    expect(nextReminderAt(remind, 2, 5000)).to.equal(null);
  });
});
