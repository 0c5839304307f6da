import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

/**
 * Fills an already migrated SQLite store with `count` routed events and one
 * pending job each for `receiver`, by a direct bulk insert through
 * better-sqlite3 (synchronous=OFF, big transactions). This bypasses the Store
 * API on purpose: a million jobs through ingest would take minutes; what is
 * measured is the bridge's memory with such a queue, not how it got there.
 * It writes the columns of the SQLite schema in src/store/sqlite-migrations.ts; a schema
 * change that adds a required column makes this fail loudly.
 */
export function fillQueue(path: string, o: { count: number; receiver: string; destinationKey: string; prefix: string }): { ms: number } {
  const started = Date.now();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertEvent = db.prepare(`INSERT INTO events (event_id, type, id, group_id, status, received_at, unknown_type, unknown_status, raw, routed, labels)
    VALUES (?, 'LiveCheck', ?, 'bench-group', 'Completed', ?, 0, 0, ?, 1, ?)`);
  // jobs.event_seq (the event's arrival order) exists from a later schema on; fill it when it is there.
  const withSeq = (db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>).some((c) => c.name === 'event_seq');
  const insertJob = db.prepare(`INSERT INTO jobs (event_id, receiver, entity_key, destination_key, next_attempt_at, created_at, updated_at${withSeq ? ', event_seq' : ''})
    VALUES (?, ?, ?, ?, ?, ?, ?${withSeq ? ', ?' : ''})`);
  const now = Date.now();
  const insertMany = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `queued-${o.prefix}-${i}`;
      const eventId = now.toString(16).padStart(12, '0') + randomBytes(8).toString('hex');
      const raw = { type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed' };
      const labels = { type: 'LiveCheck', status: 'Completed', groupId: 'bench-group', group: 'bench-group', id };
      const seq = insertEvent.run(eventId, id, now, JSON.stringify(raw), JSON.stringify(labels)).lastInsertRowid;
      const job = [eventId, o.receiver, `LiveCheck:${id}`, o.destinationKey, now, now, now];
      insertJob.run(...(withSeq ? [...job, seq] : job));
    }
  });
  const step = 50_000;
  for (let from = 0; from < o.count; from += step) insertMany(from, Math.min(o.count, from + step));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { ms: Date.now() - started };
}

/** Pending jobs in an SQLite store (read after the bridge stopped). */
export function pendingJobs(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'pending'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
