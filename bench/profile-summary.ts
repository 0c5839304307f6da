import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** The part of the run summarised, as CLOCK_MONOTONIC microseconds (process.hrtime), when not all of it. */
  window?: [number, number];
  totalMs: number;
  /** Self time by function, largest first. */
  functions: Array<{ name: string; where: string; ms: number; percent: number }>;
  /** Self time by area: a source file of ours, a package, node internals, GC, idle. */
  areas: Array<{ area: string; ms: number; percent: number }>;
}

/** Maps positions in a bundled file back to its sources, from the esbuild source map beside it. */
function sourceMapFor(url: string): ((line: number, column: number) => string | null) | null {
  let map: SourceMap;
  try {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    return null;
  }
  return (line, column) => {
    const e = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
    if (!e?.originalSource) return null;
    const source = e.originalSource.replace(/^(\.\.\/)+/, '').replace(/^file:\/\/.*?\/(src|node_modules)\//, '$1/');
    return `${source}:${(e.originalLine ?? 0) + 1}`;
  };
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg && !pkg[1].startsWith('.cache')) return pkg[1];
  const src = /(src\/\S+|bench\/\S+)$/.exec(url.replace(/^file:\/\//, ''));
  return src ? src[1] : url;
}

/**
 * Summarises a V8 .cpuprofile: top functions and areas by self time, within
 * `window` when given (V8 stamps samples with the same monotonic clock as
 * process.hrtime, so a window taken in another process on this machine lines up).
 */
export function summariseProfile(file: string, top = 15, window?: [number, number]): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window[0] || t > window[1])) return;
    self.set(id, (self.get(id) ?? 0) + delta / 1000);
  });
  const mappers = new Map<string, ReturnType<typeof sourceMapFor>>();
  const fns = new Map<string, { name: string; where: string; ms: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    total += ms;
    let where = url;
    let line = '';
    // Our bundles (the bridge's and the children's, which run a bridge for fan-out) map back to src/.
    if (url.includes('.bench-cache') || url.includes('aver-bridge-bench')) {
      if (!mappers.has(url)) mappers.set(url, sourceMapFor(url));
      const mapped = mappers.get(url)?.(lineNumber, columnNumber);
      if (mapped) [where, line] = mapped.split(':');
    } else if (url && lineNumber >= 0) line = String(lineNumber + 1);
    const area = areaOf(where, functionName || '(anonymous)');
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const name = functionName || '(anonymous)';
    const place = line && area.startsWith('src/') ? `${area}:${line}` : area;
    const key = `${name}@${place}`;
    const f = fns.get(key) ?? { name, where: place, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
  }
  const pct = (ms: number) => (total > 0 ? (ms / total) * 100 : 0);
  return {
    file,
    window,
    totalMs: total,
    functions: [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((f) => ({ ...f, percent: pct(f.ms) })),
    areas: [...areas].map(([area, ms]) => ({ area, ms, percent: pct(ms) })).sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** The summary as markdown. */
export function renderProfile(s: ProfileSummary): string {
  const what = s.window ? 'during the measured phase' : 'whole run';
  const lines = [`Profile ${s.file.split('/').pop()}, ${what} (${(s.totalMs / 1000).toFixed(1)} s sampled)`, '', '| Self time | Area |', '|---|---|'];
  for (const a of s.areas) lines.push(`| ${a.percent.toFixed(1)}% | ${a.area} |`);
  lines.push('', '| Self time | Function | Where |', '|---|---|---|');
  for (const f of s.functions) lines.push(`| ${f.percent.toFixed(1)}% | ${f.name} | ${f.where} |`);
  return lines.join('\n');
}

// `node --import tsx bench/profile-summary.ts FILE.cpuprofile…` prints the summaries.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  for (const f of process.argv.slice(2)) console.log(`${renderProfile(summariseProfile(f))}\n`);
}
