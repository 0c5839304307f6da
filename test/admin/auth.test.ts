import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge, tempDir, type TestBridge } from '../helpers/bridge.js';
import { MINIMAL_YAML } from '../helpers/config.js';

const ADMIN = 'admin-token-0123456789';

/** Every admin endpoint, with the method it answers. */
const ENDPOINTS: Array<[string, string]> = [
  ['GET', '/admin'],
  ['POST', '/-/reload'],
  ['POST', '/admin/reload'],
  ['POST', '/admin/dead-letters/1/retry'],
  ['POST', '/admin/dead-letters/retry-all'],
  ['POST', '/admin/logout'],
  ['GET', '/admin/api/events'],
  ['GET', '/admin/api/dead-letters'],
  ['GET', '/admin/api/routes/test?type=LiveCheck'],
];

function cookieFrom(res: Response): string {
  const set = res.headers.getSetCookie();
  expect(set).to.have.length(1);
  return set[0].split(';')[0];
}

async function logIn(url: string, token: string): Promise<Response> {
  return fetch(`${url}/admin/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
}

describe('admin endpoints: the admin token', () => {
  describe('with admin.token unset', () => {
    let t: TestBridge;
    before(async () => (t = await startBridge(MINIMAL_YAML)));
    after(async () => t.stop());

    for (const [method, path] of [...ENDPOINTS, ['POST', '/admin/login'] as [string, string]]) {
      it(`${method} ${path} answers 404, even with a bearer token`, async () => {
        const res = await fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });
        expect(res.status).to.equal(404);
        expect((await res.json()).error.code).to.equal('not_found');
      });
    }
  });

  describe('with admin.token set', () => {
    let t: TestBridge;
    before(async () => (t = await startBridge(`${MINIMAL_YAML}\nadmin: { token: "${ADMIN}" }\n`)));
    after(async () => t.stop());

    for (const [method, path] of ENDPOINTS) {
      it(`${method} ${path} answers 401 without a token and with a wrong one`, async () => {
        for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: ADMIN }, { authorization: `Bearer ${ADMIN}x` }] as Array<Record<string, string>>) {
          const res = await fetch(`${t.url}${path}`, { method, headers, redirect: 'manual' });
          expect(res.status, JSON.stringify(headers)).to.equal(401);
        }
      });
    }

    it('answers API calls without a token with 401 JSON and WWW-Authenticate: Bearer', async () => {
      const res = await fetch(`${t.url}/-/reload`, { method: 'POST' });
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer /);
      expect((await res.json()).error.code).to.equal('unauthorized');
    });

    it('shows the login form (401, HTML) to a browser without a session', async () => {
      const res = await fetch(`${t.url}/admin`);
      expect(res.status).to.equal(401);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const page = await res.text();
      expect(page).to.include('action="/admin/login"').and.include('name="token"');
      expect(page).to.not.include('Recent events');
    });

    it('lets the right bearer token through (case-insensitive scheme)', async () => {
      for (const scheme of ['Bearer', 'bearer']) {
        const res = await fetch(`${t.url}/admin/api/events`, { headers: { authorization: `${scheme} ${ADMIN}` } });
        expect(res.status).to.equal(200);
        expect(await res.json()).to.have.property('events');
      }
    });

    it('refuses a wrong login with 401 and no cookie', async () => {
      const res = await logIn(t.url, 'not-it');
      expect(res.status).to.equal(401);
      expect(res.headers.getSetCookie()).to.deep.equal([]);
    });

    it('sets an HttpOnly, SameSite=Strict session cookie that is not the token, and the page opens with it', async () => {
      const res = await logIn(t.url, ADMIN);
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal('/admin');
      const set = res.headers.getSetCookie()[0];
      expect(set).to.match(/httponly/i).and.match(/samesite=strict/i).and.match(/path=\/admin/i);
      expect(set).to.not.include(ADMIN);
      const page = await fetch(`${t.url}/admin`, { headers: { cookie: cookieFrom(res) } });
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include('Recent events');
    });

    it('refuses a tampered session cookie', async () => {
      const cookie = cookieFrom(await logIn(t.url, ADMIN));
      const tampered = cookie.replace(/\.(\d+)\./, (_, n) => `.${Number(n) + 1}.`);
      expect(tampered).to.not.equal(cookie);
      expect((await fetch(`${t.url}/admin`, { headers: { cookie: tampered } })).status).to.equal(401);
    });

    it('refuses a cookie-authenticated POST without the CSRF token (403), and takes it with the token from the page', async () => {
      const cookie = cookieFrom(await logIn(t.url, ADMIN));
      const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
      const noCsrf = await fetch(`${t.url}/admin/dead-letters/retry-all`, { method: 'POST', headers: form, body: '', redirect: 'manual' });
      expect(noCsrf.status).to.equal(403);
      expect((await noCsrf.json()).error.code).to.equal('csrf_failed');
      const wrong = await fetch(`${t.url}/admin/dead-letters/retry-all`, { method: 'POST', headers: form, body: 'csrf=abc', redirect: 'manual' });
      expect(wrong.status).to.equal(403);

      const page = await (await fetch(`${t.url}/admin`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
      const ok = await fetch(`${t.url}/admin/dead-letters/retry-all`, { method: 'POST', headers: form, body: `csrf=${encodeURIComponent(csrf)}`, redirect: 'manual' });
      expect(ok.status).to.equal(303);
      expect(ok.headers.get('location')).to.equal('/admin?notice=retried-all&n=0#notice');
    });

    it('does not take the session cookie in place of the token on /-/reload without CSRF', async () => {
      const cookie = cookieFrom(await logIn(t.url, ADMIN));
      const res = await fetch(`${t.url}/-/reload`, { method: 'POST', headers: { cookie } });
      expect(res.status).to.equal(403);
    });

    it('logs out: the cookie is cleared', async () => {
      const cookie = cookieFrom(await logIn(t.url, ADMIN));
      const page = await (await fetch(`${t.url}/admin`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
      const res = await fetch(`${t.url}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: `csrf=${encodeURIComponent(csrf)}` });
      expect(res.status).to.equal(303);
      expect(res.headers.getSetCookie()[0]).to.match(/^aver_bridge_admin=;/).and.match(/expires=Thu, 01 Jan 1970/i);
    });

    it('logs out: the session ends, so its cookie replayed afterwards gets 401 (another login still works)', async () => {
      const cookie = cookieFrom(await logIn(t.url, ADMIN));
      const page = await (await fetch(`${t.url}/admin`, { headers: { cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
      const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
      const out = await fetch(`${t.url}/admin/logout`, { method: 'POST', redirect: 'manual', headers: form, body: `csrf=${encodeURIComponent(csrf)}` });
      expect(out.status).to.equal(303);

      expect((await fetch(`${t.url}/admin`, { headers: { cookie } })).status, 'the page').to.equal(401);
      expect((await fetch(`${t.url}/admin/api/events`, { headers: { cookie } })).status, 'the JSON API').to.equal(401);
      const retry = await fetch(`${t.url}/admin/dead-letters/retry-all`, { method: 'POST', redirect: 'manual', headers: form, body: `csrf=${encodeURIComponent(csrf)}` });
      expect(retry.status, 'a form with the old CSRF token').to.equal(401);
      const again = cookieFrom(await logIn(t.url, ADMIN));
      expect((await fetch(`${t.url}/admin`, { headers: { cookie: again } })).status).to.equal(200);
    });

    it('answers JSON with Cache-Control: no-store and X-Content-Type-Options: nosniff, refusals too', async () => {
      for (const headers of [{ authorization: `Bearer ${ADMIN}` }, {}] as Array<Record<string, string>>) {
        for (const path of ['/admin/api/events', '/admin/api/dead-letters', '/admin/api/routes/test?type=LiveCheck']) {
          const res = await fetch(`${t.url}${path}`, { headers });
          expect(res.headers.get('content-type'), path).to.match(/^application\/json/);
          expect(res.headers.get('cache-control'), path).to.equal('no-store');
          expect(res.headers.get('x-content-type-options'), path).to.equal('nosniff');
        }
      }
      const reload = await fetch(`${t.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(reload.headers.get('cache-control')).to.equal('no-store');
      expect(reload.headers.get('x-content-type-options')).to.equal('nosniff');
    });

    it('never logs the admin token, even on a failed login', async () => {
      await logIn(t.url, `${ADMIN}-almost`);
      await logIn(t.url, ADMIN);
      expect(t.logs.text()).to.not.include(ADMIN);
    });
  });

  describe('admin.tokenFile, and turning the admin endpoints on and off by reload', () => {
    it('reads the token from admin.tokenFile; a reload that removes it turns everything off (404)', async () => {
      const secrets = tempDir();
      const tokenFile = join(secrets.dir, 'admin-token');
      writeFileSync(tokenFile, `${ADMIN}\n`);
      const t = await startBridge(`${MINIMAL_YAML}\nadmin: { tokenFile: "${tokenFile}" }\n`);
      try {
        const auth = { authorization: `Bearer ${ADMIN}` };
        expect((await fetch(`${t.url}/admin/api/events`, { headers: auth })).status).to.equal(200);
        const storage = `storage: { url: "sqlite:${join(t.dir, 'bridge.db')}" }\n`;
        writeFileSync(t.bridge.config.source.file, `${MINIMAL_YAML}\n${storage}`);
        expect((await fetch(`${t.url}/-/reload`, { method: 'POST', headers: auth })).status).to.equal(200);
        expect((await fetch(`${t.url}/admin/api/events`, { headers: auth })).status).to.equal(404);
        expect((await fetch(`${t.url}/-/reload`, { method: 'POST', headers: auth })).status).to.equal(404);
      } finally {
        await t.stop();
        secrets.cleanup();
      }
    });
  });
});
