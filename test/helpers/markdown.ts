import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: links may point anywhere inside it, and nowhere outside. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** README.md and every Markdown file under docs/, wherever a piece of the reference lives. */
export function markdownFiles(): string[] {
  const under = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? under(join(dir, d.name)) : d.name.endsWith('.md') ? [join(dir, d.name)] : []))
    .sort();
  const docs = join(ROOT, 'docs');
  return [join(ROOT, 'README.md'), ...(existsSync(docs) ? under(docs) : [])];
}

/** The Prometheus rule files the docs show: every ```yaml block that starts with `groups:`. */
export function alertExamples(): string[] {
  return markdownFiles().flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^```ya?ml\n(groups:\n[\s\S]*?)^```$/gm)].map((m) => m[1]));
}

/** The lines outside fenced code blocks (``` or ~~~), each with its 1-based line number. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence !== undefined) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && text.trim() === open[1]) fence = undefined;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    out.push({ line: i + 1, text });
  });
  return out;
}

/** A line with its inline code spans blanked out (links in code are not links). */
function withoutCode(text: string): string {
  return text.replace(/(`+)[\s\S]*?\1/g, (m) => ' '.repeat(m.length));
}

/** A heading's text as GitHub renders it: code kept without its backticks, links and images by their text, no emphasis or HTML. */
function renderedText(heading: string): string {
  const codes: string[] = [];
  return heading
    .replace(/(`+)\s?([\s\S]*?)\s?\1/g, (_m, _ticks: string, code: string) => `\u0000${codes.push(code) - 1}\u0000`)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/\*+/g, '')
    .replace(/(^|[^\p{L}\p{N}])_+([^_]+?)_+(?=[^\p{L}\p{N}]|$)/gu, '$1$2')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => codes[Number(i)])
    .trim();
}

/** GitHub's anchor for a heading's text (github-slugger): lower case, punctuation and emoji dropped, each space a '-'. */
export function githubSlug(text: string): string {
  return renderedText(text).toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file has: its headings' slugs (a repeated one gets -1, -2, … as on GitHub) and `<a id|name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const headings = new Set<string>();
  const anchors = new Set<string>();
  const lines = proseLines(markdown);
  lines.forEach(({ line, text }, i) => {
    const atx = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(text);
    const next = lines[i + 1];
    const setext = next && next.line === line + 1 && /^ {0,3}(=+|-+)\s*$/.test(next.text) && /^ {0,3}[^\s|#>*+-]/.test(text) && !/^\s*\d+\.\s/.test(text);
    const heading = atx ? (atx[1] ?? '') : setext ? text : undefined;
    if (heading !== undefined) {
      const base = githubSlug(heading);
      let slug = base;
      while (headings.has(slug)) {
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        slug = `${base}-${n}`;
      }
      headings.add(slug);
      anchors.add(slug);
    }
    for (const m of text.matchAll(/<a\s[^>]*?(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  });
  return anchors;
}

/** Every link target in a Markdown file, outside code: inline links and images, reference definitions, href/src. */
export function linksIn(markdown: string): { line: number; target: string }[] {
  return proseLines(markdown).flatMap(({ line, text }) => {
    const prose = withoutCode(text);
    const inline = [...prose.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)].map((m) => m[1].replace(/^<|>$/g, ''));
    const definitions = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1].replace(/^<|>$/g, ''));
    const html = [...prose.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
    return [...inline, ...definitions, ...html].map((target) => ({ line, target }));
  });
}

/** Folders .gitignore leaves out (dist/, data/ …): a link there works on this machine and nowhere else. */
function ignoredFolders(root: string): string[] {
  const file = join(root, '.gitignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.endsWith('/') && !l.startsWith('#') && !/[*?[]/.test(l))
    .map((l) => l.replace(/^\//, ''));
}

/**
 * What is wrong with each relative link of one Markdown file: a target outside the repository, a file that does not
 * exist (or exists only as a build output), or an `#anchor` the target file does not have. Links with a scheme
 * (https:, mailto:) are not followed. Each problem reads `FILE:LINE: TARGET: why`.
 */
export function brokenLinks(file: string, root: string = ROOT): string[] {
  const markdown = readFileSync(file, 'utf8');
  const name = relative(root, file);
  const ignored = ignoredFolders(root);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOfFile = (path: string) => {
    if (!anchorCache.has(path)) anchorCache.set(path, path === file ? anchorsOf(markdown) : anchorsOf(readFileSync(path, 'utf8')));
    return anchorCache.get(path)!;
  };
  const problems: string[] = [];
  for (const { line, target } of linksIn(markdown)) {
    const say = (why: string) => problems.push(`${name}:${line}: ${target}: ${why}`);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
    if (target === '') {
      say('an empty link');
      continue;
    }
    const hash = target.indexOf('#');
    const pathPart = hash < 0 ? target : target.slice(0, hash);
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    if (pathPart.startsWith('/')) {
      say('an absolute path: write it relative to this file');
      continue;
    }
    const path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart.replace(/\?.*$/, '')));
    const inRepo = relative(root, path);
    if (inRepo.startsWith('..') || isAbsolute(inRepo)) {
      say('outside the repository');
      continue;
    }
    const built = ignored.find((dir) => `${inRepo}/`.startsWith(dir));
    if (built) {
      say(`${built} is in .gitignore: it is not in the repository`);
      continue;
    }
    if (!existsSync(path)) {
      say(`no such file (${inRepo})`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(path).isDirectory() || !path.endsWith('.md')) {
      if (!/^L\d+(-L\d+)?$/.test(anchor)) say(`an anchor into ${inRepo}, which is not a Markdown file`);
      continue;
    }
    if (!anchorsOfFile(path).has(anchor)) say(`no heading with the anchor #${anchor} in ${inRepo}`);
  }
  return problems;
}
