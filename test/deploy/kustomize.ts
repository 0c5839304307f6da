import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The fields of kustomization.yaml this reader implements; any other fails the build rather than being ignored. */
const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'configMapGenerator', 'patches']);

/** The merge keys of the lists a strategic merge patch merges item by item (Kubernetes' patchMergeKey); others are replaced. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', env: 'name', volumes: 'name', imagePullSecrets: 'name',
  volumeMounts: 'mountPath', ports: 'containerPort',
};

/**
 * `kustomize build DIR` for the features deploy/kubernetes uses: resources (files and bases), a configMapGenerator
 * from files (named with kustomize's content hash, and the references to it renamed), and strategic merge patches.
 * The tests read the overlays through it; a process test checks it against `kubectl kustomize` where kubectl exists.
 */
export function kustomizeBuild(dir: string): K8sObject[] {
  const k = parseYamlFile(join(dir, 'kustomization.yaml'))[0] as JsonObject;
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new Error(`${relative(process.cwd(), dir)}/kustomization.yaml: ${unknown.join(', ')} not supported by this test's reader`);
  const objects: K8sObject[] = [];
  for (const r of (k.resources ?? []) as string[]) {
    const path = join(dir, r);
    objects.push(...(statSync(path).isDirectory() ? kustomizeBuild(path) : (parseYamlFile(path) as unknown as K8sObject[])));
  }
  const renamed = new Map<string, string>();
  for (const g of (k.configMapGenerator ?? []) as Array<{ name: string; files: string[]; options?: { labels?: Record<string, string> } }>) {
    const unsupported = Object.keys(g).filter((key) => !['name', 'files', 'options'].includes(key)).concat(Object.keys(g.options ?? {}).filter((key) => key !== 'labels'));
    if (unsupported.length > 0) throw new Error(`configMapGenerator ${g.name}: ${unsupported.join(', ')} not supported by this test's reader`);
    const data = Object.fromEntries(g.files.map((f) => [basename(f), readFileSync(join(dir, f), 'utf8')]));
    const name = `${g.name}-${configMapHash(data)}`;
    renamed.set(g.name, name);
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(g.options?.labels ? { labels: g.options.labels } : {}) }, data });
  }
  for (const p of (k.patches ?? []) as Array<{ path: string }>) {
    const patch = parseYamlFile(join(dir, p.path))[0] as unknown as K8sObject;
    const i = objects.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
    if (i < 0) throw new Error(`${p.path}: no ${patch.kind} ${patch.metadata.name} to patch`);
    objects[i] = strategicMerge(objects[i] as unknown as JsonObject, patch as unknown as JsonObject) as unknown as K8sObject;
  }
  return objects.map((o) => renameConfigMaps(o, renamed));
}

function parseYamlFile(file: string): Json[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS() as Json;
  }).filter((d) => d !== null);
}

/**
 * kustomize's name suffix for a generated ConfigMap: sha256 of Go's JSON of {data, kind, name}, 10 hex digits with
 * 0, 1, 3, a, e spelled g, h, k, m, t. (kustomize looks the name up as one field "metadata/name" and finds none: "".)
 */
export function configMapHash(data: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.keys(data).sort().map((key) => [key, data[key]]));
  // Go's encoding/json escapes <, >, & and the two line separators.
  const json = JSON.stringify({ data: sorted, kind: 'ConfigMap', name: '' }).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const hex = createHash('sha256').update(json).digest('hex');
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => ({ 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' })[c as '0']);
}

/** A strategic merge patch: maps merged key by key, lists of containers, env, volumes… merged by their merge key. */
function strategicMerge(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) throw new Error(`patch directive ${key} not supported by this test's reader`);
    const current = out[key];
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(current)) out[key] = strategicMerge(current, value);
    else if (Array.isArray(value) && Array.isArray(current) && MERGE_KEYS[key]) out[key] = mergeList(current, value, MERGE_KEYS[key]);
    else out[key] = value;
  }
  return out;
}

/** Items the target has are merged in place; new ones go first, in the patch's order (as kustomize orders them). */
function mergeList(target: Json[], patch: Json[], mergeKey: string): Json[] {
  const out = [...target];
  const added: Json[] = [];
  for (const item of patch) {
    if (!isObject(item)) throw new Error(`a list merged by ${mergeKey} holds objects`);
    const i = out.findIndex((t) => isObject(t) && t[mergeKey] === item[mergeKey]);
    if (i >= 0) out[i] = strategicMerge(out[i] as JsonObject, item);
    else added.push(item);
  }
  return [...added, ...out];
}

/** The references kustomize renames after a generated ConfigMap: pod volumes, envFrom and configMapKeyRef. */
function renameConfigMaps(o: K8sObject, renamed: Map<string, string>): K8sObject {
  if (renamed.size === 0) return o;
  const rename = (node: Json, parent?: string): Json => {
    if (Array.isArray(node)) return node.map((n) => rename(n, parent));
    if (!isObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      const refersToConfigMap = key === 'name' && typeof value === 'string' && (parent === 'configMap' || parent === 'configMapRef' || parent === 'configMapKeyRef');
      out[key] = refersToConfigMap ? (renamed.get(value) ?? value) : rename(value, key);
    }
    return out;
  };
  return o.kind === 'ConfigMap' ? o : (rename(o as unknown as Json) as unknown as K8sObject);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
