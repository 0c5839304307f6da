import type { ConfigProblem } from '../errors.js';
import type { NamedTimeInterval } from '../model/time-interval.js';
import { parseTimeInterval, type RawTimeInterval } from '../grouping/time-intervals.js';

/** One entry of top-level `time_intervals:` as the schema lets it through. */
export interface RawNamedInterval {
  name: string;
  time_intervals?: RawTimeInterval[];
}

/**
 * Reads top-level `time_intervals:` (Alertmanager's syntax) into named intervals, each problem with its YAML path
 * and line: a bad time, weekday, day, month or year, an unknown zone, a name given twice.
 */
export function readTimeIntervals(
  raw: RawNamedInterval[] | undefined,
  at: (segs: Array<string | number>) => { path: string; line?: number },
  problems: ConfigProblem[],
): Map<string, NamedTimeInterval> {
  const named = new Map<string, NamedTimeInterval>();
  (raw ?? []).forEach((entry, i) => {
    if (named.has(entry.name)) {
      problems.push({ ...at(['time_intervals', i, 'name']), message: `time interval "${entry.name}" is defined twice`, hint: 'give each time interval a name of its own' });
      return;
    }
    const intervals = (entry.time_intervals ?? []).map((interval, j) => {
      const { spec, problems: found } = parseTimeInterval(interval);
      for (const p of found) {
        const segs = ['time_intervals', i, 'time_intervals', j, p.key, ...(p.index === undefined ? [] : [p.index])];
        problems.push({ ...at(segs), message: `time interval "${entry.name}": ${p.message}`, hint: HINTS[p.key] });
      }
      return spec;
    });
    named.set(entry.name, { name: entry.name, intervals });
  });
  return named;
}

const HINTS: Record<keyof RawTimeInterval, string> = {
  times: "write times as {start_time: 'HH:MM', end_time: 'HH:MM'}, from 00:00 to 24:00, the end after the start",
  weekdays: "weekdays are names or ranges of names, e.g. 'monday:friday' or 'saturday'",
  days_of_month: "days of the month are 1 to 31 or -31 to -1 (counted from the month's end), or ranges such as '1:5' or '-3:-1'",
  months: "months are names or 1 to 12, or ranges such as 'may:august'",
  years: "years are ranges such as '2024:2026'",
  location: 'use an IANA zone name such as Europe/Berlin or America/New_York',
};
