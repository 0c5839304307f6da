import { expect } from 'chai';
import { summariseConfig } from '../../src/admin/config-summary.js';
import { buildRouteTree } from '../../src/routing/tree.js';
import type { AverEvent } from '../../src/model/event.js';
import { postWebhook, startBridge, type TestBridge } from '../helpers/bridge.js';
import { configFrom, MINIMAL_YAML } from '../helpers/config.js';

const SECRET = 's3cret-value';
const ADMIN = 'admin-token-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };

describe('the admin page for operators: search, refresh, notices in view, a phone-width layout', () => {
  let t: TestBridge;
  const ids: Record<string, string> = {};

  const getPage = async (query = '') => {
    const res = await fetch(`${t.url}/admin${query}`, { headers: auth });
    expect(res.status).to.equal(200);
    return res.text();
  };
  /** The event ids of the rows the page shows, in order. */
  const rows = (page: string) => [...page.matchAll(/<tr data-event-id="([^"]+)">/g)].map((m) => m[1]);

  before(async () => {
    t = await startBridge(`
aver:
  webhook:
    secrets: ["${SECRET}"]
admin: { token: "${ADMIN}" }
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`);
    const post = async (id: string, status: string) => (await postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type: 'LiveCheck', id, groupId: 'g-1', status } }, { authorization: SECRET })).json.eventId;
    ids.first = await post('chk-1001', 'AwaitingReview');
    ids.other = await post('chk-2002', 'Completed');
    ids.second = await post('chk-1001', 'Completed');
    // A customer reference comes from Aver's API (enrichment); stored here as routing would store it.
    const event: AverEvent = { eventId: '01REFERENCEEVENT0000000000', type: 'LiveCheck', id: 'chk-3003', groupId: 'g-1', status: 'Rejected', receivedAt: Date.now(), unknownType: false, unknownStatus: false, raw: {} };
    await t.bridge.store.appendEvents([{ event, dedupKey: 'ref-1', dedupUntil: Date.now() + 60_000, preRouted: { labels: { type: 'LiveCheck', status: 'Rejected', groupId: 'g-1', group: 'g-1', id: 'chk-3003', thirdPartyIdentifier: 'Cust-00482' }, jobs: [] } }]);
    ids.reference = event.eventId;
  });
  after(() => t?.stop());

  describe('search (?q=, a GET form)', () => {
    it('by check id: every event of that check, newest first, and only those', async () => {
      const page = await getPage('?q=chk-1001');
      expect(rows(page)).to.deep.equal([ids.second, ids.first]);
      expect(page).to.include('Events found').and.include('2 events found');
      expect(page).to.include('value="chk-1001"');
    });

    it('by event id, and by customer reference (part of it, any case)', async () => {
      expect(rows(await getPage(`?q=${ids.other}`))).to.deep.equal([ids.other]);
      expect(rows(await getPage('?q=cust-004'))).to.deep.equal([ids.reference]);
    });

    it('says so when nothing matches, and offers the way back to every event', async () => {
      const page = await getPage('?q=%3Cnone%3E');
      expect(rows(page)).to.deep.equal([]);
      expect(page).to.include('No event has the check id or event id <span class="mono">&lt;none&gt;</span>');
      expect(page).to.include('<a href="/admin#events">Show all</a>');
    });

    it('the JSON API takes ?q= too', async () => {
      const body = await (await fetch(`${t.url}/admin/api/events?q=chk-1001`, { headers: auth })).json() as { events: Array<{ event: { eventId: string } }> };
      expect(body.events.map((e) => e.event.eventId)).to.deep.equal([ids.second, ids.first]);
    });
  });

  describe('refresh', () => {
    it('a Refresh link keeps the search; Auto-refresh is off until asked for, and no page has a script', async () => {
      const page = await getPage('?q=chk-1001');
      expect(page).to.include('<a href="/admin?q=chk-1001">Refresh</a>');
      expect(page).to.include('href="/admin?q=chk-1001&amp;refresh=5"');
      expect(page).to.not.include('http-equiv="refresh"').and.not.include('<script');
    });

    it('?refresh=5 reloads the page every 5 s with a meta refresh (search kept, notice dropped), and offers to stop', async () => {
      const page = await getPage('?q=chk-1001&refresh=5&notice=reloaded');
      expect(page).to.include('<meta http-equiv="refresh" content="5; url=/admin?q=chk-1001&amp;refresh=5">');
      expect(page).to.include('<a class="on" href="/admin?q=chk-1001"');
      expect(page).to.include('<input type="hidden" name="refresh" value="5">');
    });

    it('ignores a refresh period that is not a whole number of seconds from 2 to 3600', async () => {
      for (const bad of ['0', '1', '3601', 'abc', '2.5']) expect(await getPage(`?refresh=${bad}`)).to.not.include('http-equiv="refresh"');
    });
  });

  it('a notice is at the top of the page, in an element the redirect scrolls to', async () => {
    const page = await getPage('?notice=retried&n=7');
    expect(page).to.match(/<main>\s*<div id="notice"><div class="banner ok" role="status">Dead letter #7 queued again/);
    const res = await fetch(`${t.url}/admin/reload`, { method: 'POST', headers: auth, redirect: 'manual' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/admin?notice=reloaded#notice');
  });

  it('tables are stacked on a phone: every cell of the events table carries its column\'s name', async () => {
    const page = await getPage();
    expect(page).to.include('<table class="stack"><thead><tr><th>Received</th>');
    const row = /<tr data-event-id="[^"]+">[\s\S]*?<\/tr>/.exec(page)![0];
    expect([...row.matchAll(/data-label="([^"]+)"/g)].map((m) => m[1])).to.deep.equal(['Received', 'Entity', 'Group', 'Aver status', 'Deliveries', 'Event id']);
    expect(page).to.include('@media (max-width:720px)');
  });
});

describe('summariseConfig: Teams authentication as it is', () => {
  const teams = (section: string) => {
    const config = configFrom(`${MINIMAL_YAML}server: { host: 127.0.0.1 }\nteams:\n${section}`);
    return summariseConfig(config, buildRouteTree(config.route)).teams;
  };

  it('without appId: authentication OFF (dev mode), flagged', () => {
    expect(teams('  appType: MultiTenant\n')).to.deep.equal({ text: 'authentication OFF (no appId: dev mode, /api/messages takes requests without a token)', authOff: true });
  });

  it('with appId: the app, how it proves itself and which tenants it takes; never the password', () => {
    const summary = teams('  appId: 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\n  appPassword: pw-LOGTEST-secret\n  allowedTenants: ["0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10"]\n');
    expect(summary).to.deep.equal({ text: 'app 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b (MultiTenant), password set, 1 allowed tenant', authOff: false });
  });
});
