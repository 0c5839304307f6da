import type { Migration } from './migrations.js';

/**
 * Schema steps for groups, held deliveries and reminders (issue 15; versions 20 to 29), in each store's spelling.
 * `alert_groups`: one row per group window (or hold group), open until a flush finds nothing new; `group_members`:
 * the events waiting in it (sent = 1 once a flush took them); `reminders`: one per (receiver, check). Jobs gain
 * `kind` ('event', 'digest', 'reminder'), the group a digest is for (`alert_group`) and a reminder's number.
 */
export const SQLITE_TIMER_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: 'groups, held deliveries and reminders',
    sql: `
CREATE TABLE alert_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  receiver TEXT NOT NULL, group_key TEXT NOT NULL, kind TEXT NOT NULL, route_path TEXT NOT NULL, labels TEXT NOT NULL,
  destination_key TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'open', opened_at INTEGER NOT NULL, flush_at INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL, digested INTEGER NOT NULL DEFAULT 0, held_until INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT, lease_until INTEGER, updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX alert_groups_open ON alert_groups (receiver, group_key) WHERE state = 'open';
CREATE INDEX alert_groups_due ON alert_groups (flush_at) WHERE state = 'open';
CREATE TABLE group_members (
  group_id INTEGER NOT NULL, event_id TEXT NOT NULL, event_seq INTEGER NOT NULL, entity_key TEXT NOT NULL,
  destination_key TEXT NOT NULL, sent INTEGER NOT NULL DEFAULT 0, added_at INTEGER NOT NULL, PRIMARY KEY (group_id, event_id));
CREATE INDEX group_members_entity ON group_members (group_id, entity_key, event_seq);
CREATE INDEX group_members_event ON group_members (event_id);
CREATE TABLE reminders (
  receiver TEXT NOT NULL, entity_key TEXT NOT NULL, event_id TEXT NOT NULL, event_seq INTEGER NOT NULL, route_path TEXT NOT NULL,
  destination_key TEXT NOT NULL, due_at INTEGER NOT NULL, after_ms INTEGER NOT NULL, repeat INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT, lease_until INTEGER, PRIMARY KEY (receiver, entity_key));
CREATE INDEX reminders_due ON reminders (due_at);
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'event';
ALTER TABLE jobs ADD COLUMN alert_group INTEGER;
ALTER TABLE jobs ADD COLUMN reminder INTEGER;`,
  },
  {
    version: 21,
    name: 'retention of groups and reminders',
    // Housekeeping (prune-groups.ts) finds closed groups, the jobs of a group and old sent members by index, and
    // retention keeps the event a reminder will be about.
    sql: `
CREATE INDEX alert_groups_closed ON alert_groups (updated_at, id) WHERE state = 'closed';
CREATE INDEX group_members_sent ON group_members (added_at) WHERE sent = 1;
CREATE INDEX jobs_alert_group ON jobs (alert_group) WHERE alert_group IS NOT NULL;
CREATE INDEX reminders_event ON reminders (event_id);`,
  },
];

export const POSTGRES_TIMER_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: 'groups, held deliveries and reminders',
    // Written to run again harmlessly, as step 10 is.
    sql: `
CREATE TABLE IF NOT EXISTS alert_groups (
  id bigserial PRIMARY KEY,
  receiver text NOT NULL, group_key text NOT NULL, kind text NOT NULL, route_path text NOT NULL, labels jsonb NOT NULL,
  destination_key text NOT NULL, state text NOT NULL DEFAULT 'open', opened_at bigint NOT NULL, flush_at bigint NOT NULL,
  interval_ms bigint NOT NULL, digested boolean NOT NULL DEFAULT false, held_until bigint NOT NULL DEFAULT 0,
  lease_owner text, lease_until bigint, updated_at bigint NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS alert_groups_open ON alert_groups (receiver, group_key) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS alert_groups_due ON alert_groups (flush_at) WHERE state = 'open';
CREATE TABLE IF NOT EXISTS group_members (
  group_id bigint NOT NULL, event_id text NOT NULL, event_seq bigint NOT NULL, entity_key text NOT NULL,
  destination_key text NOT NULL, sent boolean NOT NULL DEFAULT false, added_at bigint NOT NULL, PRIMARY KEY (group_id, event_id));
CREATE INDEX IF NOT EXISTS group_members_entity ON group_members (group_id, entity_key, event_seq);
CREATE INDEX IF NOT EXISTS group_members_event ON group_members (event_id);
CREATE TABLE IF NOT EXISTS reminders (
  receiver text NOT NULL, entity_key text NOT NULL, event_id text NOT NULL, event_seq bigint NOT NULL, route_path text NOT NULL,
  destination_key text NOT NULL, due_at bigint NOT NULL, after_ms bigint NOT NULL, repeat integer NOT NULL, sent integer NOT NULL DEFAULT 0,
  lease_owner text, lease_until bigint, PRIMARY KEY (receiver, entity_key));
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (due_at);
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'event';
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS alert_group bigint;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS reminder integer;`,
  },
  {
    version: 21,
    name: 'retention of groups and reminders',
    sql: `
CREATE INDEX IF NOT EXISTS alert_groups_closed ON alert_groups (updated_at, id) WHERE state = 'closed';
CREATE INDEX IF NOT EXISTS group_members_sent ON group_members (added_at) WHERE sent;
CREATE INDEX IF NOT EXISTS jobs_alert_group ON jobs (alert_group) WHERE alert_group IS NOT NULL;
CREATE INDEX IF NOT EXISTS reminders_event ON reminders (event_id);`,
  },
];
