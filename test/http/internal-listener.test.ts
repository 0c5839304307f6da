import { expect } from 'chai';
import { ConfigError } from '../../src/errors.js';
import { postWebhook, startBridge, type TestBridge } from '../helpers/bridge.js';
import { configFrom, MINIMAL_YAML, WEBHOOK_SECRET } from '../helpers/config.js';

const ADMIN = 'admin-token-0123456789';
const bearer = { authorization: `Bearer ${ADMIN}` };

describe('server.internal: a private listener for probes, metrics and admin', () => {
  let t: TestBridge;
  let internal: string;
  let stopped = false;

  before(async () => {
    t = await startBridge(`${MINIMAL_YAML}
server:
  internal: { host: 127.0.0.1, port: 0 }
admin: { token: "${ADMIN}" }
`);
    const listening = t.logs.records().find((l) => l.msg === 'aver-bridge listening')!;
    expect(listening.internalPort).to.be.a('number').and.not.equal(t.port);
    internal = `http://127.0.0.1:${String(listening.internalPort)}`;
    expect(listening).to.include({ adminUrl: `${internal}/admin`, averWebhookUrl: `${t.url}/webhooks/aver` });
  });
  after(async () => {
    if (!stopped) await t.stop();
  });

  it('/metrics and /admin answer 404 on the public port and 200 on the internal one', async () => {
    for (const path of ['/metrics', '/admin']) {
      expect((await fetch(`${t.url}${path}`, { headers: bearer })).status, `public ${path}`).to.equal(404);
      expect((await fetch(`${internal}${path}`, { headers: bearer })).status, `internal ${path}`).to.equal(200);
    }
  });

  it('health, readiness, the admin API and /-/reload are internal only too', async () => {
    for (const path of ['/healthz', '/readyz', '/admin/api/events', '/admin/api/dead-letters']) {
      const res = await fetch(`${t.url}${path}`, { headers: bearer });
      expect(res.status, `public ${path}`).to.equal(404);
      expect((await res.json()).error.code).to.equal('not_found');
      expect((await fetch(`${internal}${path}`, { headers: bearer })).status, `internal ${path}`).to.equal(200);
    }
    expect((await fetch(`${t.url}/-/reload`, { method: 'POST', headers: bearer })).status).to.equal(404);
    expect((await fetch(`${t.url}/admin/dead-letters/retry-all`, { method: 'POST', headers: bearer })).status).to.equal(404);
    expect((await fetch(`${internal}/-/reload`, { method: 'POST', headers: bearer })).status).to.equal(200);
  });

  it('the public port serves the webhook, Slack and Teams endpoints; the internal one none of them', async () => {
    const webhook = { statusMessage: { type: 'LiveCheck', id: 'int-1', groupId: 'g', status: 'Completed' } };
    expect((await postWebhook(`${t.url}/webhooks/aver`, webhook, { authorization: WEBHOOK_SECRET })).status).to.equal(202);
    // Slack and Teams are not configured here: their routes answer with their own code, not the router's 404.
    expect((await (await fetch(`${t.url}/slack/events`, { method: 'POST' })).json()).error.code).to.equal('slack_not_configured');
    expect((await (await fetch(`${t.url}/api/messages`, { method: 'POST' })).json()).error.code).to.equal('teams_not_configured');
    for (const path of ['/webhooks/aver', '/slack/events', '/api/messages']) {
      const res = await fetch(`${internal}${path}`, { method: 'POST', headers: { authorization: WEBHOOK_SECRET, 'content-type': 'application/json' }, body: JSON.stringify(webhook) });
      expect(res.status, `internal ${path}`).to.equal(404);
      expect((await res.json()).error.code).to.equal('not_found');
    }
  });

  it('stop() closes both listeners', async () => {
    await t.stop();
    stopped = true;
    for (const url of [`${t.url}/webhooks/aver`, `${internal}/healthz`]) {
      const error = await fetch(url).then(() => undefined, (err: Error) => err);
      expect(error, url).to.be.instanceOf(TypeError);
    }
  });
});

describe('server.internal in the config', () => {
  it('host defaults to server.host, port to 9090, the port the Kubernetes manifests name internal', () => {
    expect(configFrom(`${MINIMAL_YAML}server: { host: 10.0.0.5, internal: {} }\n`).server.internal).to.deep.equal({ host: '10.0.0.5', port: 9090 });
    expect(configFrom(`${MINIMAL_YAML}server: { internal: { host: 127.0.0.1, port: 9100 } }\n`).server.internal).to.deep.equal({ host: '127.0.0.1', port: 9100 });
    expect(configFrom(MINIMAL_YAML).server.internal).to.equal(undefined);
  });

  it('refuses the public port for the private listener, PORT included', () => {
    expect(() => configFrom(`${MINIMAL_YAML}server: { port: 8080, internal: { port: 8080 } }\n`)).to.throw(ConfigError, /server\.internal\.port 8080 is also the public port/);
    expect(() => configFrom(`${MINIMAL_YAML}server: { internal: {} }\n`, { PORT: '9090' })).to.throw(ConfigError, /server\.internal\.port 9090/);
    expect(() => configFrom(`${MINIMAL_YAML}server: { internal: { port: 9090, path: /x } }\n`)).to.throw(ConfigError, /unknown key "path"/);
  });
});
