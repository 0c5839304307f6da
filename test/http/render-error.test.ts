import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { pino } from 'pino';
import { BridgeError, ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { renderErrors } from '../../src/http/render-error.js';

describe('renderErrors', () => {
  let server: Server;
  let base: string;

  before(async () => {
    const app = new Koa();
    app.use(renderErrors(pino({ level: 'silent' })));
    app.use(async (ctx) => {
      switch (ctx.path) {
        case '/bridge-400':
          throw new BridgeError('schema_violation', 'not an Aver status message', { status: 422, details: [{ path: '/statusMessage' }] });
        case '/bridge-503':
          throw new BridgeError('store_unreachable', 'the store at db.internal is not reachable', { status: 503, details: { host: 'db.internal' } });
        case '/plain':
          throw new Error('secret internals');
        case '/http-400':
          throw Object.assign(new Error('parser internals'), { status: 400, expose: false });
        case '/http-405':
          throw Object.assign(new Error('nope'), { status: 405, expose: true, headers: { Allow: 'POST' } });
        case '/no-body-405':
          ctx.status = 405;
          return;
        case '/no-body-501':
          ctx.status = 501;
          return;
        default:
          // No body: Koa's 404.
      }
    });
    const handle = app.callback();
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function get(path: string) {
    const res = await fetch(base + path);
    return { status: res.status, allow: res.headers.get('allow'), body: (await res.json()) as { error: { code: string; message: string; details?: unknown } } };
  }

  it('renders a BridgeError under 500 with its code, message and details', async () => {
    const res = await get('/bridge-400');
    expect(res.status).to.equal(422);
    expect(res.body).to.deep.equal({ error: { code: 'schema_violation', message: 'not an Aver status message', details: [{ path: '/statusMessage' }] } });
  });

  it('keeps the code of a deliberate 5xx but shows only its status text, without details', async () => {
    const res = await get('/bridge-503');
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ error: { code: 'store_unreachable', message: 'Service Unavailable' } });
  });

  it('renders any other error as 500 internal_error, without its message', async () => {
    const res = await get('/plain');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: { code: 'internal_error', message: 'Internal Server Error' } });
  });

  it('renders an unexposed 4xx from middleware as bad_request', async () => {
    const res = await get('/http-400');
    expect(res.status).to.equal(400);
    expect(res.body).to.deep.equal({ error: { code: 'bad_request', message: 'Bad Request' } });
  });

  it('renders a 405 from middleware as method_not_allowed, with its Allow header', async () => {
    const res = await get('/http-405');
    expect(res.status).to.equal(405);
    expect(res.allow).to.equal('POST');
    expect(res.body.error.code).to.equal('method_not_allowed');
  });

  it('gives an empty 404, 405 or 501 its code', async () => {
    expect((await get('/nowhere')).body.error.code).to.equal('not_found');
    expect((await get('/no-body-405')).body.error.code).to.equal('method_not_allowed');
    expect((await get('/no-body-501')).body.error.code).to.equal('not_implemented');
  });
});

describe('ERROR_CODES', () => {
  it('lists each code once', () => {
    expect(new Set(ERROR_CODES).size).to.equal(ERROR_CODES.length);
  });

  it('holds every code docs/ documents, each in the page that documents it', () => {
    const documented: Record<string, ErrorCode[]> = {
      // The ingest table.
      'webhooks.md': ['unauthorized', 'unsupported_media_type', 'payload_too_large', 'invalid_json', 'schema_violation', 'method_not_allowed', 'not_found', 'shutting_down'],
      // /readyz.
      'deployment.md': ['store_unreachable'],
      // POST /-/reload.
      'operations.md': ['config_invalid'],
      // The Slack set-up.
      'slack.md': ['slack_auth_failed', 'slack_channel_not_found'],
      // The enrichment table.
      'enrichment.md': ['aver_api_timeout', 'aver_api_unauthorized', 'aver_api_aborted', 'aver_api_error', 'aver_api_paused'],
    };
    for (const [page, codes] of Object.entries(documented)) {
      const text = readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');
      for (const code of codes) {
        expect(text, `docs/${page} names ${code}`).to.match(new RegExp(`\\b${code}\\b`));
        expect(ERROR_CODES, code).to.include(code);
      }
    }
  });
});
