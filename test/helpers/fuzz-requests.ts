import { createHmac } from 'node:crypto';
import { METHODS } from 'node:http';
import type { Prng } from './prng.js';

/**
 * Generated requests for every endpoint of a bridge, each from its own seeded stream (test/fault/fuzz.process.test.ts).
 * Most are hostile or broken; some are well-formed, so the code behind each check runs too.
 */

/** How a request goes out: whole, chunked, cut off mid-body, or as raw bytes on a fresh connection. */
type SendMode = 'whole' | 'chunked' | 'abort' | 'raw';

export interface FuzzRequest {
  /** Endpoint family and variant, for the summary and the report of a failure. */
  kind: string;
  method: string;
  path: string;
  /** Header pairs as sent (repeats allowed): [name, value, name, value…]. Host and framing are added when sent. */
  headers: string[];
  body?: Buffer;
  send: SendMode;
  /** For `raw`: the bytes written to a fresh connection. */
  raw?: Buffer;
}

/** What the generator knows of the bridge under test: its secrets, and how to sign for Slack and Teams. */
export interface FuzzTarget {
  webhookPath: string;
  webhookSecret: string;
  adminToken: string;
  /** A session cookie value of the admin page and its CSRF token. */
  adminSession: () => { cookie: string; csrf: string };
  slackSigningSecret: string;
  /** The Slack channel id a receiver posts to (commands there see its checks). */
  slackChannel: string;
  /** A Bot Framework token signed with the published key; `forge` signs it with another key. */
  teamsToken: (over?: { header?: Record<string, unknown>; claims?: Record<string, unknown>; forge?: boolean }) => string;
  /** The service URL Teams tokens name. */
  teamsServiceUrl: string;
  nowS: () => number;
}

const J = JSON.stringify;

/** Values that have bitten bridges before: prototype names, path tricks, chat markup, look-alikes, limits. */
const HOSTILE_TEXT = [
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__',
  '.', '..', '../..', '../../auth/token', '%2e%2e', '/', 'a/b', '?x=1', '#frag', '%', '%00', '\\', '..\\..',
  '*b*', '_i_', '~s~', '`c`', '```x```', '> quote', '<!channel>', '<!here>', '<@U0123>', '<#C0123>', '<https://x.example|click>',
  'https://evil.example/a', 'www.evil.example', 'evil.example', 'a@b.example', 'a&b<c>d', '&amp;', '<at>x</at>', '[x](https://e.example)',
  '\u202e', '\u200b', '\u200d', '\ufeff', '\u2028', '\u0301', 'e\u0301', '\u{1f600}', '\uffff', '\u00a0', '\u3000', ' ', '\t', '',
  'x'.repeat(256), 'x'.repeat(257), '\u{1f600}'.repeat(128), '${SECRET}', '{{7*7}}', '{% raw %}', "' OR 1=1 --", 'null', 'undefined', '0', '-1', '1e309',
  'LiveCheck', 'Completed', 'grp-1', 'cust_00482', 'ÄÖÜ', '中文', 'عربي',
] as const;

const TYPES = ['LiveCheck', 'OfflineCheck', 'WatchlistSearch', 'RecurringWatchlistSearch', 'Unknown'] as const;
const STATUSES = ['Completed', 'Rejected', 'InReview', 'Pending', 'Expired', 'Cancelled'] as const;

/** A string that is usually ordinary and sometimes hostile. */
function field(r: Prng, ordinary: readonly string[]): string {
  return r.chance(0.7) ? r.pick(ordinary) : r.pick(HOSTILE_TEXT);
}

/** An extra field's value, as raw JSON text (escapes kept as the sender wrote them). */
function extraJson(r: Prng): string {
  const nest = (d: number, open: string, close: string, inner = '1') => open.repeat(d) + inner + close.repeat(d);
  switch (r.int(14)) {
    case 0: return '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    case 1: return '"before\\u0000after"';
    case 2: return '{"note":"half \\ud800 a pair","\\udc00":1}';
    case 3: return nest(28 + r.int(8), '[', ']');
    case 4: return nest(r.pick([100, 1000, 5000]), '[', ']');
    case 5: return nest(10 + r.int(30), '{"a":', '}');
    case 6: return `[${Array.from({ length: 2000 }, (_, k) => k).join(',')}]`;
    case 7: return r.pick(['1e400', '-0', '123456789012345678901234567890', '0.1e-400', 'true', 'null', '""']);
    case 8: return `{${Array.from({ length: 1500 }, (_, k) => `"k${k}":${k}`).join(',')}}`;
    case 9: return J({ [r.pick(HOSTILE_TEXT)]: r.pick(HOSTILE_TEXT) });
    case 10: return '{"toString":"x","valueOf":1,"hasOwnProperty":null}';
    case 11: return J('y'.repeat(r.int(60_000)));
    case 12: return '"\\u0007\\u001b[31mred\\u001b[0m"';
    default: return J(r.pick(HOSTILE_TEXT));
  }
}

/** A webhook body: usually a status message (some fields hostile, some extras), else malformed in one of many ways. */
function webhookBody(r: Prng, i: number): { kind: string; body: Buffer } {
  const message = () => {
    const fields = [
      `"type":${J(field(r, TYPES))}`,
      `"id":${J(r.chance(0.8) ? `fz-${i}-${r.int(1000)}` : r.pick(HOSTILE_TEXT))}`,
      `"groupId":${J(field(r, ['grp-1', 'grp-2']))}`,
      `"status":${J(field(r, STATUSES))}`,
    ];
    if (r.chance(0.4)) fields.push(`${J(r.pick(['extra', 'reference', '__proto__', 'constructor', 'statusMessage', 'meta']))}:${extraJson(r)}`);
    if (r.chance(0.05)) fields.splice(r.int(fields.length), 1);
    if (r.chance(0.05)) fields.push(`"id":${J(`dup-${i}`)}`);
    return `{${fields.join(',')}}`;
  };
  const text = (kind: string, s: string) => ({ kind, body: Buffer.from(s, 'utf8') });
  switch (r.int(20)) {
    case 0: return text('truncated', `{"statusMessage":${message()}}`.slice(0, r.int(60)));
    case 1: return { kind: 'random bytes', body: Buffer.from(Array.from({ length: r.int(3000) }, () => r.int(256))) };
    case 2: return text('not an object', r.pick(['null', '[]', '42', '"statusMessage"', 'true', '', ' ', '{}', '[{"statusMessage":{}}]']));
    case 3: return text('wrapper', r.pick([`{"statusmessage":${message()}}`, `{"statusMessage":[${message()}]}`, `{"statusMessage":null}`, `{"__proto__":{"statusMessage":${message()}}}`]));
    case 4: return text('BOM or comments', r.pick([`\ufeff{"statusMessage":${message()}}`, `{"statusMessage":${message()}} // c`, `{'statusMessage':{}}`, `{"statusMessage":${message()}}garbage`]));
    case 5: return text('deep', `{"statusMessage":${message()},"x":${'['.repeat(20_000)}}`);
    case 6: return { kind: 'invalid UTF-8', body: Buffer.concat([Buffer.from(`{"statusMessage":${message()},"x":"`), Buffer.from(r.pick(['c0af', 'eda080', 'ff', 'f8888080']), 'hex'), Buffer.from('"}')]) };
    case 7: return text('over the limit', `{"statusMessage":${message()},"pad":"${'p'.repeat(65_536 + r.int(70_000))}"}`);
    // Finding 4: a field of blanks ending in a character the schema refuses (or not).
    case 8: return text('blanks', `{"statusMessage":{"type":"LiveCheck","id":"${' '.repeat(r.int(60_000))}${r.pick(['', '\\u0007', 'x'])}","groupId":"g","status":"s"}}`);
    default: return text('status message', `{"statusMessage":${message()}}`);
  }
}

const ODD_METHODS = METHODS.filter((m) => m !== 'CONNECT');

/** Headers any request may carry on top of its own: forwarding claims, repeats, huge or odd values. */
function oddHeaders(r: Prng): string[] {
  const h: string[] = [];
  const ip = () => `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}`;
  const n = r.chance(0.75) ? 0 : 1 + r.int(3);
  for (let k = 0; k < n; k++) {
    switch (r.int(12)) {
      case 0: h.push('X-Forwarded-For', r.pick([ip(), `${ip()}, ${ip()}`, 'garbage', '', Array.from({ length: 200 }, ip).join(','), '::1', '"><script>'])); break;
      case 1: h.push('X-Forwarded-Proto', r.pick(['https', 'http', 'gopher', 'https, http', ''])); break;
      case 2: h.push('X-Forwarded-Host', r.pick(['evil.example', 'a'.repeat(2000), ''])); break;
      case 3: h.push('X-Forwarded-For', ip(), 'X-Forwarded-For', ip()); break;
      case 4: h.push('X-Huge', 'h'.repeat(r.pick([1000, 8000, 15_000, 20_000]))); break;
      case 5: h.push('Cookie', r.pick(['aver_bridge_admin=v1.99999999999999.xxx', 'aver_bridge_admin=', '=;;=', `a=${'c'.repeat(4000)}`, 'aver_bridge_admin="quoted"'])); break;
      case 6: h.push('Accept', r.pick(['*/*', 'text/html', 'application/openmetrics-text; version=1.0.0', '', 'x'.repeat(500)])); break;
      case 7: h.push('Content-Encoding', r.pick(['gzip', 'br', 'identity', 'x'])); break;
      case 8: h.push('Expect', r.pick(['100-continue', 'garbage'])); break;
      case 9: for (let m = 0; m < 60; m++) h.push(`X-Many-${m}`, String(m)); break;
      case 10: h.push('X-Latin1', Buffer.from([0xe9, 0xe8, 0xff]).toString('latin1')); break;
      default: h.push('Origin', r.pick(['https://evil.example', 'null']), 'Referer', 'https://evil.example/'); break;
    }
  }
  return h;
}

/** A body's transfer: mostly whole; sometimes chunked or cut off by the client. */
function sendMode(r: Prng): SendMode {
  const x = r.next();
  return x < 0.85 ? 'whole' : x < 0.94 ? 'chunked' : 'abort';
}

/** Aver's webhook: secrets right, wrong, missing or repeated; content types; bodies of every kind; odd methods. */
function webhookRequest(r: Prng, i: number, t: FuzzTarget): FuzzRequest {
  const headers: string[] = [];
  const auth = r.next();
  if (auth < 0.75) headers.push('Authorization', t.webhookSecret);
  else if (auth < 0.9) headers.push('Authorization', r.pick(['', 'wrong', `Bearer ${t.webhookSecret}`, `${t.webhookSecret} `, t.webhookSecret.toUpperCase(), 'x'.repeat(5000)]));
  else if (auth < 0.95) headers.push('Authorization', t.webhookSecret, 'Authorization', r.pick([t.webhookSecret, 'other']));
  const type = r.next();
  if (type < 0.8) headers.push('Content-Type', r.pick(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON']));
  else if (type < 0.95) headers.push('Content-Type', r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '', ';', 'application/json; charset=latin1', 'application/json;;;']));
  else if (type < 0.98) headers.push('Content-Type', 'text/plain', 'Content-Type', 'application/json');
  const { kind, body } = webhookBody(r, i);
  const method = r.chance(0.92) ? 'POST' : r.pick(ODD_METHODS);
  const path = r.chance(0.97) ? t.webhookPath : `${t.webhookPath}${r.pick(['/', '?a=1', '%00', '/..', '#x'])}`.replace('#x', '');
  return { kind: `webhook ${method === 'POST' ? kind : `${method}`}`, method, path, headers: [...headers, ...oddHeaders(r)], body: method === 'GET' || method === 'HEAD' ? undefined : body, send: sendMode(r) };
}

/** A `/aver` slash command's form, as Slack sends it. */
function slashCommand(r: Prng, t: FuzzTarget): string {
  const text = r.pick([
    'help', 'routes', 'test', '', '   ', `status ${r.pick(HOSTILE_TEXT)}`, `status fz-${r.int(500)}-${r.int(1000)}`, 'status', r.pick(HOSTILE_TEXT),
    `status ${'x'.repeat(3000)}`, 'STATUS fz-1-1', 'status a b c', `routes ${r.pick(HOSTILE_TEXT)}`,
  ]);
  const fields: Record<string, string> = {
    token: 'legacy', team_id: 'T0FUZZ', team_domain: 'fuzz', channel_id: r.chance(0.6) ? t.slackChannel : r.pick(['C0OTHER', 'D0DM', '', '__proto__']),
    channel_name: 'x', user_id: 'U0FUZZ', user_name: 'f', command: r.chance(0.9) ? '/aver' : r.pick(['/other', '', '/AVER']), text,
    api_app_id: 'A0FUZZ', response_url: 'https://hooks.slack.invalid/commands/1', trigger_id: '1.2.3',
  };
  if (r.chance(0.1)) delete fields[r.pick(Object.keys(fields))];
  return new URLSearchParams(fields).toString();
}

/** Slack's endpoint: unsigned, badly signed, stale; and signed bodies of every shape (commands, events, garbage). */
function slackRequest(r: Prng, t: FuzzTarget): FuzzRequest {
  const form = r.chance(0.6);
  const bodies = form
    ? [slashCommand(r, t), 'ssl_check=1', `payload=${encodeURIComponent(r.pick(['{', '[]', '{"type":"block_actions"}', J({ type: 'block_actions', actions: [{ action_id: 'open_in_aver' }], user: { id: 'U1' }, team: { id: 'T1' }, container: {}, channel: { id: t.slackChannel } })]))}`, 'a=%E0%A4%A&b', '&&&=', '']
    : [J({ type: 'url_verification', challenge: r.pick(['abc', 'x'.repeat(3000), '<script>']) }), J({ type: 'url_verification', challenge: { a: 1 } }), J({ type: 'event_callback', event: r.pick([null, {}, { type: 'app_mention', text: '<@U1> status x', channel: t.slackChannel }, 'x']) }), J({ type: r.pick(HOSTILE_TEXT) }), '[]', 'null', '{', J({ type: 'app_rate_limited' }), J({ type: 'event_callback', __proto__: { x: 1 } })];
  const raw = r.pick(bodies);
  const headers = ['Content-Type', form ? 'application/x-www-form-urlencoded' : r.pick(['application/json', 'text/plain', ''])];
  const ts = r.next();
  const timestamp = ts < 0.85 ? String(t.nowS()) : r.pick([String(t.nowS() - 600), String(t.nowS() + 600), 'abc', '', '1e3', '-1', '99999999999999999999']);
  const signature = `v0=${createHmac('sha256', t.slackSigningSecret).update(`v0:${timestamp}:${raw}`).digest('hex')}`;
  const sign = r.next();
  let kind = 'signed';
  if (sign < 0.6) headers.push('X-Slack-Request-Timestamp', timestamp, 'X-Slack-Signature', signature);
  else if (sign < 0.75) { kind = 'unsigned'; }
  else if (sign < 0.95) { kind = 'bad signature'; headers.push('X-Slack-Request-Timestamp', timestamp, 'X-Slack-Signature', r.pick(['v0=00', 'v1=abc', signature.slice(0, -1) + '0', '', 'v0=' + 'f'.repeat(64), signature.toUpperCase()])); }
  else { kind = 'repeated signature'; headers.push('X-Slack-Request-Timestamp', timestamp, 'X-Slack-Signature', 'v0=00', 'X-Slack-Signature', signature); }
  if (r.chance(0.05)) headers.push('X-Slack-Retry-Num', r.pick(['1', 'x', '-1']), 'X-Slack-Retry-Reason', 'http_timeout');
  const method = r.chance(0.95) ? 'POST' : r.pick(ODD_METHODS);
  return { kind: `slack ${kind}${form ? ' form' : ' json'}`, method, path: '/slack/events', headers: [...headers, ...oddHeaders(r)], body: Buffer.from(raw), send: sendMode(r) };
}

/** An activity as the Bot Framework posts it, some of its parts hostile. Only kinds the bot handles without calling out. */
function activity(r: Prng, t: FuzzTarget): unknown {
  const hostile = () => (r.chance(0.5) ? r.pick(HOSTILE_TEXT) : r.pick<unknown>([null, 42, {}, [], { id: '__proto__' }, true]));
  const team = r.chance(0.7) ? { id: r.chance(0.5) ? '19:team@thread.tacv2' : hostile(), name: r.chance(0.5) ? 'Compliance' : hostile() } : hostile();
  const channelData = r.chance(0.9)
    ? { eventType: r.pick(['teamRenamed', 'channelCreated', 'channelRenamed', 'channelDeleted', 'teamDeleted', 'teamHardDeleted', '__proto__', 'x']), team, channel: r.chance(0.5) ? { id: hostile(), name: hostile() } : hostile(), tenant: { id: r.pick(['00000000-0000-4000-8000-000000000001', 'other', hostile()]) } }
    : hostile();
  return {
    type: r.pick(['conversationUpdate', 'conversationUpdate', 'installationUpdate', 'typing', 'messageReaction', 'endOfConversation', 'x', '__proto__']),
    action: r.pick(['remove', 'remove-upgrade', hostile()]),
    channelId: r.pick(['msteams', 'msteams', 'emulator', 'slack', hostile()]),
    serviceUrl: r.chance(0.9) ? t.teamsServiceUrl : hostile(),
    id: 'f:1', from: r.chance(0.9) ? { id: '29:user' } : hostile(), recipient: { id: '28:bot' },
    conversation: r.chance(0.9) ? { id: r.pick(['19:team@thread.tacv2;messageid=1', '', '__proto__']), conversationType: 'channel', tenantId: '00000000-0000-4000-8000-000000000001' } : hostile(),
    channelData,
    membersRemoved: r.chance(0.2) ? [{ id: '28:bot' }] : undefined,
  };
}

/** Teams' endpoint: no token, garbage, forged (alg none, HS256, another key, nbf, exp, audience), and signed activities. */
function teamsRequest(r: Prng, t: FuzzTarget): FuzzRequest {
  const now = t.nowS();
  const b64 = (v: unknown) => Buffer.from(J(v)).toString('base64url');
  const tokens: Array<[string, () => string | undefined]> = [
    ['no token', () => undefined],
    ['garbage', () => r.pick(['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', 'Bearer ...', `Bearer ${'A'.repeat(9000)}`, 'Bearer e30.e30.', 'Bearer !!!.@@@.###'])],
    ['alg none', () => `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'https://api.botframework.com', exp: now + 3600 })}.`],
    ['HS256', () => `Bearer ${b64({ alg: 'HS256', typ: 'JWT', kid: 'fuzz-key' })}.${b64({ exp: now + 3600 })}.${'a'.repeat(43)}`],
    ['another key', () => `Bearer ${t.teamsToken({ forge: true })}`],
    ['future nbf', () => `Bearer ${t.teamsToken({ claims: { nbf: now + 3600 } })}`],
    ['expired', () => `Bearer ${t.teamsToken({ claims: { nbf: now - 9000, exp: now - 7200 } })}`],
    ['another audience', () => `Bearer ${t.teamsToken({ claims: { aud: 'someone-else' } })}`],
    ['unknown key id', () => `Bearer ${t.teamsToken({ header: { kid: r.pick(['nope', '__proto__', '']) } })}`],
    ['odd claims', () => `Bearer ${t.teamsToken({ claims: { nbf: r.pick<unknown>(['x', null, {}]), exp: r.pick<unknown>(['y', [], now + 60]) } })}`],
    ['signed', () => `Bearer ${t.teamsToken({ claims: r.chance(0.2) ? { serviceurl: 'http://elsewhere.invalid/' } : {} })}`],
    ['signed', () => `Bearer ${t.teamsToken()}`],
  ];
  const [kind, token] = r.pick(tokens);
  const value = token();
  const headers = ['Content-Type', r.pick(['application/json', 'application/json', 'text/plain'])];
  if (value !== undefined) headers.push('Authorization', value);
  const raw = r.chance(0.85) ? J(activity(r, t)) : r.pick(['{', '[]', 'null', '{"type":1}', '{"notype":true}', '', 'x'.repeat(2000)]);
  const method = r.chance(0.95) ? 'POST' : r.pick(ODD_METHODS);
  return { kind: `teams ${kind}`, method, path: '/api/messages', headers: [...headers, ...oddHeaders(r)], body: Buffer.from(raw), send: sendMode(r) };
}

/** A query string of hostile names and values, repeats included. */
function hostileQuery(r: Prng, names: readonly string[]): string {
  const n = r.int(6);
  const parts: string[] = [];
  for (let k = 0; k < n; k++) {
    const name = r.chance(0.6) ? r.pick(names) : r.pick(HOSTILE_TEXT);
    const value = r.chance(0.7) ? r.pick(HOSTILE_TEXT) : r.pick(['%E0%A4%A', '%', '%%', '%zz', '1e999', '-5', '9'.repeat(30), 'NaN']);
    parts.push(`${encodeURIComponent(name)}=${/^%|^[0-9e.-]+$|^NaN$/.test(value) ? value : encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Admin: the page, login and logout, the JSON API, retries and reloads; with the token, a session, garbage or nothing. */
function adminRequest(r: Prng, t: FuzzTarget): FuzzRequest {
  const session = t.adminSession();
  const auth = r.next();
  const headers: string[] = [];
  let csrf = '';
  if (auth < 0.55) headers.push('Authorization', `Bearer ${t.adminToken}`);
  else if (auth < 0.75) { headers.push('Cookie', `aver_bridge_admin=${session.cookie}`); csrf = r.chance(0.8) ? session.csrf : 'wrong'; }
  else if (auth < 0.9) headers.push('Authorization', r.pick(['Bearer wrong-token-000000', 'Bearer', `Basic ${t.adminToken}`, `bearer ${t.adminToken}`, `Bearer  ${t.adminToken} `]));
  const id = r.pick(['1', '0', '-1', '999999', '1e99', 'abc', '%00', '..', '%2e%2e', '9'.repeat(25), '%E0%A4%A', '%', '1.5', '%201']);
  const form = (fields: Record<string, string>) => new URLSearchParams({ ...fields, ...(csrf ? { csrf } : {}) }).toString();
  const choices: Array<() => [string, string, string?]> = [
    // The page and the events listing read the store the most: one choice each among the cheaper ones.
    () => ['GET', r.chance(0.5)
      ? `/admin${hostileQuery(r, ['rt', 'type', 'status', 'groupId', 'id', 'labels', 'notice', 'n'])}`
      : `/admin?rt=1&labels=${encodeURIComponent(Array.from({ length: 1 + r.int(5) }, () => `${r.pick(HOSTILE_TEXT)}=${r.pick(HOSTILE_TEXT)}`).join('\n'))}&type=${encodeURIComponent(r.pick(HOSTILE_TEXT))}`],
    () => ['GET', `/admin/api/events${hostileQuery(r, ['limit'])}`],
    () => ['GET', `/admin/api/dead-letters${hostileQuery(r, ['limit'])}`],
    () => ['GET', `/admin/api/routes/test${hostileQuery(r, ['type', 'status', 'groupId', 'id', '__proto__', 'rt', 'warnings'])}`],
    () => ['POST', `/admin/dead-letters/${id}/retry`, form({})],
    () => ['POST', '/admin/dead-letters/retry-all', form({})],
    () => ['POST', '/admin/login', r.pick([form({ token: t.adminToken }), form({ token: r.pick(HOSTILE_TEXT) }), 'token=%E0%A4%A', '', 'x'.repeat(20_000), J({ token: t.adminToken })])],
    () => ['POST', '/admin/logout', form({})],
  ];
  if (r.chance(0.1)) choices.push(() => ['POST', r.pick(['/-/reload', '/admin/reload']), form({})]);
  const [method, path, body] = r.pick(choices)();
  if (body !== undefined) headers.push('Content-Type', r.chance(0.9) ? 'application/x-www-form-urlencoded' : r.pick(['application/json', 'text/plain', '']));
  const m = r.chance(0.95) ? method : r.pick(ODD_METHODS);
  return { kind: `admin ${m} ${path.split('?')[0].replace(/\/dead-letters\/[^/]+\/retry/, '/dead-letters/:id/retry')}`, method: m, path, headers: [...headers, ...oddHeaders(r)], body: body === undefined ? undefined : Buffer.from(body), send: body === undefined ? 'whole' : sendMode(r) };
}

/** Health, readiness and metrics, with odd queries, methods and headers. */
function probeRequest(r: Prng): FuzzRequest {
  const path = `${r.pick(['/healthz', '/readyz', '/metrics'])}${r.chance(0.2) ? hostileQuery(r, ['name[]', 'format']) : ''}`;
  const method = r.chance(0.8) ? r.pick(['GET', 'HEAD']) : r.pick(ODD_METHODS);
  const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(r.pick(['', '{}', 'x'.repeat(1000)]));
  return { kind: `probe ${method} ${path.split('?')[0]}`, method, path, headers: oddHeaders(r), body, send: 'whole' };
}

/** Paths no route has, near misses of the real ones among them, with any method. */
function unknownPathRequest(r: Prng, t: FuzzTarget): FuzzRequest {
  const path = r.pick([
    '/', '/favicon.ico', '/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', `${t.webhookPath}/`, t.webhookPath.toUpperCase(), '/webhooks//aver', '/admin/',
    '/admin/api', '/admin/api/events/1', '/-/', '/%', '/%ZZ', '/%E0%A4%A', '/a?%', `/${'a'.repeat(8000)}`, '/%C3%A9', '//', '/api/messages/x',
    '/slack/events/', '/admin/dead-letters//retry', '/admin/dead-letters/%E0%A4%A/retry', '/admin/dead-letters/1/retry/x', '/metrics/', '/*', '/.env', '/.git/config',
  ]);
  const method = r.chance(0.6) ? r.pick(['GET', 'POST']) : r.pick(ODD_METHODS);
  return { kind: `unknown ${method}`, method, path, headers: oddHeaders(r), body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.from('{}'), send: 'whole' };
}

/** Raw bytes on a fresh connection: broken request lines and framing, smuggling shapes, other protocols. */
function rawRequest(r: Prng, t: FuzzTarget): FuzzRequest {
  const body = J({ statusMessage: { type: 'LiveCheck', id: `raw-${r.int(1e6)}`, groupId: 'grp-1', status: 'Completed' } });
  const len = Buffer.byteLength(body);
  const head = `POST ${t.webhookPath} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${t.webhookSecret}\r\n`;
  const raw = r.pick([
    `${head}Content-Length: ${len}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    `${head}Transfer-Encoding: chunked\r\n\r\n${len.toString(16)}\r\n${body}\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n`,
    `${head}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    `${head}Content-Length: ${len}\r\nContent-Length: ${len + 1}\r\n\r\n${body}`,
    `${head}Content-Length: -1\r\n\r\n${body}`,
    `${head}Content-Length: 1e3\r\n\r\n${body}`,
    `${head}Bad Header: x\r\nContent-Length: ${len}\r\n\r\n${body}`,
    `${head}X-Fold: a\r\n b\r\nContent-Length: ${len}\r\n\r\n${body}`,
    `${head}X-Nul: a\u0000b\r\nContent-Length: ${len}\r\n\r\n${body}`,
    `GET /healthz HTTP/1.0\r\n\r\n`,
    `GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n`,
    `GET http://evil.example/admin HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET * HTTP/1.1\r\nHost: x\r\n\r\n`,
    `OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n`,
    `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\n\r\n`,
    `GET /\u00e9\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    `\x00\x01\x02 garbage\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  ]);
  return { kind: 'raw', method: 'RAW', path: '', headers: [], send: 'raw', raw: Buffer.from(raw, 'latin1') };
}

/** One request of any family, in rough proportion to how much each endpoint has to check. */
export function fuzzRequest(r: Prng, i: number, t: FuzzTarget): FuzzRequest {
  const x = r.next();
  if (x < 0.42) return webhookRequest(r, i, t);
  if (x < 0.55) return slackRequest(r, t);
  if (x < 0.66) return teamsRequest(r, t);
  if (x < 0.78) return adminRequest(r, t);
  if (x < 0.87) return probeRequest(r);
  if (x < 0.94) return unknownPathRequest(r, t);
  return rawRequest(r, t);
}
