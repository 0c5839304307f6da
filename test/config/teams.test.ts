import { expect } from 'chai';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../src/errors.js';
import type { TeamsConfig } from '../../src/model/config.js';
import { MINIMAL_YAML } from '../helpers/config.js';

const OURS = '0b1e7a52-5c8e-4b6f-9a51-3f0c8d2e6a10';
const APP = '  appId: 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\n  appPassword: pw\n';

function teamsOf(yaml: string): TeamsConfig {
  return parseConfig(yaml, 'test.yaml', {}).teams!;
}

function problemsOf(yaml: string): ConfigProblem[] {
  try {
    parseConfig(yaml, 'test.yaml', {});
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('the config was accepted');
}

describe('config: teams.allowedTenants', () => {
  it('defaults to any tenant for a multi-tenant app, and to its own tenant for a single-tenant one', () => {
    expect(teamsOf(`${MINIMAL_YAML}teams:\n${APP}`).allowedTenants).to.deep.equal([]);
    expect(teamsOf(`${MINIMAL_YAML}teams:\n${APP}  appType: SingleTenant\n  tenantId: ${OURS.toUpperCase()}\n`).allowedTenants).to.deep.equal([OURS]);
  });

  it('reads the list, lower case and without repeats', () => {
    const teams = teamsOf(`${MINIMAL_YAML}teams:\n${APP}  allowedTenants: ["${OURS.toUpperCase()}", " ${OURS} "]\n`);
    expect(teams.allowedTenants).to.deep.equal([OURS]);
  });

  for (const [what, list, path, message] of [
    ['an empty list', '[]', 'teams.allowedTenants', /would refuse every tenant/],
    ['a name instead of an id', '["contoso.onmicrosoft.com"]', 'teams.allowedTenants[0]', /"contoso\.onmicrosoft\.com" is not a tenant id/],
  ] as const) {
    it(`refuses ${what}, with a hint`, () => {
      const found = problemsOf(`${MINIMAL_YAML}teams:\n${APP}  allowedTenants: ${list}\n`).find((p) => p.path === path);
      expect(found?.message).to.match(message);
      expect(found?.hint).to.include('Directory (tenant) ID');
      expect(found?.line).to.be.a('number');
    });
  }

  it('refuses a single-tenant app whose own tenant is not in the list', () => {
    const problems = problemsOf(`${MINIMAL_YAML}teams:\n${APP}  appType: SingleTenant\n  tenantId: ${OURS}\n  allowedTenants: ["7d3c9f28-1a4b-4e2d-8c6f-5b9a0e1d2c34"]\n`);
    expect(problems.map((p) => p.message)).to.deep.equal([`teams.tenantId ${OURS} is not in teams.allowedTenants, so a SingleTenant bot would take nothing`]);
  });
});

describe('config: Teams dev mode (no appId) only on loopback', () => {
  it('is a problem on a host other machines reach, saying how to fix it', () => {
    for (const server of ['', 'server: { host: 0.0.0.0 }\n', 'server: { host: 10.0.0.5 }\n', 'server: { host: "::" }\n']) {
      const problems = problemsOf(`${server}${MINIMAL_YAML}teams: { appId: "" }\n`);
      expect(problems.map((p) => p.path)).to.deep.equal(['teams.appId']);
      expect(problems[0].message).to.match(/teams\.appId is empty, so the Teams bot would take unauthenticated requests from anyone who can reach server\.host/);
      expect(problems[0].hint).to.include('server.host: 127.0.0.1').and.include('teams.allowInsecureDevMode: true');
    }
  });

  it('is allowed on loopback, with teams.allowInsecureDevMode, or with an appId', () => {
    for (const host of ['127.0.0.1', 'localhost', '"::1"', '127.0.0.2']) {
      expect(teamsOf(`server: { host: ${host} }\n${MINIMAL_YAML}teams: {}\n`).appId).to.equal('');
    }
    expect(teamsOf(`${MINIMAL_YAML}teams: { allowInsecureDevMode: true }\n`).allowInsecureDevMode).to.equal(true);
    expect(teamsOf(`${MINIMAL_YAML}teams:\n${APP}`).allowInsecureDevMode).to.equal(false);
  });
});
