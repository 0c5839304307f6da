import { expect } from 'chai';
import { startBridge, type TestBridge } from '../helpers/bridge.js';
import { MINIMAL_YAML } from '../helpers/config.js';

const ADMIN = 'admin-token-0123456789';
const FORWARDED = { 'x-forwarded-for': '198.51.100.7, 203.0.113.9', 'x-forwarded-proto': 'https' };

/** Logs in with forwarding headers; the session cookie set, and the address the audit line names. */
async function logInForwarded(t: TestBridge): Promise<{ cookie: string; ip: unknown }> {
  const res = await fetch(`${t.url}/admin/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...FORWARDED },
    body: new URLSearchParams({ token: ADMIN }).toString(),
  });
  expect(res.status).to.equal(303);
  const line = t.logs.records().find((r) => r.msg === 'admin logged in');
  return { cookie: res.headers.getSetCookie()[0], ip: line?.ip };
}

describe('server.trustProxy: X-Forwarded-For and X-Forwarded-Proto (a real bridge)', () => {
  let t: TestBridge | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('ignores them by default: the audit line names the connection\'s address and the cookie is not Secure', async () => {
    t = await startBridge(`${MINIMAL_YAML}\nadmin: { token: "${ADMIN}" }\n`);
    const { cookie, ip } = await logInForwarded(t);
    expect(ip).to.match(/^(::ffff:)?127\.0\.0\.1$/);
    expect(cookie).to.not.match(/;\s*secure/i);
  });

  it('with trustProxy: true, reads them: the address the nearest proxy saw, and a Secure cookie', async () => {
    t = await startBridge(`${MINIMAL_YAML}\nadmin: { token: "${ADMIN}" }\nserver: { trustProxy: true }\n`);
    const { cookie, ip } = await logInForwarded(t);
    expect(ip).to.equal('203.0.113.9');
    expect(cookie).to.match(/;\s*secure/i);
  });
});
