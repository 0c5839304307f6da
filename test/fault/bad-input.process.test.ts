import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { postWebhook, tempDir, waitFor } from '../helpers/bridge.js';
import { killServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const TOTAL = 10_000;
const PARALLEL = 32;
const SECRET = 's3cret-value';
const PATH = '/webhooks/aver';

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

type Bad =
  | { via: 'fetch'; kind: string; method?: string; path?: string; headers: Record<string, string>; body?: string | Buffer }
  | { via: 'raw'; kind: string; bytes: Buffer };

const VALID = { type: 'LiveCheck', id: 'kyc-1', groupId: 'grp-1', status: 'Completed' };
const json = { 'content-type': 'application/json', authorization: SECRET };
const UNICODE_TRICKS = ['\ud800', '\udfff', '\u202e', '\u200b', '\u200d', '\ufeff', '\u2028', '\u0301', '\uffff', 'e\u0301', '\u{1f600}'];

/** One bad request of many kinds. None of them may be stored; none may get a 5xx. */
function generate(r: ReturnType<typeof prng>, i: number): Bad {
  const kinds = 12;
  switch (i % kinds) {
    case 0: { // random bytes
      const bytes = Buffer.alloc(r.int(2048));
      for (let k = 0; k < bytes.length; k++) bytes[k] = r.int(256);
      return { via: 'fetch', kind: 'random bytes', headers: json, body: bytes };
    }
    case 1: { // truncated JSON
      const full = JSON.stringify({ statusMessage: { ...VALID, id: `t-${i}` }, extra: { nested: [1, 2, 3] } });
      return { via: 'fetch', kind: 'truncated JSON', headers: json, body: full.slice(0, r.int(full.length - 1)) };
    }
    case 2: { // deep nesting, balanced or not, arrays or objects, inside or around the message
      const depth = 100 + r.int(20_000);
      const variant = r.int(4);
      const body = variant === 0 ? '['.repeat(depth) + ']'.repeat(depth)
        : variant === 1 ? '{"a":'.repeat(depth / 5) + '1' + '}'.repeat(depth / 5)
          : variant === 2 ? `{"statusMessage":{"type":${'['.repeat(depth)}${']'.repeat(depth)},"id":"x","groupId":"g","status":"s"}}`
            : '['.repeat(depth);
      return { via: 'fetch', kind: 'deep nesting', headers: json, body };
    }
    case 3: { // huge strings: a field too long, or a body over maxBodyBytes (declared or chunked)
      const variant = r.int(3);
      if (variant === 0) return { via: 'fetch', kind: 'long field', headers: json, body: JSON.stringify({ statusMessage: { ...VALID, [r.pick(['type', 'id', 'groupId', 'status'])]: 'x'.repeat(257 + r.int(60_000)) } }) };
      const big = JSON.stringify({ statusMessage: VALID, pad: 'y'.repeat(65_536 + r.int(variant === 1 ? 1000 : 300_000)) });
      return { via: 'fetch', kind: 'oversize body', headers: json, body: big };
    }
    case 4: { // wrong types
      const wrong = r.pick<unknown>([0, 1.5, -1, true, false, null, [], ['LiveCheck'], {}, { a: 1 }, '', ' ', '\t\n', '\u00a0', '\u3000', '\u2028']);
      const variant = r.int(3);
      const body = variant === 0 ? { statusMessage: { ...VALID, [r.pick(['type', 'id', 'groupId', 'status'])]: wrong } }
        : variant === 1 ? { statusMessage: r.pick<unknown>([null, 'LiveCheck', 42, [VALID], true]) }
          : r.pick<unknown>([null, 42, 'statusMessage', [VALID], [], true, { statusmessage: VALID }, { StatusMessage: VALID }, { message: VALID }]);
      return { via: 'fetch', kind: 'wrong types', headers: json, body: JSON.stringify(body) };
    }
    case 5: { // unicode tricks where they make the message unusable: in the keys, as control characters, in place of a field
      const trick = r.pick(UNICODE_TRICKS);
      const variant = r.int(5);
      const m: Record<string, unknown> = { ...VALID };
      if (variant === 0) {
        const key = r.pick(['type', 'id', 'groupId', 'status']);
        m[key.slice(0, 2) + trick + key.slice(2)] = m[key];
        delete m[key];
        return { via: 'fetch', kind: 'unicode in a key', headers: json, body: JSON.stringify({ statusMessage: m }) };
      }
      if (variant === 1) return { via: 'fetch', kind: 'unicode in the wrapper key', headers: json, body: JSON.stringify({ [`status${trick}Message`]: VALID }) };
      if (variant === 2) {
        m[r.pick(['type', 'id', 'groupId', 'status'])] = `ab${String.fromCharCode(r.pick([0, 7, 8, 0x1b, 0x1f, 0x7f, 0x85, 0x9f]))}${trick}`;
        return { via: 'fetch', kind: 'control characters', headers: json, body: JSON.stringify({ statusMessage: m }) };
      }
      if (variant === 3) return { via: 'fetch', kind: 'BOM before JSON', headers: json, body: `\ufeff${JSON.stringify({ statusMessage: VALID })}` };
      // Invalid UTF-8 (overlong, stray continuation, surrogate halves) inside a key, so the message has no status.
      const bad = Buffer.from(r.pick(['c0af', 'e080af', '80', 'eda080', 'f8888080', 'ff', 'fe']), 'hex');
      return { via: 'fetch', kind: 'invalid UTF-8', headers: json, body: Buffer.concat([Buffer.from('{"statusMessage":{"type":"LiveCheck","id":"u","groupId":"g","sta'), bad, Buffer.from('tus":"Completed"}}')]) };
    }
    case 6: { // missing or wrong secret (a valid message otherwise)
      const body = JSON.stringify({ statusMessage: { ...VALID, id: `auth-${i}` } });
      const value = r.pick([undefined, '', 's3cret-valu', 'S3CRET-VALUE', `Bearer ${SECRET}`, `${SECRET}x`, 'x'.repeat(8000), `${SECRET},${SECRET}`]);
      return { via: 'fetch', kind: 'secret', headers: value === undefined ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', authorization: value }, body };
    }
    case 7: { // wrong content types (a valid, authenticated message otherwise)
      const type = r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json', 'application/xml', 'application/json-seq', '*/*', 'application', '']);
      const headers: Record<string, string> = { authorization: SECRET };
      if (type) headers['content-type'] = type;
      return { via: 'fetch', kind: 'content type', headers, body: JSON.stringify({ statusMessage: { ...VALID, id: `ct-${i}` } }) };
    }
    case 8: { // wrong methods and paths
      const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'POST']);
      const path = method === 'POST' ? r.pick(['/webhooks/aver/x', '/webhooks/averx', '/webhooks', '/', '/webhooks/aver%00', '/readyz', '/healthz']) : PATH;
      return { via: 'fetch', kind: 'method or path', method, path, headers: json, body: method === 'GET' ? undefined : JSON.stringify({ statusMessage: { ...VALID, id: `mp-${i}` } }) };
    }
    default: { // raw HTTP: repeated, missing or malformed headers, lying lengths, odd framing
      // (Node keeps the first of repeated Authorization/Content-Type headers, so only a wrong first one is bad input.)
      const body = JSON.stringify({ statusMessage: { ...VALID, id: `raw-${i}` } });
      const len = Buffer.byteLength(body);
      const variants = [
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: wrong\r\nAuthorization: ${SECRET}\r\nContent-Length: ${len}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nContent-Length: ${len}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: ${SECRET}\r\nContent-Length: ${len}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nContent-Length: ${len}\r\nContent-Length: ${len + 5}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nContent-Length: ${len}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\u200b\r\nContent-Length: ${len}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nContent-Length: -1\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuth orization: ${SECRET}\r\nContent-Length: ${len}\r\n\r\n${body}`,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nContent-Length: ${len}\r\n\r\n${body.slice(0, -5)}${'}'.repeat(5)}`.replace(`"id":"raw-${i}"`, `"id":"raw-${i}","id":1`),
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET}\r\nX-Big: ${'h'.repeat(20_000)}\r\nContent-Length: ${len}\r\n\r\n`,
        `POST ${PATH}\r\n\r\n`,
        `\x00\x01\x02 garbage\r\n\r\n`,
      ];
      return { via: 'raw', kind: 'raw headers', bytes: Buffer.from(r.pick(variants), 'utf8') };
    }
  }
}

/** Sends raw bytes and reads the status line of the first answer (null when the server closed without one). */
function sendRaw(port: number, bytes: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const done = (status: number | null) => {
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(3000, () => done(null));
    socket.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) done(Number(m[1]));
    });
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
    socket.end(bytes);
  });
}

async function rss(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^aver_bridge_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (!m) throw new Error('no process_resident_memory_bytes in /metrics');
  return Number(m[1]);
}

describe(`bad input: ${TOTAL.toLocaleString('en')} generated bad requests against a server process`, function () {
  this.timeout(90_000);
  let server: ServerProcess | undefined;
  let temp: ReturnType<typeof tempDir> | undefined;

  afterEach(async () => {
    await killServer(server);
    temp?.cleanup();
  });

  it('never answers 5xx, stays up, stores nothing, and its memory comes back near its baseline', async () => {
    temp = tempDir();
    const file = join(temp.dir, 'aver-bridge.yaml');
    const dbUrl = `sqlite:${join(temp.dir, 'bridge.db')}`;
    writeFileSync(file, `
server: { host: 127.0.0.1, port: 0 }
aver:
  webhook:
    secrets: ["${SECRET}"]
storage: { url: "${dbUrl}" }
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`);
    server = await startServerProcess(file);
    const r = prng(0x5eed);
    const statuses = new Map<string, number>();
    const fiveHundreds: string[] = [];
    let unanswered = 0;

    async function one(bad: Bad) {
      let status: number | null;
      if (bad.via === 'raw') status = await sendRaw(server!.port, bad.bytes);
      else {
        try {
          const res = await fetch(`${server!.url}${bad.path ?? PATH}`, { method: bad.method ?? 'POST', headers: bad.headers, body: typeof bad.body === 'string' || bad.body === undefined ? bad.body : new Uint8Array(bad.body) });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          // The server may close the connection on an oversize upload (after its 413) before the client finished sending.
          status = null;
        }
      }
      if (status === null) unanswered++;
      const key = `${bad.kind} → ${status ?? 'closed'}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (status !== null && status >= 500) fiveHundreds.push(key);
    }

    async function run(count: number) {
      let sent = 0;
      await Promise.all(Array.from({ length: PARALLEL }, async () => {
        while (sent < count) {
          const i = sent++;
          await one(generate(r, i));
        }
      }));
    }

    await run(600); // warm up: code paths compiled, pools filled
    await new Promise((res) => setTimeout(res, 500));
    const baseline = await rss(server.url);
    await run(TOTAL);
    await new Promise((res) => setTimeout(res, 1000));
    const after = await waitFor(async () => {
      const m = await rss(server!.url);
      return m < baseline + 50 * 1024 * 1024 ? m : undefined;
    }, 'memory back near its baseline', 10_000).catch(async () => rss(server!.url));

    const summary = [...statuses].sort().map(([k, n]) => `${k}: ${n}`).join('; ');
    console.log(`      bad input: ${TOTAL + 600} requests; rss ${(baseline / 1048576).toFixed(0)} MB → ${(after / 1048576).toFixed(0)} MB; ${summary}`);
    expect(fiveHundreds, 'requests answered with a 5xx').to.deep.equal([]);
    expect(server.child.exitCode, 'the process is still running').to.equal(null);
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    expect((await fetch(`${server.url}/readyz`)).status).to.equal(200);
    expect(unanswered, 'requests the server closed without an answer').to.be.below(TOTAL / 20);
    expect(after, 'resident memory after the load').to.be.below(baseline + 50 * 1024 * 1024);

    // Nothing stored (read from the same SQLite file while the server runs).
    const store = await openStore(dbUrl);
    try {
      expect(await store.recentEvents(10)).to.deep.equal([]);
    } finally {
      await store.close();
    }
    // And it still takes a good webhook.
    const good = await postWebhook(`${server.url}${PATH}`, { statusMessage: VALID }, { authorization: SECRET });
    expect(good.status).to.equal(202);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).to.equal(0);
  });
});
