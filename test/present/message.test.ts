import { expect } from 'chai';
import type { AverEvent, EventDetails } from '../../src/model/event.js';
import type { StatusChange } from '../../src/model/job.js';
import { createTimeFormat, isValidLocale, isValidTimeZone } from '../../src/present/format-time.js';
import { averLink } from '../../src/present/links.js';
import { buildMessage, headlineLine, HISTORY_MAX, mentionsFor, pushLine, withOverrides, type MessageInput } from '../../src/present/message.js';
import { TEMPLATE_VARIABLES, templateVariables } from '../../src/present/template-variables.js';
import { event, labelsOf, RECEIVED_AT } from '../helpers/fixtures.js';

const config: MessageInput['config'] = {
  aver: { groups: { 'grp-1': 'Acme onboarding' }, links: { check: 'https://aver.example/checks/{id}', watchlist: 'https://aver.example/w/{id}' } },
};

function message(e: AverEvent = event(), over: Partial<MessageInput> = {}) {
  return buildMessage({ event: e, labels: labelsOf(e), details: null, history: [{ status: e.status, at: e.receivedAt }], config, ...over });
}

const details = (d: Omit<EventDetails, 'available'>): EventDetails => ({ available: true, ...d });

describe('buildMessage', () => {
  it('leads with what happened and to whom: type and status in words, subject, group', () => {
    const m = message(event('AwaitingReview'));
    expect(m.severity).to.equal('action');
    expect(m.emoji).to.equal('🟠');
    expect(m.headline).to.equal('Live check awaiting review: chk-1 · Acme onboarding');
    expect(headlineLine(m)).to.equal('🟠 Live check awaiting review: chk-1 · Acme onboarding');
    expect(m.text).to.equal(m.headline);
    expect(m.facts).to.deep.equal([]);
    expect(m.type).to.deep.equal({ code: 'LiveCheck', words: 'Live check' });
    expect(m.status).to.deep.equal({ code: 'AwaitingReview', words: 'awaiting review' });
  });

  it("names the subject by the customer's reference when known, a UUID by its first 8 characters, else by the id", () => {
    const withRef = message(event(), { details: details({ thirdPartyIdentifier: 'cust-00482' }) });
    expect(withRef.subject).to.equal('cust-00482');
    expect(withRef.reference).to.equal('cust-00482');
    expect(withRef.headline).to.equal('Live check completed: cust-00482 · Acme onboarding');
    const uuid = message(event({ id: '51771bd7-4f6e-4c54-9a36-1b7c0e2f9a10' }));
    expect(uuid.subject).to.equal('51771bd7…');
    expect(uuid.id).to.equal('51771bd7-4f6e-4c54-9a36-1b7c0e2f9a10');
    expect(message().subject).to.equal('chk-1');
  });

  it("names the group by its friendly name, and by its id only when it has none", () => {
    expect(message().group).to.deep.equal({ id: 'grp-1', name: 'Acme onboarding', shown: 'Acme onboarding' });
    const e = event({ groupId: 'grp-unnamed' });
    const m = message(e, { labels: labelsOf(e, 'grp-unnamed') });
    expect(m.group).to.deep.equal({ id: 'grp-unnamed', shown: 'grp-unnamed' });
    expect(m.headline).to.equal('Live check completed: chk-1 · grp-unnamed');
    expect(m.headline.match(/grp-/g)).to.have.length(1);
    const proto = event({ groupId: '__proto__' });
    expect(message(proto, { labels: {} }).group).to.deep.equal({ id: '__proto__', shown: '__proto__' });
  });

  it('says how a Completed ended: with hits, with warnings, with no hits', () => {
    const ws = (d: Omit<EventDetails, 'available'>) => message(event({ type: 'WatchlistSearch', id: 'wl-1' }), { details: details(d) });
    expect(ws({ watchlistHits: 2, adverseMediaHits: 1 }).headline).to.equal('Watchlist search completed with hits: wl-1 · Acme onboarding');
    expect(ws({ watchlistHits: 0, adverseMediaHits: 0 }).headline).to.equal('Watchlist search completed, no hits: wl-1 · Acme onboarding');
    const check = message(event(), { details: details({ warnings: ['SameNameFound'] }) });
    expect(check.headline).to.equal('Live check completed with warnings: chk-1 · Acme onboarding');
    expect(check.severity).to.equal('action');
    const hitWarning = message(event(), { details: details({ warnings: ['watchlisthitsfound'] }) });
    expect(hitWarning.severity).to.equal('attention');
    expect(hitWarning.headline).to.equal('Live check completed with hits: chk-1 · Acme onboarding');
  });

  it('lists reason, warnings, hits and name only when present, and says why in the text', () => {
    const m = message(event('Rejected'), {
      details: details({ statusReason: 'expireddocuments', warnings: ['Age', 'SomethingNew'], name: 'Ada Lovelace', checkTypes: ['DocumentVerification'] }),
    });
    expect(m.facts).to.deep.equal([
      { title: 'Reason', value: 'Documents expired' },
      { title: 'Warnings', value: 'Age outside the range the group allows, Something new' },
      { title: 'Name', value: 'Ada Lovelace' },
    ]);
    expect(m.text).to.equal('Live check rejected: chk-1 · Acme onboarding — Documents expired');
    expect(pushLine(m)).to.equal(`🔴 ${m.text}`);
    const hits = message(event({ type: 'WatchlistSearch' }), { details: details({ watchlistHits: 1, adverseMediaHits: 3 }) });
    expect(hits.facts).to.deep.equal([{ title: 'Found', value: '1 watchlist hit, 3 adverse-media hits' }]);
    expect(hits.text).to.match(/ — 1 watchlist hit, 3 adverse-media hits$/);
    const warned = message(event(), { details: details({ warnings: ['SameNameFound', 'PhoneInvalid'] }) });
    expect(warned.text).to.match(/ — Same name used in another check \(\+1 more\)$/);
  });

  it('keeps details that did not arrive apart from details that found nothing', () => {
    expect(message(event(), { details: null }).details).to.equal('none');
    expect(message(event(), { details: { available: false } }).details).to.equal('unavailable');
    expect(message(event(), { details: details({}) }).details).to.equal('available');
    expect(message(event(), { details: { available: false, warnings: ['Age'] } }).facts).to.deep.equal([]);
  });

  it('writes times in display.timeZone and display.locale, and exactly in UTC', () => {
    const utc = message();
    expect(utc.time).to.deep.include({ at: RECEIVED_AT, iso: '2024-05-17T09:30:00Z', text: '17 May 2024, 09:30 UTC', clock: '09:30', zone: 'UTC' });
    const berlin = message(event(), { config: { ...config, display: { timeZone: 'Europe/Berlin', locale: 'en-GB' } } });
    expect(berlin.time).to.deep.include({ iso: '2024-05-17T09:30:00Z', text: '17 May 2024, 11:30 CEST', clock: '11:30', zone: 'Europe/Berlin' });
    const german = message(event(), { config: { ...config, display: { timeZone: 'Europe/Berlin', locale: 'de-DE' } } });
    expect(german.time.text).to.equal('17. Mai 2024, 11:30 MESZ');
  });

  it('keeps the latest statuses of the history, in words, and counts the ones left out', () => {
    const history: StatusChange[] = Array.from({ length: HISTORY_MAX + 3 }, (_, i) => ({ status: i % 2 ? 'InReview' : 'AwaitingReview', at: RECEIVED_AT + i * 60_000 }));
    const m = message(event(), { history });
    expect(m.history).to.have.length(HISTORY_MAX);
    expect(m.historyOmitted).to.equal(3);
    expect(m.history[0].status).to.deep.equal({ code: 'InReview', words: 'in review' });
    expect(m.history.at(-1)!.time.clock).to.equal('09:44');
  });

  it('fills the "Open in Aver" link for the type, URL-encoded, only when it is an http(s) URL a button can carry', () => {
    expect(message(event({ id: 'a b/&c' })).link).to.equal('https://aver.example/checks/a%20b%2F%26c');
    expect(message(event({ type: 'RecurringWatchlistSearch', id: 'w1' })).link).to.equal('https://aver.example/w/w1');
    expect(message(event(), { config: { aver: { groups: {}, links: {} } } }).link).to.equal(undefined);
    expect(averLink(event(), { check: 'javascript:alert(1)//{id}' })).to.equal(undefined);
    expect(averLink(event({ id: 'x'.repeat(4000) }), { check: 'https://aver.example/{id}' })).to.equal(undefined);
    expect(averLink(event({ type: 'WatchlistSearch' }), { check: 'https://aver.example/c/{type}' })).to.equal('https://aver.example/c/WatchlistSearch');
  });

  it("carries the receiver's mentions for the status, looked up by own keys only", () => {
    const byStatus = { Rejected: ['<!here>'] };
    expect(mentionsFor(byStatus, 'Rejected')).to.deep.equal(['<!here>']);
    expect(mentionsFor(byStatus, 'constructor')).to.deep.equal([]);
    expect(mentionsFor(undefined, 'Rejected')).to.deep.equal([]);
    expect(message(event('Rejected'), { mentions: ['<!here>'] }).mentions).to.deep.equal(['<!here>']);
  });

  it('flags undocumented values and splits them into words', () => {
    const m = message(event({ type: 'FaceMatch', status: 'AwaitingManualStep', unknownType: true, unknownStatus: true }));
    expect(m.headline).to.equal('Face match awaiting manual step: chk-1 · Acme onboarding');
    expect(m.severity).to.equal('info');
    expect(m.undocumented).to.deep.equal({ type: true, status: true });
  });

  it('is plain JSON: what the webhook receiver sends as `message`', () => {
    const m = message(event('Rejected'), { details: details({ statusReason: 'ExpiredDocuments', thirdPartyIdentifier: 'r-1' }) });
    expect(JSON.parse(JSON.stringify(m))).to.deep.equal(m);
  });
});

describe('withOverrides and templateVariables', () => {
  it('replaces headline, text and facts, and leaves the rest', () => {
    const m = message(event('Rejected'));
    const o = withOverrides(m, { headline: 'KYC chk-1 is Rejected', facts: [{ title: 'Queue', value: 'EU' }] });
    expect(o).to.deep.include({ headline: 'KYC chk-1 is Rejected', text: m.text, facts: [{ title: 'Queue', value: 'EU' }], severity: 'attention' });
    expect(withOverrides(m, {})).to.deep.equal(m);
  });

  it('gives every documented variable, "" for what is unknown', () => {
    const m = message(event('Rejected'), { details: details({ statusReason: 'ExpiredDocuments', warnings: ['Age'] }) });
    const vars = templateVariables(m, labelsOf(event('Rejected')));
    expect(Object.keys(vars)).to.have.members(TEMPLATE_VARIABLES.map((v) => v.name));
    expect(vars).to.deep.include({
      type: 'LiveCheck', id: 'chk-1', status: 'Rejected', groupId: 'grp-1', group: 'Acme onboarding', severity: 'attention',
      reason: 'Documents expired', reasonCode: 'ExpiredDocuments', reference: '', link: 'https://aver.example/checks/chk-1',
    });
    expect(vars.warnings).to.deep.equal(['Age outside the range the group allows']);
    expect(vars.warningCodes).to.deep.equal(['Age']);
    expect(vars.labels).to.deep.include({ status: 'Rejected', group: 'Acme onboarding' });
  });
});

describe('display settings', () => {
  it('knows IANA zones and well-formed locales', () => {
    for (const z of ['UTC', 'Europe/Berlin', 'America/New_York']) expect(isValidTimeZone(z), z).to.equal(true);
    for (const z of ['Mars/Olympus', 'CET+1', '', 'Europe/Berlin/']) expect(isValidTimeZone(z), z).to.equal(false);
    for (const l of ['en-GB', 'de', 'fr-CA']) expect(isValidLocale(l), l).to.equal(true);
    for (const l of ['english please', 'en_GB_x', '']) expect(isValidLocale(l), l).to.equal(false);
  });

  it('writes a time that is not one as "?"', () => {
    expect(createTimeFormat({ timeZone: 'UTC', locale: 'en-GB' }).at(Number.NaN)).to.deep.include({ iso: '?', text: '?', clock: '?' });
  });
});
