import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kustomizeBuild, type K8sObject } from './deploy/kustomize.js';

const OVERLAYS = fileURLToPath(new URL('../deploy/kubernetes/overlays/', import.meta.url));

function kubectlPresent(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

const byKindAndName = (a: K8sObject, b: K8sObject) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

// test/deploy.test.ts reads the overlays through test/deploy/kustomize.ts; this pins that reader to kustomize itself.
describe('deploy/kubernetes/overlays, as kubectl kustomize builds them', () => {
  for (const name of ['postgres', 'sqlite']) {
    it(`${name}: the same objects as the deploy test reads (the ConfigMap's hashed name included)`, function () {
      if (!kubectlPresent()) {
        console.log('      (skipped: kubectl is not on PATH)');
        this.skip();
      }
      const built = spawnSync('kubectl', ['kustomize', join(OVERLAYS, name)], { encoding: 'utf8' });
      expect(built.status, built.stderr).to.equal(0);
      const real = parseAllDocuments(built.stdout).map((d) => d.toJS() as K8sObject).sort(byKindAndName);
      expect(kustomizeBuild(join(OVERLAYS, name)).sort(byKindAndName)).to.deep.equal(real);
    });
  }
});
