/** One line of the results table: a measurement beside the ceiling measured in the same run. */
export interface Row {
  /** Stable key, e.g. `ingest.sqlite.rps` (the test and latest.json rely on it). */
  key: string;
  name: string;
  unit: string;
  result: number | null;
  ceiling: number | null;
  /** What the ceiling is, e.g. "bare node:http". */
  ceilingName: string;
  /** result / ceiling. */
  ratio: number | null;
  target: string;
  /** null: no target, or skipped. */
  pass: boolean | null;
  /** Extra facts (p50/p99 beside req/s, why skipped, fallbacks). */
  note?: string;
  skipped?: string;
}

/** A target on the ratio (at least `min` of the ceiling). */
export function ratioAtLeast(min: number) {
  return { text: `≥ ${min} of ceiling`, check: (r: Row) => r.ratio !== null && r.ratio >= min };
}

/** A target on the value itself (at most `max` in the row's unit). */
export function atMost(max: number, unit: string) {
  return { text: `≤ ${max} ${unit}`, check: (r: Row) => r.result !== null && r.result <= max };
}

/** A target on the value itself (at least `min` in the row's unit): an absolute floor, whatever the ceiling. */
export function atLeast(min: number, unit: string) {
  return { text: `≥ ${min.toLocaleString('en-US')} ${unit}`, check: (r: Row) => r.result !== null && r.result >= min };
}

/** A target on the value itself (below `max` in the row's unit). */
export function below(max: number, unit: string) {
  return { text: `< ${max} ${unit}`, check: (r: Row) => r.result !== null && r.result < max };
}

/** Builds a row, computing the ratio and whether the target is met. */
export function row(
  fields: Omit<Row, 'ratio' | 'pass' | 'target'> & { target?: { text: string; check: (r: Row) => boolean } },
): Row {
  const ratio = fields.result !== null && fields.ceiling !== null && fields.ceiling > 0 ? fields.result / fields.ceiling : null;
  const { target, ...rest } = fields;
  const r: Row = { ...rest, ratio, target: target?.text ?? '—', pass: null };
  if (target && !fields.skipped) r.pass = target.check(r);
  return r;
}

/** A row for a benchmark that could not run, with the reason. */
export function skippedRow(key: string, name: string, unit: string, target: string, reason: string): Row {
  return { key, name, unit, result: null, ceiling: null, ceilingName: '', ratio: null, target, pass: null, skipped: reason };
}

function fmt(v: number | null, unit: string): string {
  if (v === null) return '—';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

/** The table as markdown. */
export function renderTable(rows: Row[]): string {
  const lines = [
    '| Benchmark | Result | Ceiling (same run) | Ratio | Target | Pass |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const result = r.skipped ? `skipped: ${r.skipped}` : fmt(r.result, r.unit) + (r.note ? ` (${r.note})` : '');
    const ceiling = r.ceiling === null ? '—' : `${fmt(r.ceiling, r.unit)} ${r.ceilingName}`.trim();
    const ratio = r.ratio === null ? '—' : r.ratio.toFixed(2);
    const pass = r.pass === null ? (r.skipped ? 'skipped' : '—') : r.pass ? 'pass' : '**FAIL**';
    lines.push(`| ${r.name} | ${result} | ${ceiling} | ${ratio} | ${r.target} | ${pass} |`);
  }
  return lines.join('\n');
}

/** Percentile (0–100) of already sorted numbers; nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
