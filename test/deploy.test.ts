import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/model/config.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));

/** Every .yaml/.yml file under deploy/, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(d.name) ? [p] : [];
  });
}

/** The parts of the Kubernetes objects these tests read. */
interface K8sObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; labels?: Record<string, string> };
}
interface Probe { httpGet: { path: string; port: number | string } }
interface EnvVar { name: string; value?: unknown; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
interface Container {
  name: string;
  ports: Array<{ name?: string; containerPort: number }>;
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe?: Probe;
  env: EnvVar[];
  volumeMounts: Array<{ name: string; mountPath: string; subPath?: string }>;
  lifecycle: { preStop: { exec: { command: string[] } } };
}
interface Deployment {
  spec: {
    replicas: number;
    strategy: { rollingUpdate: { maxUnavailable: number | string } };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Container[];
        volumes: Array<{ name: string; configMap?: { name: string; items?: Array<{ key: string; path: string }> } }>;
        terminationGracePeriodSeconds: number;
      };
    };
  };
}
interface Service { spec: { selector: Record<string, string>; ports: Array<{ targetPort: number | string }> } }
interface ConfigMap { metadata: { name: string }; data: Record<string, string> }
interface Secret { metadata: { name: string }; stringData: Record<string, string> }

/** Every document of every YAML file under deploy/, parsed; throws on the first syntax error. */
function manifests(): Array<{ file: string; doc: K8sObject }> {
  return yamlFiles(DEPLOY).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${relative(DEPLOY, file)}: ${d.errors[0].message}`);
      return { file: relative(DEPLOY, file), doc: d.toJS() as K8sObject };
    }).filter((m) => m.doc != null));
}

/** The one object of `kind`, read as T. */
function only<T>(all: Array<{ doc: K8sObject }>, kind: string): T {
  const found = all.filter((m) => m.doc.kind === kind);
  expect(found, `one ${kind} under deploy/`).to.have.length(1);
  return found[0].doc as T;
}

/** `${VAR}` without a default, as the config loader would require it set. */
function requiredEnv(text: string): string[] {
  return [...new Set([...text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))];
}

describe('deploy/: the Dockerfile and Kubernetes example', () => {
  const all = manifests();
  const deployment = only<Deployment>(all, 'Deployment');
  const service = only<Service>(all, 'Service');
  const configMap = only<ConfigMap>(all, 'ConfigMap');
  const secret = only<Secret>(all, 'Secret');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'aver-bridge')!;
  const configText = configMap.data['aver-bridge.yaml'];
  const secretValues: Record<string, string> = { ...secret.stringData };

  /** The environment the container gets: plain values, and Secret keys resolved from the template. */
  function containerEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of container.env) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      else if (e.valueFrom?.secretKeyRef) env[e.name] = secretValues[e.valueFrom.secretKeyRef.key];
    }
    return env;
  }

  function loadedConfig(): Config {
    return parseConfig(configText, 'aver-bridge.yaml', containerEnv());
  }

  it('parses every YAML file, each document a Kubernetes object', () => {
    expect(all.length).to.be.at.least(4);
    for (const { file, doc } of all) {
      expect(doc.apiVersion, `${file}: apiVersion`).to.be.a('string');
      expect(doc.kind, `${file}: kind`).to.be.a('string');
      expect(doc.metadata?.name, `${file}: metadata.name`).to.be.a('string');
    }
  });

  it('runs at least two replicas, rolling one at a time with none unavailable', () => {
    expect(deployment.spec.replicas).to.be.at.least(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).to.equal(0);
    expect(deployment.spec.selector.matchLabels).to.deep.equal(pick(deployment.spec.template.metadata.labels, Object.keys(deployment.spec.selector.matchLabels)));
  });

  it('probes liveness on /healthz and readiness on /readyz, on the port the config listens on', () => {
    expect(container.livenessProbe.httpGet.path).to.equal('/healthz');
    expect(container.readinessProbe.httpGet.path).to.equal('/readyz');
    if (container.startupProbe) expect(container.startupProbe.httpGet.path).to.equal('/healthz');
    const port = loadedConfig().server.port;
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe].filter((x) => x !== undefined)) {
      const p = probe.httpGet.port;
      const resolved = typeof p === 'number' ? p : container.ports.find((x) => x.name === p)?.containerPort;
      expect(resolved, `probe port ${p}`).to.equal(port);
    }
  });

  it('mounts the ConfigMap as the file AVER_BRIDGE_CONFIG names', () => {
    const configPath = containerEnv().AVER_BRIDGE_CONFIG;
    expect(configPath).to.be.a('string');
    const volume = pod.volumes.find((v) => v.configMap?.name === configMap.metadata.name);
    expect(volume, 'a volume from the ConfigMap').to.not.equal(undefined);
    const mount = container.volumeMounts.find((m) => m.name === volume!.name)!;
    const file = mount.subPath ? mount.mountPath : join(mount.mountPath, volume!.configMap!.items?.find((i) => i.key === 'aver-bridge.yaml')?.path ?? 'aver-bridge.yaml');
    expect(file).to.equal(configPath);
  });

  it("has a config the bridge's own loader accepts, on PostgreSQL, with a lease longer than a delivery", () => {
    const config = loadedConfig();
    expect(configText).to.match(/storage:\s*\{\s*url:\s*"\$\{DATABASE_URL\}"\s*\}/);
    expect(config.storage.url).to.match(/^postgres:\/\//);
    expect(config.storage.url).to.equal(secretValues.DATABASE_URL);
    expect(config.delivery.leaseMs).to.be.above(config.delivery.timeoutMs + 1000);
  });

  it('gives the container every Secret key the config uses, from the Secret the template defines', () => {
    const env = containerEnv();
    for (const name of requiredEnv(configText)) expect(env[name], `env ${name} for the config`).to.be.a('string').and.not.equal('');
    for (const key of ['AVER_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'MICROSOFT_APP_PASSWORD', 'DATABASE_URL']) {
      expect(requiredEnv(configText), `the config uses ${key}`).to.include(key);
      const ref = container.env.find((e) => e.name === key)?.valueFrom?.secretKeyRef;
      expect(ref, `${key} comes from a Secret`).to.not.equal(undefined);
    }
    for (const e of container.env) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      expect(ref.name, e.name).to.equal(secret.metadata.name);
      expect(secretValues, `${e.name}: key in the Secret template`).to.have.property(ref.key);
    }
  });

  it('gives a stopping replica time for preStop and server.shutdownTimeout before SIGKILL', () => {
    const command = container.lifecycle.preStop.exec.command;
    expect(command[0]).to.equal('sleep');
    const pause = Number(command[1]);
    const shutdown = loadedConfig().server.shutdownTimeoutMs / 1000;
    expect(pod.terminationGracePeriodSeconds).to.be.at.least(pause + shutdown + 5);
  });

  it('routes the Service to the pods, on the container port', () => {
    expect(pick(deployment.spec.template.metadata.labels, Object.keys(service.spec.selector))).to.deep.equal(service.spec.selector);
    const target = service.spec.ports[0].targetPort;
    expect(container.ports.some((p) => p.name === target || p.containerPort === target)).to.equal(true);
  });

  it('builds an image that runs the compiled CLI as a non-root user', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(dockerfile).to.match(/^FROM node:20-slim/m);
    expect(dockerfile).to.match(/^RUN npm ci\b/m);
    expect(dockerfile).to.match(/npm run build/);
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].pop()?.[1];
    expect(user).to.be.a('string').and.not.match(/^(root|0)$/);
    expect(dockerfile.trimEnd().split('\n').pop()).to.equal('CMD ["node","dist/cli.js","serve"]');
  });
});

function pick(obj: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, obj[k]]));
}
