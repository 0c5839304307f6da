import { expect } from 'chai';
import nock from 'nock';
import { createAverApiClient } from '../../src/aver/api-client.js';
import {
  BREAKER_FAILURES,
  BREAKER_PAUSE_MS,
  createEnricher,
  describeStatusReason,
  describeWarning,
  KNOWN_STATUS_REASONS,
  KNOWN_WARNINGS,
  type Enrichment,
} from '../../src/aver/enrich.js';
import type { AverEvent } from '../../src/model/event.js';
import type { AverApiConfig } from '../../src/model/config.js';
import { fakeClock } from '../helpers/clock.js';
import { averApiConfig } from '../helpers/config.js';
import { averApiFixture as fixture, event as kitEvent } from '../helpers/fixtures.js';
import { memoryLogger } from '../helpers/logger.js';

const BASE = 'http://aver.test/api';
const CHECK_ID = '51771bd7-a5b5-4ab9-913c-f1dc15429f11';
const OFFLINE_ID = '9c0e4f7a-3b21-4d6e-8f15-2a7c9d0b1e44';
const WATCHLIST_ID = 'f4d8f910-8a7b-42f0-ba40-2b2c17cb9118';
const RECURRING_ID = '0b6d2f4e-71c9-4a3e-b8d5-93e1f2a4c6b7';

/** Every piece of personal data in the fixtures, names included. */
const PII = [
  'Jolene', 'Ottilie', 'Marlowe-Quist', 'jolene.marlow@example.org', '04/17/1987', 'D9472261', '4821 Larkspur Lane', '92101', '203.0.113.77',
  'Tobenna', 'Okonkwo-Haraldsen', 't.okonkwo-haraldsen@example.com', '11/02/2008', 'HK5531907',
  'Dmitri', 'Alarik', 'Halloway', '1971-08-22',
];

function event(type: string, id: string, status = 'Rejected'): AverEvent {
  return kitEvent(status, { eventId: `ev-${id}-${status}`, type, id, groupId: '2d1162b5-d6a8-4936-be84-39ec873b7a60', receivedAt: 0, raw: { type, id, status } });
}

function setup(over: Partial<AverApiConfig> = {}, maxEntries?: number) {
  const clock = fakeClock();
  const logs = memoryLogger('trace');
  const logger = logs.logger;
  const cfg = averApiConfig(over);
  const unavailable: string[] = [];
  const client = createAverApiClient(cfg, { fetch: globalThis.fetch, clock, logger });
  const enricher = createEnricher(cfg, { client, clock, logger, onUnavailable: (r) => unavailable.push(r), maxEntries });
  return { enricher, clock, logs, unavailable };
}

function token(scope: nock.Scope = nock(BASE)): nock.Scope {
  return scope.get('/auth/token').reply(200, { token: 'tok-1' });
}

function checkScope(id: string, name: string): nock.Scope {
  return token()
    .get(`/check/${id}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture(name))
    .get(`/check/${id}/results`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture(`${name}-results`));
}

function watchlistScope(id: string, name: string): nock.Scope {
  return token()
    .get(`/watchlist/${id}`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture(name))
    .get(`/watchlist/${id}/results`).matchHeader('authorization', 'Bearer tok-1').reply(200, fixture(`${name}-results`));
}

const UNAVAILABLE: Enrichment = { labels: {}, details: { available: false } };

function expectNoPii(text: string, except: string[] = []) {
  for (const value of PII.filter((p) => !except.includes(p))) expect(text, `leaked ${value}`).not.to.include(value);
}

describe('createEnricher', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('LiveCheck: labels and details from the check and its results, warnings canonical', async () => {
    const { enricher, unavailable } = setup();
    const scope = checkScope(CHECK_ID, 'check');
    const out = await enricher.enrich(event('LiveCheck', CHECK_ID));
    scope.done();
    expect(out.labels).to.deep.equal({
      thirdPartyIdentifier: 'cust-00482',
      checkTypes: 'DocumentVerification,EmailVerification,PhotoVerification,Watchlist,RiskProfiling,AddressVerification',
      statusReason: 'ExpiredDocuments',
      warnings: 'WatchlistHitsFound,IPVpnTor,SameEmailFound',
    });
    expect(out.details).to.deep.equal({
      available: true,
      thirdPartyIdentifier: 'cust-00482',
      checkTypes: ['DocumentVerification', 'EmailVerification', 'PhotoVerification', 'Watchlist', 'RiskProfiling', 'AddressVerification'],
      statusReason: 'ExpiredDocuments',
      warnings: ['WatchlistHitsFound', 'IPVpnTor', 'SameEmailFound'],
    });
    expect(unavailable).to.deep.equal([]);
  });

  it('OfflineCheck: a check without a status reason', async () => {
    const { enricher } = setup();
    const scope = checkScope(OFFLINE_ID, 'offline-check');
    const out = await enricher.enrich(event('OfflineCheck', OFFLINE_ID, 'AwaitingReview'));
    scope.done();
    expect(out.labels).to.deep.equal({
      thirdPartyIdentifier: 'branch-17/7731',
      checkTypes: 'DocumentVerification,PhotoVerification',
      warnings: 'Age,Country',
    });
    expect(out.details).to.deep.equal({
      available: true,
      thirdPartyIdentifier: 'branch-17/7731',
      checkTypes: ['DocumentVerification', 'PhotoVerification'],
      warnings: ['Age', 'Country'],
    });
  });

  it('WatchlistSearch: hit counts from the search results', async () => {
    const { enricher } = setup();
    const scope = watchlistScope(WATCHLIST_ID, 'watchlist');
    const out = await enricher.enrich(event('WatchlistSearch', WATCHLIST_ID, 'Completed'));
    scope.done();
    expect(out).to.deep.equal({
      labels: { watchlistHits: '2', adverseMediaHits: '1' },
      details: { available: true, watchlistHits: 2, adverseMediaHits: 1 },
    });
  });

  it('RecurringWatchlistSearch: zero hits are counted, not omitted', async () => {
    const { enricher } = setup();
    const scope = watchlistScope(RECURRING_ID, 'recurring-watchlist');
    const out = await enricher.enrich(event('RecurringWatchlistSearch', RECURRING_ID, 'Completed'));
    scope.done();
    expect(out).to.deep.equal({
      labels: { watchlistHits: '0', adverseMediaHits: '0' },
      details: { available: true, watchlistHits: 0, adverseMediaHits: 0 },
    });
  });

  it('uses the check alone when its results are not there yet (4xx)', async () => {
    const { enricher, unavailable } = setup();
    const scope = token()
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).reply(404, { message: 'results not available' });
    const out = await enricher.enrich(event('LiveCheck', CHECK_ID, 'AwaitingUser'));
    scope.done();
    expect(out.details).to.deep.include({ available: true, thirdPartyIdentifier: 'cust-00482', statusReason: 'ExpiredDocuments' });
    expect(out.details.warnings).to.equal(undefined);
    expect(out.labels).not.to.have.property('warnings');
    expect(unavailable).to.deep.equal([]);
  });

  it('goes on without details after timeoutMs, and counts it', async () => {
    const { enricher, unavailable } = setup({ timeoutMs: 50 });
    const scope = token()
      .get(`/check/${CHECK_ID}`).delay(3000).reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).delay(3000).reply(200, fixture('check-results'));
    const out = await enricher.enrich(event('LiveCheck', CHECK_ID));
    expect(out).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal(['aver_api_timeout']);
    scope.done();
  });

  it('goes on without details when the token endpoint hangs', async () => {
    const { enricher, unavailable } = setup({ timeoutMs: 50 });
    nock(BASE).get('/auth/token').delay(3000).reply(200, { token: 'tok-1' });
    const out = await enricher.enrich(event('WatchlistSearch', WATCHLIST_ID, 'Completed'));
    expect(out).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal(['aver_api_timeout']);
  });

  it('goes on without details on a 5xx, and asks again on the next event', async () => {
    const { enricher, unavailable } = setup();
    const first = token()
      .get(`/watchlist/${WATCHLIST_ID}`).reply(503, 'Service Unavailable')
      .get(`/watchlist/${WATCHLIST_ID}/results`).reply(503, 'Service Unavailable');
    expect(await enricher.enrich(event('WatchlistSearch', WATCHLIST_ID, 'Completed'))).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal(['aver_api_http_503']);
    first.done();
    const second = nock(BASE)
      .get(`/watchlist/${WATCHLIST_ID}`).reply(200, fixture('watchlist'))
      .get(`/watchlist/${WATCHLIST_ID}/results`).reply(200, fixture('watchlist-results'));
    expect((await enricher.enrich(event('WatchlistSearch', WATCHLIST_ID, 'Completed'))).details.available).to.equal(true);
    second.done();
  });

  it('retries a 401 once with a new token, and goes on without details when refused again', async () => {
    const { enricher, unavailable } = setup();
    const scope = nock(BASE)
      .get('/auth/token').reply(200, { token: 'tok-1' })
      .get(`/check/${CHECK_ID}`).reply(401)
      .get(`/check/${CHECK_ID}/results`).reply(401)
      .get('/auth/token').once().reply(200, { token: 'tok-2' })
      .get(`/check/${CHECK_ID}`).matchHeader('authorization', 'Bearer tok-2').reply(401)
      .get(`/check/${CHECK_ID}/results`).matchHeader('authorization', 'Bearer tok-2').reply(401);
    expect(await enricher.enrich(event('LiveCheck', CHECK_ID))).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal(['aver_api_unauthorized']);
    scope.done();
  });

  it('goes on without details when the caller aborts', async () => {
    const { enricher, unavailable } = setup();
    nock(BASE).get('/auth/token').delay(3000).reply(200, { token: 'tok-1' });
    const ac = new AbortController();
    const p = enricher.enrich(event('LiveCheck', CHECK_ID), ac.signal);
    ac.abort();
    expect(await p).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal(['aver_api_aborted']);
  });

  it('serves a burst for one entity, and a later event within cacheTtlMs, from one set of calls', async () => {
    const { enricher, clock } = setup({ cacheTtlMs: 30_000 });
    const scope = checkScope(CHECK_ID, 'check');
    const burst = await Promise.all(Array.from({ length: 5 }, () => enricher.enrich(event('LiveCheck', CHECK_ID))));
    clock.advance(29_000);
    const later = await enricher.enrich(event('LiveCheck', CHECK_ID));
    scope.done();
    for (const out of [...burst, later]) expect(out.labels.warnings).to.equal('WatchlistHitsFound,IPVpnTor,SameEmailFound');
  });

  it('fetches again after cacheTtlMs', async () => {
    const { enricher, clock } = setup({ cacheTtlMs: 30_000 });
    const first = checkScope(CHECK_ID, 'check');
    await enricher.enrich(event('LiveCheck', CHECK_ID));
    first.done();
    clock.advance(30_001);
    const second = nock(BASE)
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).reply(200, fixture('check-results'));
    expect((await enricher.enrich(event('LiveCheck', CHECK_ID))).details.available).to.equal(true);
    second.done();
  });

  it('fetches again when the entity has a new status, so a rejection never shows stale details', async () => {
    const { enricher } = setup();
    const before = token()
      .get(`/check/${CHECK_ID}`).reply(200, { ...fixture('check'), status: 'InReview', statusReason: null })
      .get(`/check/${CHECK_ID}/results`).reply(404);
    expect((await enricher.enrich(event('LiveCheck', CHECK_ID, 'InReview'))).labels).not.to.have.property('statusReason');
    before.done();
    const after = nock(BASE)
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).reply(200, fixture('check-results'));
    expect((await enricher.enrich(event('LiveCheck', CHECK_ID, 'Rejected'))).labels.statusReason).to.equal('ExpiredDocuments');
    after.done();
  });

  it('keeps at most maxEntries entities, dropping the least recently used', async () => {
    const { enricher } = setup({}, 2);
    const scope = token()
      .get(`/watchlist/${WATCHLIST_ID}`).once().reply(200, fixture('watchlist'))
      .get(`/watchlist/${WATCHLIST_ID}/results`).once().reply(200, fixture('watchlist-results'))
      .get(`/watchlist/${RECURRING_ID}`).times(2).reply(200, fixture('recurring-watchlist'))
      .get(`/watchlist/${RECURRING_ID}/results`).times(2).reply(200, fixture('recurring-watchlist-results'))
      .get(`/check/${CHECK_ID}`).once().reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).once().reply(200, fixture('check-results'));
    const search = event('WatchlistSearch', WATCHLIST_ID, 'Completed');
    const recurring = event('RecurringWatchlistSearch', RECURRING_ID, 'Completed');
    await enricher.enrich(search);
    await enricher.enrich(recurring);
    await enricher.enrich(search); // cached, and now the most recently used
    await enricher.enrich(event('LiveCheck', CHECK_ID)); // evicts the recurring search, not the search
    expect((await enricher.enrich(recurring)).details.available).to.equal(true); // fetched again
    scope.done();
  });

  it('leaves entity types it does not know alone', async () => {
    const { enricher, unavailable } = setup();
    expect(await enricher.enrich(event('BusinessCheck', 'b-1'))).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal([]);
  });

  it('keeps every piece of personal data out of labels, details and logs by default', async () => {
    const { enricher, logs } = setup();
    const scope = checkScope(CHECK_ID, 'check');
    watchlistScope(WATCHLIST_ID, 'watchlist').get('/auth/token').optionally().reply(200, { token: 'tok-1' });
    checkScope(OFFLINE_ID, 'offline-check');
    const outs = [
      await enricher.enrich(event('LiveCheck', CHECK_ID)),
      await enricher.enrich(event('WatchlistSearch', WATCHLIST_ID, 'Completed')),
      await enricher.enrich(event('OfflineCheck', OFFLINE_ID, 'AwaitingReview')),
    ];
    scope.done();
    for (const out of outs) {
      expect(out.details.available).to.equal(true);
      expect(out.details).not.to.have.property('name');
    }
    expect(logs.lines().length).to.be.greaterThan(0);
    expectNoPii(JSON.stringify(outs) + logs.text());
  });

  it('keeps personal data out of logs when a call fails mid-way', async () => {
    const { enricher, logs } = setup();
    token()
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).reply(500, fixture('check-results'));
    expect(await enricher.enrich(event('LiveCheck', CHECK_ID))).to.deep.equal(UNAVAILABLE);
    expect(logs.text()).to.include('aver_api_http_500');
    expectNoPii(logs.text());
  });

  it('with showPersonalData adds only the name', async () => {
    const { enricher, logs } = setup({ showPersonalData: true });
    checkScope(CHECK_ID, 'check');
    watchlistScope(WATCHLIST_ID, 'watchlist').get('/auth/token').optionally().reply(200, { token: 'tok-1' });
    const check = await enricher.enrich(event('LiveCheck', CHECK_ID));
    const search = await enricher.enrich(event('WatchlistSearch', WATCHLIST_ID, 'Completed'));
    expect(check.details.name).to.equal('Jolene Marlowe-Quist');
    expect(search.details.name).to.equal('Dmitri Halloway-Brandt');
    expect(JSON.stringify([check.labels, search.labels])).not.to.match(/Jolene|Dmitri/);
    expectNoPii(JSON.stringify([check, search]), ['Jolene', 'Marlowe-Quist', 'Dmitri', 'Halloway']);
    expectNoPii(logs.text());
  });

  it('cleans text from the API: control characters but tab and newline removed, lone surrogates replaced, pairs kept', async () => {
    const { enricher } = setup({ showPersonalData: true });
    const dirty = {
      ...fixture('check-results'),
      thirdPartyIdentifier: 'cust\u0000-1\u0007\r\n2\t😀\ud800',
      statusReason: 'Expired\u0000Documents',
      checkTypes: ['Document\u0000Verification', '\udc00Watchlist'],
      warnings: ['Watchlist\u0000HitsFound', 'Age\u001b'],
      checkResults: { personalInformation: { firstName: 'Jo\u0000lene', lastName: 'Marlowe\ud83d' } },
    };
    token()
      .get(`/check/${CHECK_ID}`).reply(200, { ...fixture('check'), thirdPartyIdentifier: dirty.thirdPartyIdentifier })
      .get(`/check/${CHECK_ID}/results`).reply(200, dirty);
    const out = await enricher.enrich(event('LiveCheck', CHECK_ID));
    expect(out.details).to.deep.equal({
      available: true,
      thirdPartyIdentifier: 'cust-1\n2\t😀\ufffd',
      checkTypes: ['DocumentVerification', '\ufffdWatchlist'],
      statusReason: 'ExpiredDocuments',
      warnings: ['WatchlistHitsFound', 'Age'],
      name: 'Jolene Marlowe\ufffd',
    });
    expect(out.labels.thirdPartyIdentifier).to.equal('cust-1\n2\t😀\ufffd');
    expect(JSON.stringify(out)).to.not.match(/\\u00[01]|\\ud[89a-f]/);
  });

  it('goes on without details for an id of "..", asking the API nothing', async () => {
    const { enricher, unavailable } = setup();
    // nock allows no request here: any call, the token's included, would fail as aver_api_error instead.
    expect(await enricher.enrich(event('LiveCheck', '..'))).to.deep.equal(UNAVAILABLE);
    expect(await enricher.enrich(event('WatchlistSearch', '.', 'Completed'))).to.deep.equal(UNAVAILABLE);
    expect(unavailable).to.deep.equal(['aver_api_invalid_id', 'aver_api_invalid_id']);
  });

  it('cuts long API text without splitting a surrogate pair', async () => {
    const { enricher } = setup();
    token()
      .get(`/check/${CHECK_ID}`).reply(200, { ...fixture('check'), thirdPartyIdentifier: `${'r'.repeat(255)}😀tail` })
      .get(`/check/${CHECK_ID}/results`).reply(404);
    const out = await enricher.enrich(event('LiveCheck', CHECK_ID));
    expect(out.details.thirdPartyIdentifier).to.equal('r'.repeat(255));
  });
});

describe('describeWarning', () => {
  const table: [string, string][] = [
    ['WatchlistHitsFound', 'Watchlist hits found'],
    ['watchlisthitsfound', 'Watchlist hits found'],
    ['IPVpnTor', 'IP address is a VPN or Tor exit'],
    ['ipvpntor', 'IP address is a VPN or Tor exit'],
    ['AdverseMediaFound', 'Adverse media found'],
    ['PhonePrepaidOrVoip', 'Phone number is prepaid or VoIP'],
    ['SomeNewWarning', 'Some new warning'],
  ];
  for (const [w, words] of table) it(`${w} → ${words}`, () => expect(describeWarning(w)).to.equal(words));

  it('has its own words for every documented warning', () => {
    expect(KNOWN_WARNINGS).to.have.members([
      'Age', 'Country', 'State', 'IPVpnTor', 'Address', 'EmailAddress', 'WatchlistHitsFound', 'AdverseMediaFound',
      'SameEmailFound', 'SameIdDocumentFound', 'SameNameFound', 'PhoneInvalid', 'PhonePrepaidOrVoip',
    ]);
    for (const w of KNOWN_WARNINGS) {
      const words = describeWarning(w.toLowerCase());
      expect(words, w).not.to.equal(w);
      expect(words, w).to.match(/^[A-Z]\S* \S/);
    }
  });
});

describe('describeStatusReason', () => {
  it('has its own words for every documented reason, whatever the case', () => {
    expect(KNOWN_STATUS_REASONS).to.have.members([
      'MissingDocuments', 'UnreadableDocumentsOrMissingVerificationInformation', 'ExpiredDocuments',
      'SuspiciousDocumentsOrImages', 'FacialVerificationFailed', 'UnderageApplicant',
    ]);
    expect(describeStatusReason('expireddocuments')).to.equal('Documents expired');
    expect(describeStatusReason('FacialVerificationFailed')).to.equal('Facial verification failed');
    expect(describeStatusReason('BrandNewReason')).to.equal('Brand new reason');
  });
});

describe('createEnricher during an outage', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it(`leaves the API alone for a while after ${BREAKER_FAILURES} outages in a row, then asks again`, async () => {
    const { enricher, unavailable, clock } = setup();
    const down = token().get(/\/check\/c-\d+(\/results)?$/).times(2 * BREAKER_FAILURES).reply(503, 'Service Unavailable');
    for (let i = 0; i < BREAKER_FAILURES; i++) expect(await enricher.enrich(event('LiveCheck', `c-${i}`))).to.deep.equal(UNAVAILABLE);
    down.done();
    // Paused: no request is made (nock would refuse one), and the metric says why.
    expect(await enricher.enrich(event('LiveCheck', 'c-paused'))).to.deep.equal(UNAVAILABLE);
    expect(unavailable.at(-1)).to.equal('aver_api_paused');
    clock.advance(BREAKER_PAUSE_MS);
    // The token is still valid: only the data calls are made.
    const up = nock(BASE)
      .get(`/check/${CHECK_ID}`).reply(200, fixture('check'))
      .get(`/check/${CHECK_ID}/results`).reply(200, fixture('check-results'));
    expect((await enricher.enrich(event('LiveCheck', CHECK_ID))).details.available).to.equal(true);
    up.done();
  });
});
