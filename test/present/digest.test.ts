import { expect } from 'chai';
import type { AverEvent } from '../../src/model/event.js';
import type { GroupDigest } from '../../src/model/job.js';
import { digestLines, digestMessage } from '../../src/present/digest.js';

const T = Date.UTC(2026, 11, 1, 14, 2, 0);
const search = (id: string, status: string): { event: AverEvent; labels: Record<string, string> } => ({
  event: { eventId: `ev-${id}`, type: 'RecurringWatchlistSearch', id, groupId: 'grp-eu', status, receivedAt: T, unknownType: false, unknownStatus: false, raw: {} },
  labels: { type: 'RecurringWatchlistSearch', id, groupId: 'grp-eu', status, group: 'EU onboarding' },
});
const digest: GroupDigest = {
  groupId: 7, kind: 'group', labels: { groupId: 'grp-eu', type: 'RecurringWatchlistSearch' }, openedAt: T,
  total: 1_200, byStatus: { Completed: 1_190, AwaitingReview: 10 }, items: [search('rws-1', 'AwaitingReview'), search('rws-2', 'Completed')],
};
const config = {
  aver: { groups: { 'grp-eu': 'EU onboarding' }, links: { watchlist: 'https://app.goaver.test/watchlist/{id}' } },
  templates: { short: { headline: 'Search {{ id }}: {{ statusWords }}' } },
};
const logger = { warn: () => undefined };

describe('digestMessage: one message for a group, from the same message model as single messages', () => {
  it('names the group and type, counts by status (attention first) and severity, lists items with links, then "and N more"', () => {
    const m = digestMessage(digest, config, { name: 'kyc-slack' }, logger);
    expect(m.headline).to.equal('EU onboarding · Recurring watchlist search: 1,200 events');
    expect(m.byStatus.map((s) => [s.status, s.count])).to.deep.equal([['AwaitingReview', 10], ['Completed', 1_190]]);
    expect(m.bySeverity.reduce((sum, s) => sum + s.count, 0)).to.equal(1_200);
    expect(m.items.map((i) => i.link)).to.deep.equal(['https://app.goaver.test/watchlist/rws-1', 'https://app.goaver.test/watchlist/rws-2']);
    expect(m.more).to.equal(1_198);
    expect(digestLines(m).at(-1)).to.equal('and 1,198 more');
  });

  it("honours the receiver's template in the items it lists", () => {
    const m = digestMessage(digest, config, { name: 'kyc-slack', template: 'short' }, logger);
    expect(m.items.map((i) => i.headline)).to.deep.equal(['Search rws-1: awaiting review', 'Search rws-2: completed']);
  });

  it('calls held deliveries "While you were away", for the receiver', () => {
    const m = digestMessage({ ...digest, kind: 'held', labels: {} }, config, { name: 'kyc-slack' }, logger);
    expect(m.headline).to.equal('While you were away: 1,200 events for kyc-slack');
  });
});
