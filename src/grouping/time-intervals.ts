import type { NamedTimeInterval, TimeIntervalSpec } from '../model/time-interval.js';

/**
 * Alertmanager's time intervals (timeinterval/timeinterval.go): parsing its YAML syntax, membership at an instant
 * in the interval's zone, and the next instant membership can change. Pure.
 */

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const TIME = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;
const MINUTE = 60_000;
const DAY_MINUTES = 1440;

/** The raw YAML of one interval, as Alertmanager reads it. */
export interface RawTimeInterval {
  times?: Array<{ start_time?: string; end_time?: string }>;
  weekdays?: string[];
  days_of_month?: string[];
  months?: string[];
  years?: string[];
  location?: string;
}

/** A problem in one field of an interval: the key it is under, its index there, and what is wrong. */
export interface IntervalProblem {
  key: keyof RawTimeInterval;
  index?: number;
  message: string;
}

/** Parses one interval as Alertmanager does; problems are returned, never thrown. */
export function parseTimeInterval(raw: RawTimeInterval): { spec: TimeIntervalSpec; problems: IntervalProblem[] } {
  const problems: IntervalProblem[] = [];
  const spec: TimeIntervalSpec = {};
  const list = <T>(key: keyof RawTimeInterval, values: unknown[] | undefined, read: (v: string) => T | string): T[] | undefined => {
    if (values === undefined) return undefined;
    return values.flatMap((v, index) => {
      const out = read(String(v));
      if (typeof out === 'string') {
        problems.push({ key, index, message: out });
        return [];
      }
      return [out];
    });
  };
  if (raw.times !== undefined) {
    spec.times = raw.times.flatMap((t, index) => {
      const out = readTimeRange(t);
      if (typeof out === 'string') {
        problems.push({ key: 'times', index, message: out });
        return [];
      }
      return [out];
    });
  }
  spec.weekdays = list('weekdays', raw.weekdays, readWeekdays);
  spec.daysOfMonth = list('days_of_month', raw.days_of_month, readDaysOfMonth);
  spec.months = list('months', raw.months, readMonths);
  spec.years = list('years', raw.years, readYears);
  if (raw.location !== undefined) {
    if (isTimeZone(raw.location)) spec.location = raw.location;
    else problems.push({ key: 'location', message: `unknown time zone "${raw.location}" (use an IANA name such as Europe/Berlin)` });
  }
  for (const key of Object.keys(spec) as Array<keyof TimeIntervalSpec>) if (spec[key] === undefined) delete spec[key];
  return { spec, problems };
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

function readTimeRange(t: { start_time?: string; end_time?: string }): { startMinute: number; endMinute: number } | string {
  if (!t.start_time || !t.end_time) return 'both start and end times must be provided';
  const start = parseClock(t.start_time);
  const end = parseClock(t.end_time);
  if (typeof start === 'string') return start;
  if (typeof end === 'string') return end;
  if (start >= end) return 'start time cannot be equal or greater than end time';
  return { startMinute: start, endMinute: end };
}

function parseClock(text: string): number | string {
  if (!TIME.test(text)) return `couldn't parse timestamp ${text}, invalid format (HH:MM, 00:00 to 24:00)`;
  const [h, m] = text.split(':').map(Number);
  return h * 60 + m;
}

/** "a" or "a:b", each read by `member`; a string is a problem. */
function readRange(text: string, member: (s: string) => number | string): { begin: number; end: number } | string {
  const parts = text.toLowerCase().split(':');
  if (parts.length > 2) return `couldn't parse range ${text}, invalid format`;
  const begin = member(parts[0]);
  const end = member(parts[parts.length - 1]);
  if (typeof begin === 'string') return begin;
  if (typeof end === 'string') return end;
  return { begin, end };
}

const integer = (s: string): number | string => (/^-?\d+$/.test(s.trim()) ? Number(s) : `${s} is not a number`);

function readWeekdays(text: string) {
  const r = readRange(text, (s) => (WEEKDAYS.includes(s) ? WEEKDAYS.indexOf(s) : `${s} is not a valid weekday`));
  if (typeof r !== 'string' && r.begin > r.end) return 'start day cannot be before end day';
  return r;
}

function readDaysOfMonth(text: string) {
  const r = readRange(text, integer);
  if (typeof r === 'string') return r;
  for (const n of [r.begin, r.end]) if (n === 0 || n < -31 || n > 31) return `${n} is not a valid day of the month: out of range`;
  if (r.begin < 0 && r.end > 0) return 'end day must be negative if start day is negative';
  const b = r.begin < 0 ? 28 + r.begin : r.begin;
  const e = r.end < 0 ? 28 + r.end : r.end;
  return b > e ? `end day ${r.end} is always before start day ${r.begin}` : r;
}

function readMonths(text: string) {
  const r = readRange(text, (s) => {
    if (MONTHS.includes(s)) return MONTHS.indexOf(s) + 1;
    const n = integer(s);
    return typeof n === 'number' && n >= 1 && n <= 12 ? n : `${s} is not a valid month`;
  });
  if (typeof r !== 'string' && r.begin > r.end) return `end month ${MONTHS[r.end - 1]} is before start month ${MONTHS[r.begin - 1]}`;
  return r;
}

function readYears(text: string) {
  const r = readRange(text, (s) => {
    const n = integer(s);
    return typeof n === 'number' && n > 0 ? n : `${s} is not a valid year`;
  });
  if (typeof r !== 'string' && r.begin > r.end) return `end year ${r.end} is before start year ${r.begin}`;
  return r;
}

/** The wall clock in a zone at an instant. */
interface Local {
  year: number; month: number; day: number; weekday: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
  daysInMonth: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localTime(t: number, zone = 'UTC'): Local {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
    });
    formats.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(t)) p[part.type] = part.value;
  const year = Number(p.year);
  const month = Number(p.month);
  const ms = ((t % 1000) + 1000) % 1000;
  return {
    year, month, day: Number(p.day),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday),
    msOfDay: ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 + ms,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

const within = (n: number, ranges: Array<{ begin: number; end: number }> | undefined) =>
  ranges === undefined || ranges.some((r) => n >= r.begin && n <= r.end);

/** Alertmanager's ContainsTime: every field given must match (any of its ranges); an empty interval always matches. */
export function intervalContains(spec: TimeIntervalSpec, t: number): boolean {
  const l = localTime(t, spec.location);
  const minute = Math.floor(l.msOfDay / MINUTE);
  if (spec.times && !spec.times.some((r) => minute >= r.startMinute && minute < r.endMinute)) return false;
  if (spec.daysOfMonth && !spec.daysOfMonth.some((r) => dayInRange(l, r))) return false;
  return within(l.month, spec.months) && within(l.weekday, spec.weekdays) && within(l.year, spec.years);
}

function dayInRange(l: Local, r: { begin: number; end: number }): boolean {
  const begin = r.begin < 0 ? l.daysInMonth + r.begin + 1 : r.begin;
  const end = r.end < 0 ? l.daysInMonth + r.end + 1 : r.end;
  if (begin > l.daysInMonth) return false;
  return l.day >= Math.max(begin, -l.daysInMonth) && l.day <= Math.min(end, l.daysInMonth);
}

/** Whether any interval of a named entry contains `t` (Alertmanager's Intervener). */
export function namedIntervalActive(named: NamedTimeInterval, t: number): boolean {
  return named.intervals.some((spec) => intervalContains(spec, t));
}

/**
 * The first instant after `t` at which an interval's membership may change: its next `times` boundary or the next
 * local midnight in its zone (days, months and years change only there). A jump across a DST change is corrected
 * once against the wall clock.
 */
export function nextCandidate(spec: TimeIntervalSpec, t: number): number {
  const l = localTime(t, spec.location);
  const marks = [DAY_MINUTES, ...(spec.times ?? []).flatMap((r) => [r.startMinute, r.endMinute])];
  const target = Math.min(...marks.filter((m) => m * MINUTE > l.msOfDay));
  let at = t + (target * MINUTE - l.msOfDay);
  const landed = localTime(at, spec.location).msOfDay;
  const want = (target % DAY_MINUTES) * MINUTE;
  let drift = want - landed;
  if (drift > 12 * 60 * MINUTE) drift -= DAY_MINUTES * MINUTE;
  if (drift < -12 * 60 * MINUTE) drift += DAY_MINUTES * MINUTE;
  if (drift !== 0 && at + drift > t) at += drift;
  return at;
}

/** How far ahead a boundary is looked for; a state that never changes within it is taken as lasting that long. */
export const HORIZON_MS = 400 * 86_400_000;

/**
 * The first instant after `t` where `state(instant)` differs from `state(t)`, looking at the candidates of every
 * interval `specs` holds; `t + HORIZON_MS` when it does not change within the horizon.
 */
export function nextChange(specs: readonly TimeIntervalSpec[], t: number, state: (at: number) => boolean): number {
  const now = state(t);
  let at = t;
  const limit = t + HORIZON_MS;
  while (at < limit) {
    at = Math.min(...specs.map((s) => nextCandidate(s, at)), limit);
    if (state(at) !== now) return at;
  }
  return limit;
}
