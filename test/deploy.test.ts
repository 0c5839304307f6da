import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/model/config.js';
import { kustomizeBuild, type K8sObject } from './deploy/kustomize.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const K8S = join(DEPLOY, 'kubernetes');
const LABEL = 'app.kubernetes.io/name';
/** Served only to operators and Prometheus (a private listener, server.internal, is planned for them). */
const PRIVATE_PATHS = ['/metrics', '/admin', '/admin/', '/-/reload', '/healthz', '/readyz'];

/** The parts of the Kubernetes objects these tests read. */
interface Probe { httpGet: { path: string; port: number | string } }
interface EnvVar { name: string; value?: unknown; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface Container {
  name: string;
  ports: Array<{ name?: string; containerPort: number }>;
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe?: Probe;
  env: EnvVar[];
  volumeMounts: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  lifecycle: { preStop: { exec: { command: string[] } } };
  securityContext?: SecurityContext;
}
interface Volume { name: string; configMap?: { name: string; items?: Array<{ key: string; path: string }> }; persistentVolumeClaim?: { claimName: string }; hostPath?: unknown }
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes: Volume[];
  terminationGracePeriodSeconds: number;
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}
interface Deployment extends K8sObject {
  spec: {
    replicas: number;
    strategy: { type: string; rollingUpdate?: { maxUnavailable: number | string } };
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
interface ServicePort { name: string; port: number; targetPort: number | string }
interface Service extends K8sObject { spec: { selector: Record<string, string>; ports: ServicePort[] } }
interface ConfigMap extends K8sObject { data: Record<string, string> }
interface Secret extends K8sObject { stringData: Record<string, string> }
interface IngressPath { path: string; pathType: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }
interface Ingress extends K8sObject { spec: { tls?: unknown[]; rules: Array<{ host?: string; http: { paths: IngressPath[] } }> } }
interface PolicyPort { port: number | string; protocol?: string }
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress?: Array<{ from?: unknown[]; ports?: PolicyPort[] }>;
    egress?: Array<{ to?: unknown[]; ports?: PolicyPort[] }>;
  };
}
interface Pdb extends K8sObject { spec: { minAvailable?: number; selector: { matchLabels: Record<string, string> } } }
interface Pvc extends K8sObject { spec: { accessModes: string[] } }

/** Every .yaml/.yml file under a folder, recursively. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(d.name) ? [p] : [];
  });
}

function parseFile(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${relative(DEPLOY, file)}: ${d.errors[0].message}`);
    return d.toJS() as unknown;
  }).filter((d) => d != null);
}

/** `${VAR}` without a default, as the config loader would require it set (comment lines are not read). */
function requiredEnv(text: string): string[] {
  return [...new Set([...text.replace(/^\s*#.*$/gm, '').replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))];
}

function pick(obj: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, obj[k]]));
}

/** Whether every label a selector asks for is on the object. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** One overlay as `kubectl apply -k` would create it, with the Secret its template describes and the config loaded. */
function overlay(name: string) {
  const dir = join(K8S, 'overlays', name);
  const objects = kustomizeBuild(dir);
  const all = <T extends K8sObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
  const only = <T extends K8sObject>(kind: string) => {
    const found = all<T>(kind);
    expect(found, `one ${kind} in overlays/${name}`).to.have.length(1);
    return found[0];
  };
  const deployment = only<Deployment>('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'aver-bridge')!;
  const configMap = only<ConfigMap>('ConfigMap');
  const secret = parseFile(join(dir, 'secret.example.yaml'))[0] as Secret;
  const configText = configMap.data['aver-bridge.yaml'];
  /** The environment the container gets: plain values, and Secret keys resolved from the template. */
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) env[e.name] = secret.stringData[e.valueFrom.secretKeyRef.key];
  }
  const config: Config = parseConfig(configText, 'aver-bridge.yaml', env);
  const portNumber = (p: number | string) => (typeof p === 'number' ? p : container.ports.find((x) => x.name === p)?.containerPort);
  return { objects, all, only, deployment, pod, container, configMap, secret, configText, env, config, portNumber };
}

type Overlay = ReturnType<typeof overlay>;

describe('deploy/: the Dockerfile and the Kubernetes manifests', () => {
  it('parses every YAML file; each manifest is a Kubernetes object with apiVersion, kind and a name', () => {
    const files = yamlFiles(K8S);
    expect(files.length).to.be.at.least(10);
    for (const file of files) {
      // kustomization.yaml and the config files are not Kubernetes objects; patches name their target only.
      if (/(^|\/)(kustomization|aver-bridge|[\w-]+-patch)\.yaml$/.test(file)) continue;
      for (const doc of parseFile(file) as K8sObject[]) {
        const where = relative(DEPLOY, file);
        expect(doc.apiVersion, `${where}: apiVersion`).to.be.a('string');
        expect(doc.kind, `${where}: kind`).to.be.a('string');
        expect(doc.metadata?.name, `${where}: metadata.name`).to.be.a('string');
        expect(doc.metadata.labels?.[LABEL], `${where}: label ${LABEL}`).to.equal('aver-bridge');
      }
    }
  });

  for (const name of ['postgres', 'sqlite']) {
    describe(`kubernetes/overlays/${name} (kustomize build)`, () => {
      let o: Overlay;
      before(() => { o = overlay(name); });

      it('labels every object, generated ones included', () => {
        for (const obj of o.objects) expect(obj.metadata.labels?.[LABEL], `${obj.kind} ${obj.metadata.name}`).to.equal('aver-bridge');
      });

      it('passes Pod Security "restricted": non-root, RuntimeDefault seccomp, no escalation, no capabilities, no host access', () => {
        const pod = o.pod;
        expect(pod.securityContext?.runAsNonRoot).to.equal(true);
        expect(pod.securityContext?.runAsUser).to.be.a('number').and.not.equal(0);
        expect(pod.hostNetwork ?? false).to.equal(false);
        expect(pod.hostPID ?? false).to.equal(false);
        expect(pod.hostIPC ?? false).to.equal(false);
        for (const v of pod.volumes) expect(v.hostPath, `volume ${v.name}`).to.equal(undefined);
        for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
          const sc = c.securityContext ?? {};
          expect(sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type, `${c.name}: seccompProfile`).to.equal('RuntimeDefault');
          expect(sc.allowPrivilegeEscalation, `${c.name}: allowPrivilegeEscalation`).to.equal(false);
          expect(sc.privileged ?? false).to.equal(false);
          expect(sc.capabilities?.drop, `${c.name}: capabilities.drop`).to.include('ALL');
          expect(sc.capabilities?.add ?? []).to.deep.equal([]);
          expect(sc.readOnlyRootFilesystem, `${c.name}: readOnlyRootFilesystem`).to.equal(true);
        }
      });

      it('mounts no service account token (the bridge calls no Kubernetes API)', () => {
        expect(o.pod.automountServiceAccountToken).to.equal(false);
      });

      it('probes liveness on /healthz and readiness on /readyz, on the private listener the config sets', () => {
        const c = o.container;
        expect(c.livenessProbe.httpGet.path).to.equal('/healthz');
        expect(c.readinessProbe.httpGet.path).to.equal('/readyz');
        if (c.startupProbe) expect(c.startupProbe.httpGet.path).to.equal('/healthz');
        // With server.internal set, /healthz and /readyz answer 404 on the public port: the probes must use the internal one.
        expect(o.config.server.internal, 'server.internal in the overlay config').to.not.equal(undefined);
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe].filter((x) => x !== undefined)) {
          expect(o.portNumber(probe.httpGet.port), `probe port ${probe.httpGet.port}`).to.equal(o.config.server.internal?.port);
        }
        const health = (c.env ?? []).find((e: { name: string }) => e.name === 'AVER_BRIDGE_HEALTH_PORT');
        expect(health?.value, "the image's HEALTHCHECK port").to.equal(String(o.config.server.internal?.port));
      });

      it('mounts the generated ConfigMap as the file AVER_BRIDGE_CONFIG names', () => {
        const configPath = o.env.AVER_BRIDGE_CONFIG;
        expect(configPath).to.be.a('string');
        expect(o.configMap.metadata.name).to.match(/^aver-bridge-config-[a-z0-9]{10}$/);
        const volume = o.pod.volumes.find((v) => v.configMap?.name === o.configMap.metadata.name);
        expect(volume, 'a volume from the ConfigMap').to.not.equal(undefined);
        const mount = o.container.volumeMounts.find((m) => m.name === volume!.name)!;
        const file = mount.subPath ? mount.mountPath : posix.join(mount.mountPath, volume!.configMap!.items?.find((i) => i.key === 'aver-bridge.yaml')?.path ?? 'aver-bridge.yaml');
        expect(file).to.equal(configPath);
      });

      it('gives the container every ${VAR} the config uses, secrets from the Secret its template defines', () => {
        const keys = ['AVER_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'MICROSOFT_APP_PASSWORD'];
        for (const v of requiredEnv(o.configText)) expect(o.env[v], `env ${v} for the config`).to.be.a('string').and.not.equal('');
        for (const key of keys) {
          expect(requiredEnv(o.configText), `the config uses ${key}`).to.include(key);
          expect(o.container.env.find((e) => e.name === key)?.valueFrom?.secretKeyRef, `${key} comes from a Secret`).to.not.equal(undefined);
        }
        for (const e of o.container.env) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect(ref.name, e.name).to.equal(o.secret.metadata.name);
          expect(o.secret.stringData, `${e.name}: key in secret.example.yaml`).to.have.property(ref.key);
        }
      });

      it('gives a stopping replica time for preStop and server.shutdownTimeout before SIGKILL', () => {
        const command = o.container.lifecycle.preStop.exec.command;
        expect(command[0]).to.equal('sleep');
        const pause = Number(command[1]);
        expect(o.pod.terminationGracePeriodSeconds).to.be.at.least(pause + o.config.server.shutdownTimeoutMs / 1000 + 5);
      });

      it('routes the Service to the pods, each port to a container port; keeps port 9090 "internal" for the private listener', () => {
        const service = o.only<Service>('Service');
        expect(selects(service.spec.selector, o.deployment.spec.template.metadata.labels)).to.equal(true);
        expect(pick(o.deployment.spec.template.metadata.labels, Object.keys(o.deployment.spec.selector.matchLabels))).to.deep.equal(o.deployment.spec.selector.matchLabels);
        for (const p of service.spec.ports) expect(o.portNumber(p.targetPort), `Service port ${p.name}`).to.be.a('number');
        const http = service.spec.ports.find((p) => p.name === 'http')!;
        expect(o.portNumber(http.targetPort)).to.equal(o.config.server.port);
        const internal = service.spec.ports.find((p) => p.name === 'internal');
        expect(internal, 'Service port "internal"').to.not.equal(undefined);
        expect(o.portNumber(internal!.targetPort)).to.equal(9090);
      });

      it('exposes through the Ingress only the public paths: the webhook, Slack\'s events, Teams\' messages, over TLS', () => {
        const ingress = o.only<Ingress>('Ingress');
        const service = o.only<Service>('Service');
        expect(ingress.spec.tls, 'tls').to.be.an('array').that.is.not.empty;
        const paths = ingress.spec.rules.flatMap((r) => r.http.paths);
        const expected = [o.config.aver.webhook.path, ...(o.config.slack ? ['/slack/events'] : []), ...(o.config.teams ? ['/api/messages'] : [])];
        expect(paths.map((p) => p.path).sort()).to.deep.equal(expected.sort());
        for (const p of paths) {
          expect(p.pathType, p.path).to.equal('Exact');
          expect(p.backend.service.name).to.equal(service.metadata.name);
          const port = service.spec.ports.find((sp) => sp.name === p.backend.service.port.name || sp.port === p.backend.service.port.number);
          expect(port, `${p.path}: a port of the Service`).to.not.equal(undefined);
          expect(o.portNumber(port!.targetPort), `${p.path}: to the public listener`).to.equal(o.config.server.port);
          for (const hidden of PRIVATE_PATHS) expect(hidden.startsWith(p.path), `${hidden} under ${p.path}`).to.equal(false);
        }
      });

      it('limits traffic with a NetworkPolicy: in from the ingress controller and Prometheus, out to DNS and HTTPS', () => {
        const policies = o.all<NetworkPolicy>('NetworkPolicy');
        const podLabels = o.deployment.spec.template.metadata.labels;
        for (const p of policies) expect(selects(p.spec.podSelector.matchLabels, podLabels), p.metadata.name).to.equal(true);
        const main = policies.find((p) => p.metadata.name === 'aver-bridge')!;
        expect(main.spec.policyTypes).to.include.members(['Ingress', 'Egress']);
        const inPorts = (main.spec.ingress ?? []).flatMap((r) => {
          expect(r.from, 'an ingress rule names where from').to.be.an('array').that.is.not.empty;
          return (r.ports ?? []).map((p) => o.portNumber(p.port));
        });
        expect(inPorts).to.include(o.config.server.port).and.include(9090);
        const outPorts = policies.flatMap((p) => (p.spec.egress ?? []).flatMap((r) => (r.ports ?? []).map((x) => `${x.port}/${x.protocol ?? 'TCP'}`)));
        expect(outPorts).to.include.members(['53/UDP', '443/TCP']);
      });
    });
  }

  describe('kubernetes/overlays/postgres', () => {
    let o: Overlay;
    before(() => { o = overlay('postgres'); });

    it('runs at least two replicas, rolling one at a time with none unavailable, on different nodes when it can', () => {
      expect(o.deployment.spec.replicas).to.be.at.least(2);
      expect(o.deployment.spec.strategy.type).to.equal('RollingUpdate');
      expect(o.deployment.spec.strategy.rollingUpdate?.maxUnavailable).to.equal(0);
    });

    it('keeps one replica up through drains (PodDisruptionBudget)', () => {
      const pdb = o.only<Pdb>('PodDisruptionBudget');
      expect(pdb.spec.minAvailable).to.equal(1);
      expect(selects(pdb.spec.selector.matchLabels, o.deployment.spec.template.metadata.labels)).to.equal(true);
    });

    it("has a config the bridge's own loader accepts, on the PostgreSQL of DATABASE_URL, with a lease longer than a delivery", () => {
      expect(o.configText).to.match(/storage:\s*\{\s*url:\s*"\$\{DATABASE_URL\}"\s*\}/);
      expect(o.config.storage.url).to.match(/^postgres:\/\//);
      expect(o.config.storage.url).to.equal(o.secret.stringData.DATABASE_URL);
      expect(o.config.delivery.leaseMs).to.be.above(o.config.delivery.timeoutMs + 1000);
    });

    it('may reach PostgreSQL (egress 5432)', () => {
      const out = o.all<NetworkPolicy>('NetworkPolicy').flatMap((p) => (p.spec.egress ?? []).flatMap((r) => (r.ports ?? []).map((x) => x.port)));
      expect(out).to.include(5432);
    });
  });

  describe('kubernetes/overlays/sqlite', () => {
    let o: Overlay;
    before(() => { o = overlay('sqlite'); });

    it('runs one replica, replaced rather than rolled (never two processes on one SQLite file)', () => {
      expect(o.deployment.spec.replicas).to.equal(1);
      expect(o.deployment.spec.strategy).to.deep.equal({ type: 'Recreate' });
    });

    it('keeps the SQLite file on a ReadWriteOnce PersistentVolumeClaim mounted where storage.url points', () => {
      expect(o.config.storage.url).to.match(/^sqlite:\//);
      const file = o.config.storage.url.slice('sqlite:'.length);
      const pvc = o.only<Pvc>('PersistentVolumeClaim');
      expect(pvc.spec.accessModes).to.deep.equal(['ReadWriteOnce']);
      const volume = o.pod.volumes.find((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name);
      expect(volume, 'a volume from the claim').to.not.equal(undefined);
      const mount = o.container.volumeMounts.find((m) => m.name === volume!.name)!;
      expect(mount.readOnly ?? false).to.equal(false);
      expect(posix.dirname(file)).to.equal(mount.mountPath);
      expect(o.pod.securityContext, 'fsGroup makes the volume writable for the non-root user').to.have.property('fsGroup');
    });

    it('has no PodDisruptionBudget (with one replica it would block every node drain) and no DATABASE_URL', () => {
      expect(o.all('PodDisruptionBudget')).to.deep.equal([]);
      expect(o.env).to.not.have.property('DATABASE_URL');
      expect(o.secret.stringData).to.not.have.property('DATABASE_URL');
    });
  });

  describe('kubernetes/servicemonitor.example.yaml', () => {
    it('scrapes /metrics on a named port of the Service (every pod behind it)', () => {
      const [monitor] = parseFile(join(K8S, 'servicemonitor.example.yaml')) as Array<K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> } }>;
      expect(monitor.kind).to.equal('ServiceMonitor');
      expect(monitor.apiVersion).to.equal('monitoring.coreos.com/v1');
      const service = overlay('postgres').only<Service>('Service');
      expect(selects(monitor.spec.selector.matchLabels, service.metadata.labels ?? {})).to.equal(true);
      for (const e of monitor.spec.endpoints) {
        expect(e.path).to.equal('/metrics');
        expect(service.spec.ports.map((p) => p.name)).to.include(e.port);
      }
    });
  });

  describe('Dockerfile', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^(?=FROM )/m).slice(1);

    it('builds on a current Node.js LTS (22 or 24), the same image in both stages', () => {
      const version = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
      expect(version).to.be.oneOf(['22', '24']);
      expect(stages).to.have.length(2);
      for (const s of stages) expect(s).to.match(/^FROM node:\$\{NODE_VERSION\}-slim\b/);
    });

    it('has the native build toolchain (python3, make, g++) in the build stage, before npm ci', () => {
      const build = stages[0];
      const install = /^RUN apt-get update[\s\S]*?apt-get install -y [^\n]*$/m.exec(build)?.[0] ?? '';
      for (const tool of ['python3', 'make', 'g++']) expect(install.split(/\s+/), tool).to.include(tool);
      expect(build.indexOf(install)).to.be.below(build.search(/^RUN npm ci\b/m));
      expect(stages[1], 'no toolchain in the image that runs').to.not.match(/g\+\+/);
    });

    it('runs the compiled CLI as a non-root user, with a HEALTHCHECK on /healthz', () => {
      expect(dockerfile).to.match(/npm run build/);
      const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].pop()?.[1];
      expect(user).to.be.a('string').and.not.match(/^(root|0)$/);
      const check = /^HEALTHCHECK [^\n]*\\\n\s+CMD (\[.*\])$/m.exec(dockerfile);
      expect(check, 'HEALTHCHECK … CMD [...]').to.not.equal(null);
      expect((JSON.parse(check![1]) as string[]).join(' ')).to.include('/healthz');
      expect(stages[1]).to.match(/^COPY --from=build \/app\/package\.json/m);
      expect(dockerfile.trimEnd().split('\n').pop()).to.equal('CMD ["node","dist/cli.js","serve"]');
    });
  });

  describe('package.json engines', () => {
    it('installs on Node.js 20.19 (our machines) as on 22 and 24', () => {
      const engines = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;
      const min = /^>=(\d+)\.(\d+)$/.exec(engines);
      expect(min, `engines.node "${engines}" is >=MAJOR.MINOR`).to.not.equal(null);
      const satisfied = (major: number, minor: number) => major > Number(min![1]) || (major === Number(min![1]) && minor >= Number(min![2]));
      expect([satisfied(20, 19), satisfied(22, 0), satisfied(24, 0), satisfied(20, 18)]).to.deep.equal([true, true, true, false]);
    });
  });
});
