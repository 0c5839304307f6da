const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The pattern durations take in the config: "500ms", "10s", "5m", "24h", "7d", or a combination ("1h30m"). */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';

/** Parses a duration ("10s", "1h30m") to milliseconds; a bare number is milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * UNITS[m[2]];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== value.length) throw new Error(`not a duration: "${value}" (use e.g. 10s, 5m, 24h, 7d)`);
  return total;
}
