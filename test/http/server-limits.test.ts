import { expect } from 'chai';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { MINIMAL_YAML, WEBHOOK_SECRET } from '../helpers/config.js';
import type { LogRecord } from '../helpers/logger.js';

const ADMIN = 'admin-token-0123456789';
const BODY = JSON.stringify({ statusMessage: { type: 'LiveCheck', id: 'chk-limits', groupId: 'g-1', status: 'Completed' } });

/** MINIMAL_YAML with a server section and a small body limit. */
function yaml(server: string): string {
  return `${MINIMAL_YAML.replace(`secrets: ["${WEBHOOK_SECRET}"]`, `secrets: ["${WEBHOOK_SECRET}"]\n    maxBodyBytes: 1024`)}
server: { ${server} }
admin: { token: "${ADMIN}" }
`;
}

/** A raw connection: what it was sent back, and whether the server has closed it. */
interface RawConnection {
  socket: Socket;
  text(): string;
  closed: Promise<void>;
}

async function open(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString('latin1'); });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, text: () => text, closed };
}

/** Sends a request with any method over node:http (fetch refuses TRACE) and reads the answer. */
function send(url: string, method: string): Promise<{ status: number; allow?: string; json: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c; });
      res.on('end', () => {
        let json: { error?: { code: string } } = {};
        try { json = JSON.parse(text) as typeof json; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const ingestHead = (extra: string) =>
  `POST /webhooks/aver HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${WEBHOOK_SECRET}\r\n${extra}\r\n`;

/**
 * Lines at warn or above, but the warning for connections refused at server.maxConnections and a sender's refused
 * webhooks (a 413 here; the client that went away or stalled gets no such line).
 */
const errorLines = (t: TestBridge): LogRecord[] => t.logs.records().filter((r) => r.level >= 40 && !r.msg.startsWith('connections refused') && !(r.msg.startsWith('webhook refused') && !['client_aborted', 'request_timeout'].includes(String(r.code))));
const refusal = (t: TestBridge, code: string) => () => t.logs.records().find((r) => r.msg === 'request refused' && r.code === code);

describe('HTTP server (a real bridge): server.requestTimeout, slow headers and slow bodies', () => {
  let t: TestBridge;
  before(async () => (t = await startBridge(yaml('requestTimeout: 300ms'))));
  after(async () => t.stop());

  it('answers 408 and closes a connection whose body stops coming, with a debug line and no error', async () => {
    const c = await open(t.port);
    c.socket.write(`${ingestHead('Content-Length: 1000\r\n')}{"statusMessage":`);
    await c.closed;
    expect(c.text()).to.match(/^HTTP\/1\.1 408 /);
    const line = await waitFor(refusal(t, 'request_timeout'), 'the request_timeout line');
    expect(line.level).to.equal(20);
    expect(errorLines(t)).to.deep.equal([]);
  });

  it('answers 408 and closes a connection whose headers stop coming', async () => {
    const c = await open(t.port);
    c.socket.write('POST /webhooks/aver HTTP/1.1\r\nHost: x\r\nContent-Ty');
    await c.closed;
    expect(c.text()).to.match(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that sends nothing at all', async () => {
    const c = await open(t.port);
    await c.closed;
    expect(c.text()).to.not.match(/^HTTP\/1\.1 [25]/);
  });

  it('still serves the next request on a keep-alive connection idle for longer than requestTimeout', async () => {
    const c = await open(t.port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => c.text().includes('{"ok":true}'), 'the first answer');
    await new Promise((resolve) => setTimeout(resolve, 700));
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.closed;
    expect(c.text().match(/HTTP\/1\.1 200 /g)).to.have.length(2);
  });
});

describe('HTTP server (a real bridge): server.maxConnections', () => {
  let t: TestBridge;
  before(async () => (t = await startBridge(yaml('maxConnections: 2'))));
  after(async () => t.stop());

  it('closes connections past the limit at once, warns, and takes new ones once others have gone', async () => {
    const held = [await open(t.port), await open(t.port)];
    const third = await open(t.port);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    expect(third.text()).to.equal('');
    expect(t.logs.records().filter((r) => r.msg.startsWith('connections refused'))).to.have.length(1);

    for (const c of held) c.socket.destroy();
    const answer = await waitFor(async () => {
      const c = await open(t.port);
      c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await c.closed;
      return c.text();
    }, 'a connection taken again');
    expect(answer).to.match(/^HTTP\/1\.1 200 /);
  });
});

describe('HTTP server (a real bridge): unknown methods, oversize and aborted bodies', () => {
  let t: TestBridge;
  before(async () => (t = await startBridge(yaml('host: 127.0.0.1'))));
  after(async () => t.stop());

  for (const [method, path, allow] of [
    ['TRACE', '/webhooks/aver', 'POST'],
    ['PROPFIND', '/webhooks/aver', 'POST'],
    ['TRACE', '/healthz', 'HEAD, GET'],
    ['MKCOL', '/slack/events', 'POST'],
    ['TRACE', '/admin', 'HEAD, GET'],
    ['PROPFIND', '/admin/login', 'POST'],
  ]) {
    it(`answers ${method} ${path} with 405 and Allow: ${allow}, not 501`, async () => {
      const res = await send(`${t.url}${path}`, method);
      expect(res.status).to.equal(405);
      expect(res.allow).to.equal(allow);
      expect(res.json.error?.code).to.equal('method_not_allowed');
    });
  }

  it('answers an unknown method on an unknown path with 404', async () => {
    for (const method of ['TRACE', 'PROPFIND']) {
      const res = await send(`${t.url}/nowhere`, method);
      expect(res.status, method).to.equal(404);
      expect(res.json.error?.code).to.equal('not_found');
    }
  });

  it('writes the 413 of a chunked body over the limit where a client still sending it can read it', async () => {
    // fetch streams the body chunked and reads the answer only then: a connection closed on unread bytes
    // is reset, and its 413 lost (EPIPE), as the attack run saw.
    for (let attempt = 0; attempt < 3; attempt++) {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (let i = 0; i < 8; i++) {
            controller.enqueue(new Uint8Array(65_536).fill(0x20));
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          controller.close();
        },
      });
      const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json', authorization: WEBHOOK_SECRET } };
      const res = await fetch(`${t.url}/webhooks/aver`, init);
      expect(res.status).to.equal(413);
      expect((await res.json()).error.code).to.equal('payload_too_large');
    }
  });

  it('writes the 431 of headers over the limit where a client still sending them can read it', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const c = await open(t.port);
      // Node's limit is 16 KiB of headers; keep sending after it, as a client writing a large request does.
      c.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}`);
      for (let i = 0; i < 4 && !c.socket.destroyed; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (!c.socket.destroyed) c.socket.write('a'.repeat(8_192));
      }
      await c.closed;
      expect(c.text()).to.match(/^HTTP\/1\.1 431 /);
      expect(c.text()).to.include('"code":"headers_too_large"');
    }
    expect(errorLines(t)).to.deep.equal([]);
  });

  it('writes the 413 of a declared Content-Length over the limit where the client can read it', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(`${t.url}/webhooks/aver`, {
        method: 'POST', body: new Uint8Array(512 * 1024).fill(0x20), headers: { 'content-type': 'application/json', authorization: WEBHOOK_SECRET },
      });
      expect(res.status).to.equal(413);
      expect((await res.json()).error.code).to.equal('payload_too_large');
    }
  });

  for (const path of ['/webhooks/aver', '/admin/login']) {
    it(`${path}: a client aborting mid-body is a debug line and a 400-class refusal, never internal_error`, async () => {
      const before = t.logs.records().length;
      const c = await open(t.port);
      // Node answers 100 Continue once it has the headers and has handed the request to the bridge.
      const head = path === '/webhooks/aver'
        ? ingestHead('Content-Length: 1000\r\nExpect: 100-continue\r\n')
        : 'POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n';
      c.socket.write(head);
      await waitFor(() => c.text().includes('100 Continue'), '100 Continue');
      c.socket.write(BODY.slice(0, 40));
      c.socket.destroy();
      const line = await waitFor(() => t.logs.records().slice(before).find((r) => r.msg === 'request refused' && r.code === 'client_aborted'), 'the client_aborted line');
      expect(line).to.include({ level: 20, status: 400, path });
      expect(line).to.not.have.property('err');
      expect(errorLines(t)).to.deep.equal([]);
    });
  }

  it('counts an aborted webhook as rejected with code client_aborted', async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).to.match(/aver_bridge_events_received_total\{[^}]*outcome="rejected",code="client_aborted"\} 1/);
    expect(metrics).to.not.include('code="internal_error"');
  });
});
