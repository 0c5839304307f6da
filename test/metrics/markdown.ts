import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** README.md and every Markdown file under docs/, wherever the metrics reference lives. */
export function markdownFiles(): string[] {
  const under = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? under(join(dir, d.name)) : d.name.endsWith('.md') ? [join(dir, d.name)] : []));
  const docs = join(ROOT, 'docs');
  return [join(ROOT, 'README.md'), ...(existsSync(docs) ? under(docs) : [])];
}

/** The Prometheus rule files the docs show: every ```yaml block that starts with `groups:`. */
export function alertExamples(): string[] {
  return markdownFiles().flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^```ya?ml\n(groups:\n[\s\S]*?)^```$/gm)].map((m) => m[1]));
}
