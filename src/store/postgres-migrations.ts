import type pg from 'pg';
import { pendingMigrations, type Migration } from './migrations.js';
import { POSTGRES_TIMER_MIGRATIONS } from './timer-migrations.js';

/** Applies the steps the database lacks and records them, inside the caller's transaction (which holds the lock). */
export async function applyPostgresMigrations(c: pg.PoolClient): Promise<void> {
  await c.query(`CREATE TABLE IF NOT EXISTS schema_versions (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_versions');
  for (const m of pendingMigrations(POSTGRES_MIGRATIONS, new Set(rows.map((r) => r.version)))) {
    await c.query(m.sql);
    await c.query('INSERT INTO schema_versions (version, name) VALUES ($1, $2)', [m.version, m.name]);
  }
}

/** Every schema step of the PostgreSQL store, oldest first. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE events (
  event_id       text PRIMARY KEY,
  seq            bigserial NOT NULL UNIQUE,
  type           text NOT NULL,
  id             text NOT NULL,
  group_id       text NOT NULL,
  status         text NOT NULL,
  received_at    bigint NOT NULL,
  unknown_type   boolean NOT NULL,
  unknown_status boolean NOT NULL,
  raw            jsonb NOT NULL,
  routed         boolean NOT NULL DEFAULT false,
  labels         jsonb,
  details        jsonb
);
CREATE INDEX events_unrouted ON events (seq) WHERE NOT routed;
CREATE INDEX events_unrouted_entity ON events (type, id, seq) WHERE NOT routed;
CREATE INDEX events_entity ON events (type, id, seq);
CREATE INDEX events_id ON events (id, seq);

CREATE TABLE dedup (
  key         text PRIMARY KEY,
  event_id    text NOT NULL,
  until       bigint NOT NULL,
  received_at bigint NOT NULL
);
CREATE INDEX dedup_until ON dedup (until);

CREATE TABLE jobs (
  id              bigserial PRIMARY KEY,
  event_id        text NOT NULL REFERENCES events (event_id),
  event_seq       bigint NOT NULL,
  receiver        text NOT NULL,
  entity_key      text NOT NULL,
  destination_key text NOT NULL,
  state           text NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  lease_owner     text,
  lease_until     bigint,
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL,
  last_reason     text,
  history         jsonb NOT NULL DEFAULT '[]'::jsonb
);
-- claimJobs finds the oldest pending job of an entity and its live leases through these two only; keep
-- other indexes on jobs from starting with receiver, or the planner may pick them and scan a whole receiver.
CREATE INDEX jobs_pending_entity ON jobs (receiver, entity_key, event_seq, id) WHERE state = 'pending';
CREATE INDEX jobs_leased_entity ON jobs (receiver, entity_key) WHERE lease_owner IS NOT NULL;
CREATE INDEX jobs_pending ON jobs (id) WHERE state = 'pending';
CREATE INDEX jobs_lease_owner ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX jobs_event ON jobs (event_id);
CREATE INDEX jobs_state ON jobs (state, id);

CREATE TABLE pacing (
  destination_key text PRIMARY KEY,
  tat             double precision NOT NULL DEFAULT 0,
  paused_until    bigint NOT NULL DEFAULT 0
);

CREATE TABLE message_refs (
  receiver   text NOT NULL,
  entity_key text NOT NULL,
  channel    text NOT NULL,
  message_id text NOT NULL,
  extra      jsonb,
  PRIMARY KEY (receiver, entity_key)
);

CREATE TABLE teams_installations (
  team_id      text NOT NULL,
  channel_id   text NOT NULL,
  team_name    text NOT NULL,
  channel_name text NOT NULL,
  service_url  text NOT NULL,
  tenant_id    text NOT NULL,
  reference    jsonb NOT NULL,
  removed      boolean NOT NULL DEFAULT false,
  updated_at   bigint NOT NULL,
  PRIMARY KEY (team_id, channel_id)
);
`,
  },
  {
    version: 2,
    name: 'routing lease',
    // Replicas take unrouted events for a while before routing them (Store.unroutedEvents with a lease).
    sql: `ALTER TABLE events ADD COLUMN routing_until bigint NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'due jobs indexes',
    // A claim looks for due jobs, earliest first: without this it read every pending job, due or not (200 ms a
    // claim with 200,000 jobs of a receiver that was down waiting for their retry).
    // Channel by channel when those are all held: the claim's second look.
    sql: `CREATE INDEX jobs_due ON jobs (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX jobs_destination ON jobs (destination_key, next_attempt_at, id) WHERE state = 'pending';`,
  },
  {
    version: 4,
    name: 'retention index',
    // Retention deletes the jobs delivered longest ago first (updated_at, then id), a batch at a time.
    sql: `CREATE INDEX jobs_done ON jobs (updated_at, id) WHERE state = 'done';`,
  },
  {
    // Numbered from 10: other steps being written at the same time take other ranges.
    version: 10,
    name: 'check states and actions',
    // Who is on each check (a row locked while an action applies), the audit trail of every change, and the jobs
    // that follow an action (action_id). Written to run again harmlessly.
    sql: `CREATE TABLE IF NOT EXISTS check_states (
  entity_key text PRIMARY KEY,
  state      jsonb NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS check_actions (
  id         bigserial PRIMARY KEY,
  entity_key text NOT NULL,
  kind       text NOT NULL,
  at         bigint NOT NULL,
  data       jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS check_actions_entity ON check_actions (entity_key, id);
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS action_id bigint;`,
  },
  // Groups, held deliveries and reminders (issue 15): versions 20 and up, kept in timer-migrations.ts.
  ...POSTGRES_TIMER_MIGRATIONS,
  {
    // Numbered from 40: other steps being written at the same time take other ranges.
    version: 40,
    name: 'ready jobs indexes',
    // A claim reads ready jobs only (pending and unleased), so the jobs in flight never fill its window; leases
    // that ran out are found through jobs_lease_owner. Replaces the two indexes of step 3, which held both.
    sql: `CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (next_attempt_at, id) WHERE state = 'pending' AND lease_owner IS NULL;
CREATE INDEX IF NOT EXISTS jobs_ready_destination ON jobs (destination_key, next_attempt_at, id) WHERE state = 'pending' AND lease_owner IS NULL;
DROP INDEX IF EXISTS jobs_due;
DROP INDEX IF EXISTS jobs_destination;`,
  },
  {
    version: 41,
    name: 'one index fewer per job change',
    // Every claim and completion writes a new version of the job's row, with an entry in each index whose condition
    // it meets (a lease is never a HOT update: lease_owner is indexed). jobs_pending (id) served no query the
    // primary key and jobs_pending_entity do not.
    sql: 'DROP INDEX IF EXISTS jobs_pending;',
  },
];
