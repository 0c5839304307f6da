import type { AverEvent, EventDetails, Labels } from '../model/event.js';
import type { AttemptRecord, DeliveryJob, JobRecord, JobState } from '../model/job.js';
import type { StoredEvent } from './store.js';

/**
 * Events and jobs as both stores read them: one select list per shape (the column names are the same in both
 * schemas; tables aliased `e` and `j`) and one mapper for it.
 */

const EVENT = 'e.event_id, e.type, e.id AS entity_id, e.group_id, e.status, e.received_at, e.unknown_type, e.unknown_status, e.raw';

/** An event (`FROM events e`). */
export const EVENT_COLUMNS = EVENT;
/** An event with its route result (`FROM events e`). */
export const STORED_EVENT_COLUMNS = `${EVENT}, e.routed, e.labels, e.details`;
/** A claimed job with what its receiver is handed (`FROM jobs j JOIN events e`). */
export const DELIVERY_JOB_COLUMNS = `j.id, j.receiver, j.entity_key, j.destination_key, j.attempts, j.created_at, j.kind, j.alert_group, j.reminder, j.action_id, ${EVENT}, e.labels, e.details`;
/** A job with everything an operator sees (`FROM jobs j JOIN events e`). */
export const JOB_RECORD_COLUMNS = `j.id, j.receiver, j.entity_key, j.destination_key, j.state, j.attempts, j.next_attempt_at, j.created_at,
  j.updated_at, j.last_reason, j.history, ${EVENT}`;

/** How a backend returns JSON and boolean columns: SQLite as text and 0/1, PostgreSQL (jsonb, boolean) decoded. */
export interface ColumnDecoder {
  /** A JSON column's value, null for SQL NULL. */
  json(value: unknown): unknown;
  bool(value: unknown): boolean;
}

export const SQLITE_COLUMNS: ColumnDecoder = {
  json: (value) => (value === null ? null : JSON.parse(value as string)),
  bool: (value) => value === 1,
};

export const POSTGRES_COLUMNS: ColumnDecoder = {
  json: (value) => value ?? null,
  bool: (value) => value === true,
};

export interface EventRow {
  event_id: string; type: string; entity_id: string; group_id: string; status: string; received_at: number;
  unknown_type: unknown; unknown_status: unknown; raw: unknown;
}
export interface StoredEventRow extends EventRow {
  routed: unknown; labels: unknown; details: unknown;
}
export interface DeliveryJobRow extends EventRow {
  id: number; receiver: string; entity_key: string; destination_key: string; attempts: number; created_at: number;
  labels: unknown; details: unknown; kind?: string; alert_group?: number | null; reminder?: number | null;
  /** Set on a job that follows a check action (migration 10). */
  action_id: number | null;
}
export interface JobRecordRow extends EventRow {
  id: number; receiver: string; entity_key: string; destination_key: string; state: JobState; attempts: number;
  next_attempt_at: number; created_at: number; updated_at: number; last_reason: string | null; history: unknown;
}

export interface RowMappers {
  event(r: EventRow): AverEvent;
  storedEvent(r: StoredEventRow): StoredEvent;
  deliveryJob(r: DeliveryJobRow): DeliveryJob;
  jobRecord(r: JobRecordRow): JobRecord;
}

/** The mappers for rows of one backend's select lists above. */
export function rowMappers(c: ColumnDecoder): RowMappers {
  const event = (r: EventRow): AverEvent => ({
    eventId: r.event_id, type: r.type, id: r.entity_id, groupId: r.group_id, status: r.status, receivedAt: r.received_at,
    unknownType: c.bool(r.unknown_type), unknownStatus: c.bool(r.unknown_status), raw: c.json(r.raw) as AverEvent['raw'],
  });
  return {
    event,
    storedEvent: (r) => ({
      event: event(r), routed: c.bool(r.routed), labels: c.json(r.labels) as Labels | null, details: c.json(r.details) as EventDetails | null,
    }),
    deliveryJob: (r) => ({
      id: r.id, eventId: r.event_id, receiver: r.receiver, entityKey: r.entity_key, destinationKey: r.destination_key,
      attempt: r.attempts, createdAt: r.created_at, event: event(r),
      labels: (c.json(r.labels) ?? {}) as Labels, details: c.json(r.details) as EventDetails | null,
      ...(r.action_id === null || r.action_id === undefined ? {} : { actionId: Number(r.action_id) }),
      ...(r.kind === 'digest' || r.kind === 'reminder' ? { kind: r.kind } : {}),
      ...(r.alert_group === null || r.alert_group === undefined ? {} : { digestOf: Number(r.alert_group) }),
      ...(r.reminder === null || r.reminder === undefined ? {} : { reminder: Number(r.reminder) }),
    }),
    jobRecord: (r) => ({
      id: r.id, eventId: r.event_id, receiver: r.receiver, entityKey: r.entity_key, destinationKey: r.destination_key, state: r.state,
      attempts: r.attempts, nextAttemptAt: r.next_attempt_at, createdAt: r.created_at, updatedAt: r.updated_at, lastReason: r.last_reason,
      history: c.json(r.history) as AttemptRecord[], event: event(r),
    }),
  };
}
