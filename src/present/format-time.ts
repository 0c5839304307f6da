import type { DisplayConfig } from '../model/config.js';

/** A moment as messages write it: exact for machines, in the display zone and locale for people. */
export interface MessageTime {
  /** Milliseconds since the epoch. */
  at: number;
  /** RFC 3339 in UTC, seconds precision ("2026-12-01T14:02:00Z"): what Adaptive Card date functions read. */
  iso: string;
  /** Date and time in the display zone and locale ("1 Dec 2026, 15:02 CET"). */
  text: string;
  /** The time of day alone ("15:02"), for history lines. */
  clock: string;
}

/** Writes times in one zone and locale. */
export interface TimeFormat {
  readonly timeZone: string;
  readonly locale: string;
  at(ms: number): MessageTime;
}

/** Whether `zone` is an IANA time zone this Node knows ("Europe/Berlin", "UTC"). */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.trim() !== '';
  } catch {
    return false;
  }
}

/** Whether `locale` is a well-formed BCP 47 tag ("de-DE", "en-GB"). */
export function isValidLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

/** The last second isoSeconds wrote, and how: a burst's events share their second. */
let lastIso = { second: NaN, text: '' };

/** RFC 3339 in UTC without milliseconds; "?" for a time that is not one. */
export function isoSeconds(ms: number): string {
  // Date's range (NaN fails it too).
  if (!(Math.abs(ms) <= 8.64e15)) return '?';
  // Whole milliseconds, as Date keeps them (truncated toward zero), then whole seconds.
  const second = Math.floor(Math.trunc(ms) / 1000);
  if (second === lastIso.second) return lastIso.text;
  // toISOString always ends in ".sssZ".
  const iso = new Date(ms).toISOString();
  lastIso = { second, text: `${iso.slice(0, -5)}Z` };
  return lastIso.text;
}

/** Formats by zone and locale: building an Intl.DateTimeFormat costs more than formatting with one. */
const formats = new Map<string, TimeFormat>();
const MAX_FORMATS = 16;

/** The time format for a display config (Intl.DateTimeFormat), built once per zone and locale. */
export function createTimeFormat(display: DisplayConfig): TimeFormat {
  const key = `${display.timeZone}\u0000${display.locale}`;
  let format = formats.get(key);
  if (!format) {
    format = buildTimeFormat(display);
    if (formats.size >= MAX_FORMATS) formats.delete(formats.keys().next().value as string);
    formats.set(key, format);
  }
  return format;
}

const lastByFormat = new WeakMap<Intl.DateTimeFormat, { minute: number; text: string }>();

/** f.format(ms), remembered for the last minute asked (the formats here show no seconds). */
function byMinute(f: Intl.DateTimeFormat, ms: number): string {
  const minute = Math.floor(ms / 60_000);
  const last = lastByFormat.get(f);
  if (last?.minute === minute) return last.text;
  const text = f.format(ms);
  lastByFormat.set(f, { minute, text });
  return text;
}

function buildTimeFormat(display: DisplayConfig): TimeFormat {
  const { timeZone, locale } = display;
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  });
  const clock = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  // Both formats stop at the minute, and a burst's events share one: Intl's format is the costly part of a message.
  const write = (f: Intl.DateTimeFormat, ms: number) => (Number.isFinite(ms) ? byMinute(f, ms) : '?');
  return {
    timeZone,
    locale,
    at: (ms) => ({ at: ms, iso: isoSeconds(ms), text: write(dateTime, ms), clock: write(clock, ms) }),
  };
}
