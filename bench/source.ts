import { join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * Where the bridge's sources come from: src/ by default, or another copy of it
 * (`--src DIR`, for measuring a proposed change to src without touching src).
 * An esbuild plugin that points imports of the repository's src/ at that copy.
 */
export function sourcePlugin(root: string): Plugin[] {
  const alt = process.env.AVER_BRIDGE_BENCH_SRC;
  if (!alt) return [];
  const from = join(root, 'src') + '/';
  const to = resolve(alt) + '/';
  return [{
    name: 'bench-src',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith('.') || !args.resolveDir) return undefined;
        const full = resolve(args.resolveDir, args.path);
        if (!full.startsWith(from)) return undefined;
        return { path: (to + full.slice(from.length)).replace(/\.js$/, '.ts') };
      });
    },
  }];
}

/** The bridge's entry point (src/cli.ts, or the copy's). */
export function bridgeEntry(root: string): string {
  const alt = process.env.AVER_BRIDGE_BENCH_SRC;
  return alt ? join(resolve(alt), 'cli.ts') : join(root, 'src', 'cli.ts');
}
