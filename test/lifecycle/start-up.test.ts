import { expect } from 'chai';
import type { Middleware } from 'koa';
import type { Server } from 'node:http';
import { createHttpApp } from '../../src/http/server.js';
import { routingLeaseMs, startUp, type StartUpDeps } from '../../src/lifecycle/start-up.js';
import type { AverApiConfig, Config } from '../../src/model/config.js';
import { configFrom } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';

const SERVER = 'server: { host: 127.0.0.1, port: 0 }\n';
const RECEIVERS = 'receivers:\n  - name: ops\n    console: {}\nroute:\n  receiver: ops\n';
const SECURED = `${SERVER}aver:\n  webhook:\n    secrets: ["s3cret-value"]\n${RECEIVERS}`;

describe('routingLeaseMs', () => {
  const api = (timeoutMs: number) => ({ timeoutMs }) as AverApiConfig;
  for (const [what, given, expected] of [
    ['without enrichment: 10 s', undefined, 10_000],
    ['with enrichment: 10 s and twice the Aver API timeout', api(5000), 20_000],
    ['a zero API timeout adds nothing', api(0), 10_000],
  ] as const) {
    it(what, () => expect(routingLeaseMs(given)).to.equal(expected));
  }
});

describe('startUp', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  function setup(config: Config, over: { ownsStore?: boolean; released?: number; slackEvents?: Middleware; failingReceivers?: boolean } = {}) {
    const logs = memoryLogger();
    const steps: string[] = [];
    const deps: StartUpDeps = {
      live: {
        config: () => config,
        state: () => ({ receivers: new Map([['ops', {}]]), slackEvents: over.slackEvents }),
        startReceivers: async () => {
          steps.push('receivers');
          if (over.failingReceivers) throw new Error('slack auth.test: invalid_auth');
        },
      },
      store: {
        kind: 'sqlite',
        releaseLeases: async (owner) => {
          steps.push(`releaseLeases(${owner})`);
          return over.released ?? 0;
        },
      },
      ownsStore: over.ownsStore ?? false,
      worker: { owner: 'local', start: () => void steps.push('worker') },
      router: { start: () => void steps.push('router') },
      housekeeping: { start: () => void steps.push('housekeeping') },
      http: createHttpApp({ logger: logs.logger, routes: [] }),
      logger: logs.logger,
    };
    const messages = () => logs.records();
    return { deps, steps, messages };
  }

  it('starts the receivers, gives back the leases of the last run, listens, then starts routing, delivery and housekeeping', async () => {
    const { deps, steps, messages } = setup(configFrom(SECURED), { ownsStore: true, released: 2 });
    const started = await startUp(deps);
    server = started.server;
    expect(started.port).to.be.above(0);
    expect(await fetch(`http://127.0.0.1:${started.port}/nowhere`).then((r) => r.status)).to.equal(404);
    expect(steps).to.deep.equal(['receivers', 'releaseLeases(local)', 'router', 'worker', 'housekeeping']);
    const logged = messages();
    expect(logged.find((l) => l.msg === 'deliveries interrupted by the last stop will be retried')).to.include({ released: 2 });
    expect(logged.find((l) => l.msg === 'aver-bridge listening')).to.deep.include({ port: started.port, store: 'sqlite', receivers: ['ops'], webhookPath: '/webhooks/aver' });
    expect(logged.filter((l) => l.level === 40), 'no warning but the leases').to.have.length(1);
  });

  it('leaves leases alone on a store it shares with replicas', async () => {
    const { deps, steps } = setup(configFrom(SECURED));
    server = (await startUp(deps)).server;
    expect(steps).to.not.include('releaseLeases(local)');
  });

  it('stops before listening when a receiver cannot start', async () => {
    const { deps, steps } = setup(configFrom(SECURED), { failingReceivers: true });
    let error: Error | undefined;
    await startUp(deps).catch((err: Error) => { error = err; });
    expect(error?.message).to.equal('slack auth.test: invalid_auth');
    expect(steps).to.deep.equal(['receivers']);
  });

  it('warns when anyone may post webhooks, and when the Teams bot takes unauthenticated requests', async () => {
    const config = configFrom(`${SERVER}aver:\n  webhook:\n    allowUnauthenticated: true\nteams: {}\n${RECEIVERS}`);
    const { deps, messages } = setup(config);
    server = (await startUp(deps)).server;
    const warnings = messages().filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(/^aver\.webhook\.allowUnauthenticated is true/);
    expect(warnings[1]).to.match(/^teams\.appId is empty/);
  });

  it('warns when a multi-tenant Teams app takes any tenant; not with teams.allowedTenants, nor for a single-tenant app', async () => {
    const teamsWarnings = async (teams: string) => {
      const { deps, messages } = setup(configFrom(`${SECURED}teams:\n${teams}`));
      server = (await startUp(deps)).server;
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
      return messages().filter((l) => l.level === 40).map((l) => String(l.msg));
    };
    const app = '  appId: 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\n  appPassword: pw\n';
    const [warning, ...rest] = await teamsWarnings(app);
    expect(rest).to.deep.equal([]);
    expect(warning).to.match(/^teams\.allowedTenants is not set: the Teams bot takes installations and commands from any tenant/);
    expect(await teamsWarnings(`${app}  allowedTenants: ["0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10"]\n`)).to.deep.equal([]);
    expect(await teamsWarnings(`${app}  appType: SingleTenant\n  tenantId: 0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10\n`)).to.deep.equal([]);
  });

  it('the listening line carries the URLs to paste into Aver, Slack and Teams, under server.publicUrl, for the endpoints that are on', async () => {
    const config = configFrom(SECURED.replace('port: 0', 'port: 0, publicUrl: "https://bridge.example.com//"'));
    const { deps, messages } = setup(config, { slackEvents: () => undefined });
    server = (await startUp(deps)).server;
    const listening = messages().find((l) => l.msg === 'aver-bridge listening');
    expect(listening).to.include({ averWebhookUrl: 'https://bridge.example.com/webhooks/aver', slackRequestUrl: 'https://bridge.example.com/slack/events' });
    expect(listening).to.not.have.property('teamsMessagingEndpoint');
    expect(listening).to.not.have.property('adminUrl');
  });

  it('without server.publicUrl, the URLs are the address listened on; the admin URL only with admin.token', async () => {
    const config = configFrom(`${SECURED}admin: { token: "admin-token-0123456789" }\n`);
    const { deps, messages } = setup(config);
    const started = await startUp(deps);
    server = started.server;
    const listening = messages().find((l) => l.msg === 'aver-bridge listening');
    expect(listening).to.include({ averWebhookUrl: `http://127.0.0.1:${started.port}/webhooks/aver`, adminUrl: `http://127.0.0.1:${started.port}/admin` });
    expect(listening).to.not.have.property('slackRequestUrl');
    expect(JSON.stringify(messages())).to.not.include('admin-token-0123456789');
  });
});
