import { expect } from 'chai';
import { KNOWN_STATUSES } from '../../src/model/event.js';
import { broadcasts, DEFAULT_BROADCAST, SEVERITIES, SEVERITY_LOOK, severityOf, type Severity } from '../../src/present/severity.js';

describe('severityOf', () => {
  const none = { hits: false, warnings: false };
  const table: Array<{ status: string; hits?: boolean; warnings?: boolean; severity: Severity }> = [
    { status: 'Rejected', severity: 'attention' },
    { status: 'Failed', severity: 'attention' },
    { status: 'Error', severity: 'attention' },
    { status: 'Completed', hits: true, severity: 'attention' },
    { status: 'Completed', hits: true, warnings: true, severity: 'attention' },
    { status: 'AwaitingReview', hits: true, severity: 'attention' },
    { status: 'Created', hits: true, severity: 'attention' },
    { status: 'AwaitingReview', severity: 'action' },
    { status: 'AwaitingUser', severity: 'action' },
    { status: 'InReview', severity: 'action' },
    { status: 'InReview', warnings: true, severity: 'action' },
    { status: 'Completed', warnings: true, severity: 'action' },
    { status: 'Completed', severity: 'good' },
    { status: 'Created', severity: 'info' },
    { status: 'AwaitingAutomation', severity: 'info' },
    { status: 'Canceled', severity: 'info' },
    { status: 'Created', warnings: true, severity: 'info' },
    { status: 'Paused', severity: 'info' },
    { status: 'completed', severity: 'info' },
    { status: 'constructor', severity: 'info' },
  ];
  for (const row of table) {
    const what = [row.hits && 'hits', row.warnings && 'warnings'].filter(Boolean).join(' and ') || 'nothing found';
    it(`${row.status} with ${what} → ${row.severity}`, () => {
      expect(severityOf({ ...none, ...row })).to.equal(row.severity);
    });
  }

  it('gives every documented status a severity, and every severity its own emoji and colour', () => {
    for (const s of KNOWN_STATUSES) expect(SEVERITIES).to.include(severityOf({ status: s, ...none }));
    expect(new Set(SEVERITIES.map((s) => SEVERITY_LOOK[s].emoji)).size).to.equal(SEVERITIES.length);
    expect(new Set(SEVERITIES.map((s) => SEVERITY_LOOK[s].color)).size).to.equal(SEVERITIES.length);
  });

  it('looks red for attention, amber for action, green for good (Slack colour and emoji; other tests compare against this table)', () => {
    expect(SEVERITY_LOOK.attention).to.include({ emoji: '🔴', color: '#D92D20' });
    expect(SEVERITY_LOOK.action).to.include({ emoji: '🟠', color: '#F5A524' });
    expect(SEVERITY_LOOK.good).to.include({ emoji: '🟢', color: '#12B76A' });
  });
});

describe('broadcasts', () => {
  it('by default for attention and action only', () => {
    expect(SEVERITIES.filter((s) => broadcasts(DEFAULT_BROADCAST, s))).to.deep.equal(['attention', 'action']);
    expect(broadcasts([], 'attention')).to.equal(false);
    expect(broadcasts(['good'], 'good')).to.equal(true);
  });
});
