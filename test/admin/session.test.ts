import { expect } from 'chai';
import { csrfToken, sessionValue, verifyCsrf, verifySession } from '../../src/admin/session.js';
import { escapeHtml, html, raw, relativeTime } from '../../src/admin/html.js';

describe('admin session values', () => {
  const token = 'admin-token-0123456789';
  const now = 1_750_000_000_000;

  it('accepts an unexpired session made with the token, and not after it expires', () => {
    const v = sessionValue(token, now + 1000);
    expect(verifySession(token, v, now)).to.equal(true);
    expect(verifySession(token, v, now + 1000)).to.equal(false);
  });

  it('refuses a session made with another token (a rotated admin.token ends every session)', () => {
    expect(verifySession('another-token', sessionValue(token, now + 1000), now)).to.equal(false);
  });

  it('refuses an expiry pushed later by hand, and garbage', () => {
    const v = sessionValue(token, now + 1000);
    expect(verifySession(token, v.replace(`.${now + 1000}.`, `.${now + 9_999_999}.`), now)).to.equal(false);
    for (const bad of [undefined, '', 'v1..', token, `v1.${now + 1000}.${'A'.repeat(43)}`]) expect(verifySession(token, bad, now), String(bad)).to.equal(false);
  });

  it('never contains the token', () => {
    expect(sessionValue(token, now)).to.not.include(token);
  });

  it('binds the CSRF token to the session', () => {
    const a = sessionValue(token, now + 1000);
    const b = sessionValue(token, now + 2000);
    expect(verifyCsrf(token, a, csrfToken(token, a))).to.equal(true);
    expect(verifyCsrf(token, a, csrfToken(token, b))).to.equal(false);
    expect(verifyCsrf(token, a, undefined)).to.equal(false);
  });
});

describe('admin html helpers', () => {
  it('escapes every interpolated value, arrays item by item, but not raw() markup', () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(html`<p title="${evil}">${[evil, raw('<b>ok</b>')]}</p>`.value).to.equal(
      `<p title="${escapeHtml(evil)}">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<b>ok</b></p>`,
    );
  });

  it('writes relative times for people', () => {
    const now = 1_750_000_000_000;
    expect(relativeTime(now - 2000, now)).to.equal('just now');
    expect(relativeTime(now - 42_000, now)).to.equal('42 s ago');
    expect(relativeTime(now - 3 * 60_000, now)).to.equal('3 min ago');
    expect(relativeTime(now - 5 * 3600_000, now)).to.equal('5 h ago');
    expect(relativeTime(now - 86_400_000, now)).to.equal('1 day ago');
    expect(relativeTime(now - 3 * 86_400_000, now)).to.equal('3 days ago');
    expect(relativeTime(now + 5 * 60_000, now)).to.equal('in 5 min');
  });
});
