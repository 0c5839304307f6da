import { expect } from 'chai';
import Koa from 'koa';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/http/read-body.js';
import { renderErrors } from '../../src/http/render-error.js';
import { silentLogger } from '../helpers/logger.js';

const LIMIT = 1000;

/** POSTs `chunks` (chunked unless a content-length is given) and collects the answer. */
function post(url: string, chunks: string[], headers: Record<string, string | number> = {}) {
  return new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    // The server may answer (413) and close before the whole body is sent.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('readBody (the one request-body reader)', () => {
  let server: Server;
  let url: string;

  before(async () => {
    const app = new Koa();
    app.use(renderErrors(silentLogger));
    app.use(async (ctx) => {
      ctx.body = { length: (await readBody(ctx, LIMIT)).length };
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise((done) => server.close(done)));

  it('gives the bytes of a body up to the limit, declared or chunked', async () => {
    const body = 'x'.repeat(LIMIT);
    expect(JSON.parse((await post(url, [body], { 'content-length': LIMIT })).body)).to.deep.equal({ length: LIMIT });
    expect(JSON.parse((await post(url, [body.slice(0, 400), body.slice(400)])).body)).to.deep.equal({ length: LIMIT });
    expect(JSON.parse((await post(url, [])).body)).to.deep.equal({ length: 0 });
  });

  it('refuses a declared Content-Length over the limit with 413 payload_too_large, and closes the connection', async () => {
    const res = await post(url, ['x'.repeat(LIMIT + 1)], { 'content-length': LIMIT + 1 });
    expect(res.status).to.equal(413);
    expect(res.connection).to.equal('close');
    expect(JSON.parse(res.body).error.code).to.equal('payload_too_large');
  });

  it('refuses a chunked body once it passes the limit, with the same answer', async () => {
    const res = await post(url, ['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)]);
    expect(res.status).to.equal(413);
    expect(res.connection).to.equal('close');
    expect(JSON.parse(res.body).error).to.deep.equal({ code: 'payload_too_large', message: `request body is larger than ${LIMIT} bytes` });
  });
});
