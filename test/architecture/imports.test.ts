import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Every .ts file under src/, relative to it. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [relative(SRC, join(dir, e.name))] : [],
  );
}

/** The folder of src a file belongs to; files at the top of src are each their own unit. */
function folderOf(file: string): string {
  const parts = file.split(sep);
  return parts.length > 1 ? parts[0] : file;
}

/** Folder → folders it imports (relative imports, type-only included), with one example edge each. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles()) {
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const target = normalize(join(dirname(file), m[1] ?? m[2])).replace(/\.js$/, '.ts');
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, `${file} → ${target}`);
    }
  }
  return graph;
}

/** A path of folders from `from` back to `to`, if the graph has one. */
function pathBetween(graph: Map<string, Map<string, string>>, from: string, to: string, seen = new Set<string>()): string[] | null {
  if (from === to) return [to];
  seen.add(from);
  for (const next of graph.get(from)?.keys() ?? []) {
    if (seen.has(next)) continue;
    const rest = pathBetween(graph, next, to, seen);
    if (rest) return [from, ...rest];
  }
  return null;
}

describe('the layout of src/ (docs/architecture.md)', () => {
  const graph = folderGraph();

  it('reads the imports it checks (the graph is not empty)', () => {
    expect(graph.get('pipeline')?.has('store'), 'pipeline imports store').to.equal(true);
    expect(graph.get('store')?.has('model'), 'store imports model').to.equal(true);
  });

  it('has no folder that imports a folder that imports it back, type-only imports included', () => {
    const cycles: string[] = [];
    for (const [from, targets] of graph) {
      for (const [to, edge] of targets) {
        const back = pathBetween(graph, to, from);
        if (back) cycles.push(`${edge}, and back: ${back.join(' → ')}`);
      }
    }
    expect(cycles).to.deep.equal([]);
  });

  it('keeps store, aver and routing free of the integrations, the pipeline and housekeeping', () => {
    const offending: string[] = [];
    for (const low of ['store', 'aver', 'routing', 'model']) {
      for (const high of ['receivers', 'pipeline', 'housekeeping']) {
        const edge = graph.get(low)?.get(high);
        if (edge) offending.push(edge);
      }
    }
    expect(offending).to.deep.equal([]);
  });

  it('keeps model/ at the bottom: it imports no other folder', () => {
    expect([...(graph.get('model')?.values() ?? [])]).to.deep.equal([]);
  });
});
