/**
 * Alertmanager's time intervals (timeinterval.TimeInterval), parsed: every range inclusive except `times`, whose
 * end minute is exclusive. Weekdays 0 = Sunday; months 1 = January; days of month may be negative (-1 = the last).
 */
export interface TimeIntervalSpec {
  times?: Array<{ startMinute: number; endMinute: number }>;
  weekdays?: Array<{ begin: number; end: number }>;
  daysOfMonth?: Array<{ begin: number; end: number }>;
  months?: Array<{ begin: number; end: number }>;
  years?: Array<{ begin: number; end: number }>;
  /** An IANA zone; UTC when absent. */
  location?: string;
}

/** A named entry of top-level `time_intervals:`: active when any of its intervals contains the instant. */
export interface NamedTimeInterval {
  name: string;
  intervals: TimeIntervalSpec[];
}

/** `remind:` on a route: a reminder when a check stays in one of `statuses` for `afterMs`, at most `repeat` times. */
export interface RemindConfig {
  afterMs: number;
  statuses: string[];
  repeat: number;
}
