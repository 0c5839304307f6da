import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * This package's version, from its package.json: the nearest one named aver-bridge above this module, which finds
 * it from src/ (tsx), dist/ (the build, the container image) and a bundle under node_modules/.cache alike.
 */
export function packageVersion(): string {
  cached ??= findVersion(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function findVersion(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'aver-bridge' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here (or not one we can read): look further up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
