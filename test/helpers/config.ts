import { parseConfig } from '../../src/config/load.js';
import type { AverApiConfig, Config } from '../../src/model/config.js';

/** The webhook secret MINIMAL_YAML accepts. */
export const WEBHOOK_SECRET = 's3cret-value';

/** The smallest valid config: one secret, one console receiver "ops" that gets everything. */
export const MINIMAL_YAML = `
aver:
  webhook:
    secrets: ["${WEBHOOK_SECRET}"]
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`;

/** Parses inline YAML as a config file would be, with `env` as the environment. */
export function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}, file = 'test.yaml'): Config {
  return parseConfig(yaml, file, env);
}

/** What a test may set on top of testConfig()'s defaults; `aver` is merged one level deep. */
export type ConfigOverrides = Partial<Omit<Config, 'aver'>> & { aver?: Partial<Config['aver']> };

/**
 * A whole, valid Config for code that takes one (receivers, formatters): MINIMAL_YAML's, with group "grp-1"
 * named "Acme onboarding" (the fixtures' group) and a check link, then `over`.
 */
export function testConfig(over: ConfigOverrides = {}): Config {
  const base = configFrom(MINIMAL_YAML);
  const aver: Config['aver'] = {
    ...base.aver,
    groups: { 'grp-1': 'Acme onboarding' },
    links: { check: 'https://aver.example/checks/{id}' },
    ...over.aver,
  };
  return { ...base, ...over, aver };
}

/** The Aver API settings enrichment tests start from (a nock-able base URL, short timeout, names hidden). */
export function averApiConfig(over: Partial<AverApiConfig> = {}): AverApiConfig {
  return { baseUrl: 'http://aver.test/api', key: 'key-1', secret: 'secret-1', timeoutMs: 2000, showPersonalData: false, cacheTtlMs: 30_000, ...over };
}
