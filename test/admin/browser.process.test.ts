import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { startFakeHttp } from '../helpers/fake-http.js';

// Debian's chromium package; a browser is never downloaded. `.ci/run` installs it.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SECRET = 's3cret-value';
const ADMIN = 'admin-token-0123456789';
const SCREENSHOT = '/tmp/aver-bridge-admin.png';
/** A phone (an iPhone's 375 CSS pixels across), and where its screenshot goes. */
const PHONE = { width: 375, height: 812 };
const PHONE_SCREENSHOT = join(tmpdir(), 'aver-bridge-admin-375.png');

/** Whether the element is wholly inside the viewport (scrolled into view). */
function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
  });
}

describe('the admin page in a real headless Chromium', function () {
  this.timeout(60_000);
  let t: TestBridge;
  let fake: Awaited<ReturnType<typeof startFakeHttp>>;
  let profile: ReturnType<typeof tempDir>;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let deadEventId = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`\n  *** SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's package (apt-get install -y chromium) to run the admin page browser test. ***\n`);
      this.skip();
    }
    // The customer's endpoint refuses at first (400: not retryable), so the event becomes a dead letter.
    fake = await startFakeHttp(() => ({ status: 400 }));
    t = await startBridge(`
aver:
  webhook:
    secrets: ["${SECRET}"]
  groups:
    2d1162b5-0000-0000-0000-000000000000: "Retail onboarding"
admin: { token: "${ADMIN}" }
delivery: { pollInterval: 20ms }
receivers:
  - name: ops
    console: {}
  - name: kyc-escalations
    webhook: { url: "${fake.url}/aver?code=not-shown" }
route:
  receiver: ops
  routes:
    - receiver: kyc-escalations
      matchers: ['status =~ "Rejected|Failed"']
      continue: true
    - receiver: ops
      matchers: ['type =~ ".*Check"']
`);
    const post = (type: string, id: string, status: string) =>
      postWebhook(`${t.url}/webhooks/aver`, { statusMessage: { type, id, groupId: '2d1162b5-0000-0000-0000-000000000000', status } }, { authorization: SECRET });
    for (const [type, id, status] of [['LiveCheck', 'chk-1001', 'AwaitingReview'], ['WatchlistSearch', 'wl-2002', 'Completed'], ['LiveCheck', 'chk-1001', 'Completed']] as const) {
      expect((await post(type, id, status)).status).to.equal(202);
    }
    const dead = await post('OfflineCheck', 'chk-7731', 'Rejected');
    deadEventId = dead.json.eventId;
    await waitFor(async () => (await t.bridge.store.listJobs({ state: 'dead', limit: 10 })).length === 1, 'the dead letter');
    await waitFor(async () => (await t.bridge.store.queueStats(Date.now())).every((q) => q.pending === 0), 'the other deliveries');

    profile = tempDir('aver-bridge-chromium-');
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1440, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The login page is served with 401 on purpose; Chromium reports that as a failed load.
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && pageErrors.push(m.text()));
  });

  after(async () => {
    await context?.close();
    profile?.cleanup();
    await t?.stop();
    await fake?.close();
  });

  it('asks for the token, and a wrong one is refused', async () => {
    await page.goto(`${t.url}/admin`);
    await page.getByLabel('Admin token').fill('wrong-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
  });

  it('logs in with the token and shows the event, where it went and how each delivery is doing', async () => {
    await page.getByLabel('Admin token').fill(ADMIN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: /Recent events/ }).waitFor();
    const row = page.locator(`#events tr[data-event-id="${deadEventId}"]`);
    expect(await row.textContent()).to.include('chk-7731');
    const chips = await row.locator('.chip').allTextContents();
    expect(chips).to.have.length(2);
    expect(chips[0]).to.match(/^kyc-escalations · dead letter · 1 attempt/).and.include('(400)');
    expect(chips[1]).to.equal('ops · delivered · 1 attempt');
    expect(await row.locator('.chip.bad').count()).to.equal(1);
    expect(await row.locator('.chip.ok').count()).to.equal(1);
    expect(await page.locator('#events tbody tr').count()).to.equal(4);
    expect(await page.content()).to.not.include('not-shown');
  });

  it('retries a dead letter with the Retry button, and the page shows it delivered once the receiver accepts it', async () => {
    fake.setScript(() => ({ status: 200 }));
    const deadRow = page.locator('#dead-letters tr', { hasText: 'chk-7731' });
    await deadRow.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('status').filter({ hasText: 'queued again' }).waitFor();
    // The notice answers the click: the page is scrolled to it, wherever the button was.
    expect(new URL(page.url()).hash).to.equal('#notice');
    expect(await inViewport(page, '#notice')).to.equal(true);
    await waitFor(async () => {
      await page.reload();
      const text = await page.locator(`#events tr[data-event-id="${deadEventId}"] .chip`).first().textContent();
      return text?.includes('delivered · 2 attempts');
    }, 'the retried delivery on the page', 10_000);
    expect(await page.locator('#dead-letters').textContent()).to.include('No dead letters');
    expect(fake.requests.filter((r) => r.eventId === deadEventId)).to.have.length(2);
  });

  it('tests a route: labels in, receivers and the path out', async () => {
    await page.getByLabel('Type').fill('OfflineCheck');
    await page.getByLabel('Status').fill('Failed');
    await page.getByRole('button', { name: 'Test route' }).click();
    await page.locator('#route-result').waitFor();
    expect(await page.locator('#route-receivers .badge').allTextContents()).to.deep.equal(['kyc-escalations', 'ops']);
    const paths = await page.locator('#route-result tbody tr td:nth-child(2)').allTextContents();
    expect(paths).to.deep.equal(['route.routes[0]', 'route.routes[1]']);
    expect(await page.getByLabel('Status').inputValue()).to.equal('Failed');

    await page.getByLabel('Type').fill('WatchlistSearch');
    await page.getByLabel('Status').fill('Completed');
    await page.getByRole('button', { name: 'Test route' }).click();
    await page.locator('#route-result').waitFor();
    expect(await page.locator('#route-receivers .badge').allTextContents()).to.deep.equal(['ops']);
    expect(await page.locator('#route-result tbody tr td:nth-child(2)').allTextContents()).to.deep.equal(['route']);
  });

  it('finds a check by its id with the search box', async () => {
    await page.goto(`${t.url}/admin`);
    await page.getByRole('searchbox', { name: /Check id/ }).fill('chk-1001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /Events found/ }).waitFor();
    const entities = await page.locator('#events tbody tr td:nth-child(2) .mono').allTextContents();
    expect(entities).to.deep.equal(['chk-1001', 'chk-1001']);
    await page.getByRole('link', { name: 'Show all' }).click();
    await page.getByRole('heading', { name: /Recent events/ }).waitFor();
  });

  it('reads at 375 px wide: the whole events table is in view, nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: PHONE.width, height: PHONE.height });
    try {
      await page.goto(`${t.url}/admin`);
      await page.screenshot({ path: PHONE_SCREENSHOT, fullPage: true });
      const table = (await page.locator('#events table').boundingBox())!;
      expect(table.x, 'the table starts on screen').to.be.at.least(0);
      expect(table.x + table.width, 'the table ends on screen').to.be.at.most(PHONE.width);
      // Every cell, not just the table's box: a cell may overflow a table that fits.
      const cells = await page.locator('#events td').evaluateAll((tds) => tds.map((td) => {
        const r = td.getBoundingClientRect();
        return { left: r.left, right: r.right, overflows: td.scrollWidth > td.clientWidth + 1 };
      }));
      expect(cells.length).to.be.above(0);
      for (const c of cells) {
        expect(c.left).to.be.at.least(0);
        expect(c.right).to.be.at.most(PHONE.width);
        expect(c.overflows).to.equal(false);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scroll').to.be.at.most(PHONE.width);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('renders without script errors or CSP violations, and leaves a screenshot', async () => {
    await page.goto(`${t.url}/admin?rt=1&type=OfflineCheck&status=Rejected&groupId=2d1162b5-0000-0000-0000-000000000000`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).to.deep.equal([]);
  });
});
