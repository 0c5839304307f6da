import { readFileSync } from 'node:fs';
import type { Node } from 'yaml';
import type { ConfigProblem } from '../errors.js';

/** A path into the YAML document: keys and sequence indexes. */
export type Segments = Array<string | number>;

/**
 * What each section reader is given: where a path is in the file, the
 * problems found so far, and `key` / `keyFile` secret resolution.
 */
export interface ConfigReader {
  problems: ConfigProblem[];
  /** The YAML path and line of a node, for a problem. */
  at(segs: Segments): { path: string; line?: number };
  /** The YAML node at a path. */
  nodeAt(segs: Segments): Node | null | undefined;
  /** Reads a secret file (one trailing newline dropped); records a problem and returns undefined when it cannot. */
  readSecretFile(segs: Segments, path: string): string | undefined;
  /** Resolves `key` / `keyFile` on an object: exactly one may be set. */
  secret(obj: Record<string, unknown> | undefined, key: string, segs: Segments): string | undefined;
}

/** Builds the reader over one document's positions. */
export function createConfigReader(
  at: ConfigReader['at'],
  nodeAt: ConfigReader['nodeAt'],
  problems: ConfigProblem[],
): ConfigReader {
  const readSecretFile = (segs: Segments, p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push({ ...at(segs), message: `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, hint: 'mount the secret file, or set the value directly' });
      return undefined;
    }
  };
  const secret = (obj: Record<string, unknown> | undefined, key: string, segs: Segments): string | undefined => {
    if (!obj) return undefined;
    const direct = obj[key] as string | undefined;
    const fileKey = `${key}File`;
    if (direct !== undefined && obj[fileKey] !== undefined) {
      problems.push({ ...at([...segs, fileKey]), message: `set ${key} or ${fileKey}, not both`, hint: `remove one of them: ${fileKey} reads the value from a file (a Docker or Kubernetes secret)` });
      return direct;
    }
    return obj[fileKey] !== undefined ? readSecretFile([...segs, fileKey], obj[fileKey] as string) : direct;
  };
  return { problems, at, nodeAt, readSecretFile, secret };
}

/** Adds a problem unless `url` is a full http(s) URL. */
export function checkHttpUrl(reader: ConfigReader, url: string, segs: Segments): void {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    reader.problems.push({ ...reader.at(segs), message: 'not an http(s) URL', hint: 'write a full URL such as https://example.com/hook' });
  }
}
