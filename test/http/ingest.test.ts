import { expect } from 'chai';
import { request } from 'node:http';
import { connect } from 'node:net';
import { systemClock, type Clock } from '../../src/clock.js';
import { ConfigError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge, type BridgeAnswer } from '../helpers/bridge.js';
import { configFrom, MINIMAL_YAML } from '../helpers/config.js';

const SECRET = 's3cret-value';
const AUTH = { authorization: SECRET };
const DOCS_EXAMPLE = { statusMessage: { type: 'LiveCheck', id: '12345', groupId: ' 12345', status: 'Completed' } };
const GROUP = '2d1162b5-0000-0000-0000-000000000000';

let seq = 0;
/** A valid body with a fresh id, so tests do not dedup each other. */
function body(over: Record<string, unknown> = {}) {
  seq += 1;
  return { statusMessage: { type: 'LiveCheck', id: `chk-${seq}`, groupId: GROUP, status: 'Completed', ...over } };
}

/** Asserts the one error shape every failure uses, with its stable code. */
function expectError(res: { status: number; json: BridgeAnswer }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).to.equal(status);
  expect(res.json).to.be.an('object');
  expect(Object.keys(res.json)).to.deep.equal(['error']);
  const keys = Object.keys(res.json.error);
  expect(keys.slice(0, 2)).to.deep.equal(['code', 'message']);
  expect(keys.every((k) => ['code', 'message', 'details'].includes(k)), keys.join()).to.equal(true);
  expect(res.json.error.code).to.equal(code);
  expect(res.json.error.message).to.be.a('string').and.not.equal('');
}

/** Any HTTP request, over node:http so the body may be chunked or the method anything. */
function raw(
  url: string,
  opts: { method?: string; headers?: Record<string, string | number>; chunks?: Array<string | Buffer> },
): Promise<{ status: number; headers: Record<string, unknown>; json: BridgeAnswer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: opts.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown = text;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: json as BridgeAnswer });
      });
    });
    // The server may answer (413) and close before the whole body is sent: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const c of opts.chunks ?? []) req.write(c);
    if (opts.chunks) setTimeout(() => req.end(), 20).unref();
    else req.end();
  });
}

async function storedCount(t: TestBridge): Promise<number> {
  return (await t.bridge.store.recentEvents(100)).length;
}

describe('POST /webhooks/aver (ingest, real bridge over HTTP)', () => {
  let t: TestBridge;
  let hook: string;
  before(async () => {
    t = await startBridge(MINIMAL_YAML.replace('secrets: ["s3cret-value"]', 'secrets: ["s3cret-value", "next-secret"]\n    maxBodyBytes: 1024'));
    hook = `${t.url}/webhooks/aver`;
  });
  after(async () => t.stop());

  describe('authentication', () => {
    it('answers 202 with an eventId for the right secret, and stores the event before answering', async () => {
      const res = await postWebhook(hook, DOCS_EXAMPLE, AUTH);
      expect(res.status).to.equal(202);
      expect(res.json).to.deep.equal({ accepted: true, eventId: res.json.eventId });
      expect(res.json.eventId).to.match(/^[0-9a-f]{28}$/);
      const stored = await t.bridge.store.getEvent(res.json.eventId);
      expect(stored?.event).to.include({ type: 'LiveCheck', id: '12345', groupId: '12345', status: 'Completed' });
    });

    it('accepts the second secret of the list (rotation without downtime)', async () => {
      const res = await postWebhook(hook, body(), { authorization: 'next-secret' });
      expect(res.status).to.equal(202);
    });

    for (const [name, headers] of [
      ['a wrong secret', { authorization: 'wrong' }],
      ['a missing header', {}],
      ['an empty header', { authorization: '' }],
      ['a prefix of the secret', { authorization: 's3cret' }],
      ['the secret with extra characters', { authorization: `${SECRET}x` }],
      ['the secret under another header name', { 'x-secret': SECRET }],
    ] as Array<[string, Record<string, string>]>) {
      it(`answers 401 to ${name} and stores nothing`, async () => {
        const before = await storedCount(t);
        const res = await postWebhook(hook, body(), headers);
        expectError(res, 401, 'unauthorized');
        expect(await storedCount(t)).to.equal(before);
      });
    }

    it('checks the secret before anything else: a wrong secret with a bad content type is 401', async () => {
      const res = await raw(hook, { headers: { 'content-type': 'text/plain', authorization: 'wrong' }, chunks: ['hello'] });
      expectError(res, 401, 'unauthorized');
    });
  });

  describe('errors: each bad input has its status and code, and nothing is stored', () => {
    let before: number;
    beforeEach(async () => { before = await storedCount(t); });
    afterEach(async () => { expect(await storedCount(t), 'an event was stored').to.equal(before); });

    it('415 for a body that is not JSON by content type', async () => {
      expectError(await raw(hook, { headers: { 'content-type': 'text/plain', ...AUTH }, chunks: [JSON.stringify(body())] }), 415, 'unsupported_media_type');
    });

    it('415 for a missing content type', async () => {
      expectError(await raw(hook, { headers: AUTH, chunks: [JSON.stringify(body())] }), 415, 'unsupported_media_type');
    });

    it('413 for a Content-Length over maxBodyBytes', async () => {
      const big = JSON.stringify(body({ padding: 'x'.repeat(2000) }));
      const res = await raw(hook, { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big), ...AUTH }, chunks: [big] });
      expectError(res, 413, 'payload_too_large');
    });

    it('413 for a chunked body that grows over maxBodyBytes', async () => {
      const res = await raw(hook, {
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...AUTH },
        chunks: ['{"statusMessage":{"type":"LiveCheck","id":"1","groupId":"g","status":"Completed","pad":"', 'x'.repeat(700), 'x'.repeat(700), '"}}'],
      });
      expectError(res, 413, 'payload_too_large');
    });

    it('400 for invalid JSON', async () => {
      expectError(await postWebhook(hook, '{"statusMessage": {"type": "LiveCheck",', AUTH), 400, 'invalid_json');
    });

    it('400 for an empty JSON body', async () => {
      expectError(await postWebhook(hook, '', AUTH), 400, 'invalid_json');
    });

    const schemaCases: Array<[string, unknown, string]> = [
      ['a missing field', { statusMessage: { type: 'LiveCheck', groupId: GROUP, status: 'Completed' } }, '/statusMessage/id'],
      ['a missing statusMessage', { status: 'Completed' }, '/statusMessage'],
      ['a wrong type (number id)', { statusMessage: { type: 'LiveCheck', id: 12345, groupId: GROUP, status: 'Completed' } }, '/statusMessage/id'],
      ['a statusMessage that is not an object', { statusMessage: 'Completed' }, '/statusMessage'],
      ['a field empty after trimming', { statusMessage: { type: 'LiveCheck', id: '   ', groupId: GROUP, status: 'Completed' } }, '/statusMessage/id'],
      ['an empty field', { statusMessage: { type: 'LiveCheck', id: '1', groupId: '', status: 'Completed' } }, '/statusMessage/groupId'],
      ['a control character', { statusMessage: { type: 'LiveCheck', id: '1', groupId: GROUP, status: 'Comp\u0007leted' } }, '/statusMessage/status'],
      ['a newline inside a value', { statusMessage: { type: 'Live\nCheck', id: '1', groupId: GROUP, status: 'Completed' } }, '/statusMessage/type'],
      ['a value over the maximum length', { statusMessage: { type: 'LiveCheck', id: '9'.repeat(300), groupId: GROUP, status: 'Completed' } }, '/statusMessage/id'],
      ['a JSON array', [], '/'],
      ['JSON null', null, '/'],
    ];
    for (const [name, payload, path] of schemaCases) {
      it(`422 with the ajv path ${path} for ${name}`, async () => {
        const res = await postWebhook(hook, JSON.stringify(payload), AUTH);
        expectError(res, 422, 'schema_violation');
        expect(res.json.error.details).to.be.an('array').that.is.not.empty;
        const details = res.json.error.details!;
        const paths = details.map((d) => d.path);
        expect(paths).to.include(path);
        for (const d of details) expect(d.message).to.be.a('string').and.not.equal('');
      });
    }

    it('405 for a wrong method on the webhook path, naming the allowed one', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await raw(hook, { method, headers: AUTH });
        expectError(res, 405, 'method_not_allowed');
        expect(String(res.headers.allow)).to.contain('POST');
      }
    });

    it('404 for an unknown path, also with the right secret and a valid body', async () => {
      expectError(await postWebhook(`${t.url}/webhooks/avr`, body(), AUTH), 404, 'not_found');
      expectError(await raw(`${t.url}/nothing-here`, { method: 'GET' }), 404, 'not_found');
    });
  });

  describe('normalisation', () => {
    it('trims every string (the docs\' leading-space groupId) and keeps the raw message with its extra fields', async () => {
      const res = await postWebhook(hook, { statusMessage: { type: ' LiveCheck ', id: ' 777 ', groupId: ' 12345', status: 'Completed ', reviewer: { name: 'x' } }, topLevel: 1 }, AUTH);
      expect(res.status).to.equal(202);
      const stored = await t.bridge.store.getEvent(res.json.eventId);
      expect(stored!.event).to.include({ type: 'LiveCheck', id: '777', groupId: '12345', status: 'Completed', unknownType: false, unknownStatus: false });
      expect(stored!.event.raw).to.deep.include({ reviewer: { name: 'x' }, groupId: ' 12345' });
    });

    for (const spelling of ['Complete', 'completed', 'COMPLETE', ' complete ']) {
      it(`maps the status "${spelling}" to "Completed"`, async () => {
        const res = await postWebhook(hook, body({ status: spelling }), AUTH);
        expect(res.status).to.equal(202);
        const stored = await t.bridge.store.getEvent(res.json.eventId);
        expect(stored!.event.status).to.equal('Completed');
        expect(stored!.event.unknownStatus).to.equal(false);
      });
    }

    it('accepts unknown type and status values, flags them, counts them and routes them like any other event', async () => {
      const res = await postWebhook(hook, body({ type: 'FaceMatch', status: 'Escalated' }), AUTH);
      expect(res.status).to.equal(202);
      const stored = await t.bridge.store.getEvent(res.json.eventId);
      expect(stored!.event).to.include({ type: 'FaceMatch', status: 'Escalated', unknownType: true, unknownStatus: true });
      const line = await waitFor(() => t.consoleLines.find((l) => l.eventId === res.json.eventId), 'the console line');
      expect(line).to.include({ receiver: 'ops', type: 'FaceMatch', status: 'Escalated' });
      const metrics = await t.bridge.metrics.registry.metrics();
      expect(metrics).to.match(/aver_bridge_\w*unknown\w*\{field="type"\} [1-9]/);
      expect(metrics).to.match(/aver_bridge_\w*unknown\w*\{field="status"\} [1-9]/);
    });

    it('accepts a JSON content type with a charset, in any case', async () => {
      expect((await postWebhook(hook, body(), { ...AUTH, 'content-type': 'application/json; charset=utf-8' })).status).to.equal(202);
      expect((await postWebhook(hook, body(), { ...AUTH, 'content-type': 'Application/JSON; charset=UTF-8' })).status).to.equal(202);
    });
  });

  describe('GET /healthz and /readyz', () => {
    it('/healthz answers 200 while the process is alive', async () => {
      const res = await raw(`${t.url}/healthz`, { method: 'GET' });
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ ok: true });
    });

    it('/readyz answers 200 when the store is reachable', async () => {
      const res = await raw(`${t.url}/readyz`, { method: 'GET' });
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.include({ ok: true, store: 'sqlite' });
    });
  });
});

describe('POST /webhooks/aver: header name and unauthenticated mode', () => {
  it('uses the configured header name, case-insensitively', async () => {
    const t = await startBridge(MINIMAL_YAML.replace('secrets:', 'header: X-Aver-Token\n    secrets:'));
    try {
      const hook = `${t.url}/webhooks/aver`;
      expect((await postWebhook(hook, body(), { 'x-aver-token': SECRET })).status).to.equal(202);
      expect((await postWebhook(hook, body(), { 'X-AVER-TOKEN': SECRET })).status).to.equal(202);
      expectError(await postWebhook(hook, body(), AUTH), 401, 'unauthorized');
    } finally {
      await t.stop();
    }
  });

  it('with allowUnauthenticated: true needs no secret, and warns at start', async () => {
    const t = await startBridge(MINIMAL_YAML.replace('secrets: ["s3cret-value"]', 'allowUnauthenticated: true'));
    try {
      expect((await postWebhook(`${t.url}/webhooks/aver`, body())).status).to.equal(202);
      const warnings = t.logs.lines().map((l) => JSON.parse(l)).filter((l) => l.level === 40 && /allowUnauthenticated/.test(l.msg));
      expect(warnings).to.have.length(1);
    } finally {
      await t.stop();
    }
  });

  it('with allowUnauthenticated: true and secrets set, still checks the secret', async () => {
    const t = await startBridge(MINIMAL_YAML.replace('secrets:', 'allowUnauthenticated: true\n    secrets:'));
    try {
      expectError(await postWebhook(`${t.url}/webhooks/aver`, body()), 401, 'unauthorized');
    } finally {
      await t.stop();
    }
  });

  it('refuses to load a config with no secret and no allowUnauthenticated', () => {
    for (const secrets of ['secrets: []', 'secrets: ["${NOPE:-}"]', 'path: /webhooks/aver']) {
      const yaml = MINIMAL_YAML.replace('secrets: ["s3cret-value"]', secrets);
      expect(() => configFrom(yaml), secrets).to.throw(ConfigError, /aver\.webhook\.secrets.*no webhook secret/);
    }
  });

  it('serves a configured webhook path and 404s the default one', async () => {
    const t = await startBridge(MINIMAL_YAML.replace('secrets:', 'path: /hooks/kyc\n    secrets:'));
    try {
      expect((await postWebhook(`${t.url}/hooks/kyc`, body(), AUTH)).status).to.equal(202);
      expectError(await postWebhook(`${t.url}/webhooks/aver`, body(), AUTH), 404, 'not_found');
    } finally {
      await t.stop();
    }
  });
});

describe('POST /webhooks/aver: duplicates', () => {
  it('answers 200 duplicate within the window, delivers once, and treats it as new after the window', async () => {
    let offset = 0;
    const clock: Clock = { now: () => Date.now() + offset, sleep: systemClock.sleep };
    const t = await startBridge(MINIMAL_YAML.replace('secrets:', 'dedupWindow: 1h\n    secrets:'), { clock });
    try {
      const hook = `${t.url}/webhooks/aver`;
      const first = await postWebhook(hook, DOCS_EXAMPLE, AUTH);
      expect(first.status).to.equal(202);
      await waitFor(() => t.consoleLines.some((l) => l.eventId === first.json.eventId), 'first delivery');

      // The same (type, id, groupId, status) after normalisation: other spacing and spelling.
      const again = await postWebhook(hook, { statusMessage: { type: 'LiveCheck', id: '12345', groupId: '12345 ', status: 'complete' } }, AUTH);
      expect(again.status).to.equal(200);
      expect(again.json).to.include({ accepted: true, duplicate: true });
      expect(await storedCount(t)).to.equal(1);

      // Another status of the same check is a different event.
      const other = await postWebhook(hook, { statusMessage: { ...DOCS_EXAMPLE.statusMessage, status: 'Rejected' } }, AUTH);
      expect(other.status).to.equal(202);
      await waitFor(() => t.consoleLines.some((l) => l.eventId === other.json.eventId), 'second event delivered');
      expect(t.consoleLines.filter((l) => l.id === '12345' && l.status === 'Completed')).to.have.length(1);
      expect(await t.bridge.store.jobsForEvent(first.json.eventId)).to.have.length(1);

      offset = 60 * 60 * 1000 + 1;
      const later = await postWebhook(hook, DOCS_EXAMPLE, AUTH);
      expect(later.status).to.equal(202);
      expect(later.json.eventId).to.not.equal(first.json.eventId);
      await waitFor(() => t.consoleLines.some((l) => l.eventId === later.json.eventId), 'delivery after the window');
      expect(t.consoleLines.filter((l) => l.id === '12345' && l.status === 'Completed')).to.have.length(2);
    } finally {
      await t.stop();
    }
  });
});

describe('GET /readyz with the store down', () => {
  it('answers 503 store_unreachable', async () => {
    const temp = tempDir();
    const store = await openStore(`sqlite:${temp.dir}/shared.db`);
    const t = await startBridge(MINIMAL_YAML, { store });
    try {
      await store.close();
      const res = await raw(`${t.url}/readyz`, { method: 'GET' });
      expectError(res, 503, 'store_unreachable');
      // A 5xx shows its status text only.
      expect(res.json.error.message).to.equal('Service Unavailable');
    } finally {
      await t.stop().catch(() => undefined);
      temp.cleanup();
    }
  });
});

describe('ingest: hostile text and header tricks', () => {
  let t: TestBridge;
  let hook: string;
  before(async () => {
    t = await startBridge(MINIMAL_YAML);
    hook = `${t.url}/webhooks/aver`;
  });
  after(async () => t.stop());

  const cases: Array<[string, string]> = [
    ['a zero-width space only', '\u200b'],
    ['a lone surrogate', '\ud800'],
    ['a right-to-left override', 'chk\u202e1'],
    ['a left-to-right mark', '\u200echk'],
  ];
  for (const [what, id] of cases) {
    it(`refuses an id that is ${what} with 422, storing nothing`, async () => {
      const before = (await t.bridge.store.recentEvents(100)).length;
      // JSON.stringify would write a lone surrogate as an escape; send the escape so it survives the wire.
      const text = JSON.stringify({ statusMessage: { type: 'LiveCheck', id, groupId: 'g', status: 'Completed' } });
      expectError(await postWebhook(hook, text, AUTH), 422, 'schema_violation');
      expect((await t.bridge.store.recentEvents(100)).length).to.equal(before);
    });
  }

  it('trims zero-width characters around a visible id', async () => {
    const res = await postWebhook(hook, body({ id: '\u200bchk-zw\ufeff' }), AUTH);
    expect(res.status).to.equal(202);
    expect((await t.bridge.store.getEvent(res.json.eventId))?.event.id).to.equal('chk-zw');
  });

  it('refuses a repeated security header with 401, even when the first copy is right', async () => {
    // node:http merges or drops repeated headers on the way out, so write the request by hand.
    const payload = JSON.stringify(body());
    const { port } = new URL(hook);
    const twice = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          `POST /webhooks/aver HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\n` +
            `Authorization: other\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
        );
      });
      let answer = '';
      socket.on('data', (c) => (answer += c.toString()));
      socket.on('end', () => resolve(Number(answer.split(' ')[1])));
      socket.on('error', reject);
    });
    expect(twice).to.equal(401);
  });

  it('matches the path exactly: another case or a trailing slash is a 404', async () => {
    for (const path of ['/webhooks/AVER', '/webhooks/aver/']) {
      expectError(await postWebhook(`${t.url}${path}`, body(), AUTH), 404, 'not_found');
    }
  });
});

describe('ingest: text no store can keep, and nesting (refused before anything is stored)', () => {
  let t: TestBridge;
  let hook: string;
  before(async () => {
    t = await startBridge(MINIMAL_YAML);
    hook = `${t.url}/webhooks/aver`;
  });
  after(async () => t.stop());

  // Written as JSON text with escapes, as a sender would: JSON.stringify would also write them so.
  const cases: Array<[string, string, string, string]> = [
    ['a NUL in a nested extra field', `{"statusMessage":{"type":"LiveCheck","id":"n-1","groupId":"g","status":"Completed","extra":{"note":["ok","a\\u0000b"]}}}`, 'unstorable_text', '/statusMessage/extra/note/1'],
    ['a lone surrogate in an extra field', `{"statusMessage":{"type":"LiveCheck","id":"n-2","groupId":"g","status":"Completed","note":"\\ud800"}}`, 'unstorable_text', '/statusMessage/note'],
    ['a NUL in a key outside statusMessage', `{"statusMessage":{"type":"LiveCheck","id":"n-3","groupId":"g","status":"Completed"},"k\\u0000":1}`, 'unstorable_text', '/k\ufffd'],
    ['an extra field nested 5,000 deep (16 KB)', `{"statusMessage":{"type":"LiveCheck","id":"n-4","groupId":"g","status":"Completed","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`, 'nesting_too_deep', `/statusMessage/x${'/0'.repeat(30)}`],
  ];
  for (const [what, text, code, path] of cases) {
    it(`refuses ${what} with 422 ${code}, storing nothing`, async () => {
      const before = await storedCount(t);
      const res = await postWebhook(hook, text, AUTH);
      expectError(res, 422, code);
      expect(res.json.error.details).to.deep.equal([{ path, message: res.json.error.details![0].message }]);
      expect(await storedCount(t)).to.equal(before);
    });
  }

  it('stores extra text that PostgreSQL can keep: surrogate pairs and other control characters', async () => {
    const res = await postWebhook(hook, `{"statusMessage":{"type":"LiveCheck","id":"n-5","groupId":"g","status":"Completed","note":"\\ud83d\\ude00\\u0001\\t"}}`, AUTH);
    expect(res.status).to.equal(202);
    expect((await t.bridge.store.getEvent(res.json.eventId))?.event.raw.note).to.equal('😀\u0001\t');
  });

  it('answers 64 KB of visible text ending in a control character with 422 schema_violation, saying why', async () => {
    const res = await postWebhook(hook, JSON.stringify({ statusMessage: { type: 'LiveCheck', id: 'x'.repeat(65_000) + '\u0001', groupId: 'g', status: 'Completed' } }), AUTH);
    expectError(res, 422, 'schema_violation');
    expect(res.json.error.details!.map((d) => d.message)).to.include('must not contain control, bidirectional-control or lone surrogate characters');
  });
});
