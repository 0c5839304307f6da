import { expect } from 'chai';
import type { Server } from 'node:http';
import { systemClock } from '../../src/clock.js';
import { bridgeRoutes, type ChatEndpoints } from '../../src/http/routes.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import { createGroupCommit } from '../../src/store/group-commit.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook } from '../helpers/bridge.js';
import { configFrom, WEBHOOK_SECRET } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';

const YAML = `
aver:
  webhook:
    path: /hooks/aver
    secrets: ["${WEBHOOK_SECRET}"]
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`;

describe('bridgeRoutes', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function setup() {
    const logs = memoryLogger();
    const state: ChatEndpoints = {};
    const gate = { open: true };
    const stored: string[] = [];
    let woken = 0;
    const store = {
      kind: 'sqlite',
      ping: async () => undefined,
      queueStats: async () => [],
      appendEvents: async (batch: Array<{ event: { eventId: string } }>) => batch.map((e) => {
        stored.push(e.event.eventId);
        return { duplicate: false as const, eventId: e.event.eventId };
      }),
    } as unknown as Store;
    const routes = bridgeRoutes({
      config: () => configFrom(YAML), state: () => state, inbox: createGroupCommit(store), store, clock: systemClock,
      logger: logs.logger, metrics: createMetrics(), accepting: () => gate.open, onAccepted: () => void (woken += 1),
    });
    const listening = await listen(createHttpApp({ logger: logs.logger, routes: [...routes.public, ...routes.internal] }), '127.0.0.1', 0);
    server = listening.server;
    const url = `http://127.0.0.1:${listening.port}`;
    return { routes, state, gate, stored, woken: () => woken, url };
  }

  it('holds ingest at aver.webhook.path and the Slack and Teams endpoints for the public; health, readiness and metrics apart', async () => {
    const { routes } = await setup();
    expect(routes.public.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['POST /hooks/aver', 'POST /slack/events', 'POST /api/messages']);
    expect(routes.internal.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['GET /healthz', 'GET /readyz', 'GET /metrics']);
  });

  it('stores a webhook at the configured path and wakes the router', async () => {
    const { url, stored, woken } = await setup();
    const res = await postWebhook(`${url}/hooks/aver`, { statusMessage: { type: 'LiveCheck', id: 'c-1', groupId: 'g-1', status: 'Completed' } }, { authorization: WEBHOOK_SECRET });
    expect(res.status).to.equal(202);
    expect(stored).to.deep.equal([res.json.eventId]);
    expect(woken()).to.equal(1);
  });

  it('answers 503 on ingest and /readyz once the bridge stops accepting', async () => {
    const { url, gate } = await setup();
    expect((await fetch(`${url}/readyz`)).status).to.equal(200);
    gate.open = false;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).to.equal(503);
    expect((await ready.json()).error.code).to.equal('shutting_down');
    const ingest = await postWebhook(`${url}/hooks/aver`, {}, { authorization: WEBHOOK_SECRET });
    expect(ingest.status).to.equal(503);
  });

  it('answers 404 on the Slack and Teams endpoints while their platform is off, and follows the live state when it comes on', async () => {
    const { url, state } = await setup();
    const slackOff = await fetch(`${url}/slack/events`, { method: 'POST' });
    expect(slackOff.status).to.equal(404);
    expect((await slackOff.json()).error.code).to.equal('slack_not_configured');
    const teamsOff = await fetch(`${url}/api/messages`, { method: 'POST' });
    expect(teamsOff.status).to.equal(404);
    expect((await teamsOff.json()).error.code).to.equal('teams_not_configured');

    state.slackEvents = (ctx) => { ctx.body = { from: 'slack' }; };
    state.teamsMessages = (ctx) => { ctx.body = { from: 'teams' }; };
    expect(await fetch(`${url}/slack/events`, { method: 'POST' }).then((r) => r.json())).to.deep.equal({ from: 'slack' });
    expect(await fetch(`${url}/api/messages`, { method: 'POST' }).then((r) => r.json())).to.deep.equal({ from: 'teams' });
  });
});
