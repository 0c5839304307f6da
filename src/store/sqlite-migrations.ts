import type Database from 'better-sqlite3';
import { pendingMigrations, type Migration } from './migrations.js';
import { SQLITE_TIMER_MIGRATIONS } from './timer-migrations.js';

/** Every schema step of the SQLite store, oldest first. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL, id TEXT NOT NULL, group_id TEXT NOT NULL, status TEXT NOT NULL,
  received_at INTEGER NOT NULL, unknown_type INTEGER NOT NULL, unknown_status INTEGER NOT NULL,
  raw TEXT NOT NULL, routed INTEGER NOT NULL DEFAULT 0, labels TEXT, details TEXT);
CREATE INDEX events_unrouted ON events (seq) WHERE routed = 0;
CREATE INDEX events_entity ON events (id, type);
CREATE TABLE dedup (key TEXT PRIMARY KEY, event_id TEXT NOT NULL, until INTEGER NOT NULL);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL, event_seq INTEGER NOT NULL, receiver TEXT NOT NULL, entity_key TEXT NOT NULL, destination_key TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT, lease_until INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  last_reason TEXT, history TEXT NOT NULL DEFAULT '[]');
CREATE INDEX jobs_pending ON jobs (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX jobs_entity ON jobs (receiver, entity_key, event_seq, id) WHERE state = 'pending';
CREATE INDEX jobs_event ON jobs (event_id);
CREATE INDEX jobs_state ON jobs (state, updated_at);
CREATE TABLE message_refs (receiver TEXT NOT NULL, entity_key TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (receiver, entity_key));
CREATE TABLE installations (
  team_id TEXT NOT NULL, channel_id TEXT NOT NULL, data TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL, PRIMARY KEY (team_id, channel_id));`,
  },
  {
    version: 2,
    name: 'destination index',
    // A claim's second look, destination by destination, when the earliest due jobs are all held.
    sql: `CREATE INDEX jobs_destination ON jobs (destination_key, next_attempt_at, id) WHERE state = 'pending';`,
  },
  {
    version: 3,
    name: 'queue stats indexes',
    // queueStats runs on every /metrics scrape, on the event loop: counts come from a covering index and the
    // oldest job per receiver from one index seek, so a million queued jobs cost milliseconds, not a second.
    sql: `CREATE INDEX jobs_age ON jobs (receiver, created_at) WHERE state = 'pending';
CREATE INDEX jobs_dead ON jobs (receiver) WHERE state = 'dead';`,
  },
  {
    // Numbered from 10: other steps being written at the same time take other ranges.
    version: 10,
    name: 'check states and actions',
    // Who is on each check, the audit trail of every change, and the jobs that follow an action (action_id).
    sql: `CREATE TABLE check_states (entity_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE check_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, entity_key TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX check_actions_entity ON check_actions (entity_key, id);
ALTER TABLE jobs ADD COLUMN action_id INTEGER;`,
  },
  // Groups, held deliveries and reminders (issue 15): versions 20 and up, kept in timer-migrations.ts.
  ...SQLITE_TIMER_MIGRATIONS,
  {
    // Numbered from 40, as PostgreSQL's step of the same issue.
    version: 41,
    name: 'delivered jobs index',
    // Only pruning reads jobs by (state, updated_at), and only delivered ones: a partial index of those is not
    // written when a job is claimed, given back or retried (each sets updated_at), only when it is delivered.
    sql: `CREATE INDEX jobs_done ON jobs (updated_at, id) WHERE state = 'done';
DROP INDEX jobs_state;`,
  },
];

/** Applies the steps the database lacks and records them, inside the caller's (immediate) transaction. */
export function applySqliteMigrations(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`);
  const record = db.prepare('INSERT OR IGNORE INTO schema_versions (version, name) VALUES (?, ?)');
  adoptCountedVersion(db, record);
  const applied = new Set(db.prepare('SELECT version FROM schema_versions').pluck().all() as number[]);
  for (const m of pendingMigrations(SQLITE_MIGRATIONS, applied)) {
    db.exec(m.sql);
    record.run(m.version, m.name);
  }
}

/**
 * Stores made before schema_versions kept one number, how many steps of this list were applied, in a
 * `schema_version` table: records those steps in schema_versions and drops the old table.
 */
function adoptCountedVersion(db: Database.Database, record: Database.Statement): void {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get()) return;
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  for (const m of SQLITE_MIGRATIONS.slice(0, row?.version ?? 0)) record.run(m.version, m.name);
  db.exec('DROP TABLE schema_version');
}
