import type pg from 'pg';
import { bookkeepingQuery, inTransaction, type TransactionOptions } from './pg-transaction.js';
import type { GroupDigest, GroupKind, NewJob } from '../model/job.js';
import type { Labels } from '../model/event.js';
import { decideFlush } from '../grouping/window.js';
import { nextReminderAt } from '../grouping/reminders.js';
import { EVENT_COLUMNS, POSTGRES_COLUMNS, rowMappers, type EventRow } from './rows.js';
import type { DueGroup, DueReminder, FlushResult, HeldDelivery, TimerLease, Timers, TimerStats } from './timers.js';

const decode = rowMappers(POSTGRES_COLUMNS);

/** The timers' transactions: bookkeeping (see PostgresTimers). */
const BOOKKEEPING: TransactionOptions = { bookkeeping: true };

/** A job of a routing batch with timers, and the seq of its event. */
export interface TimedJob extends NewJob {
  eventId: string;
  seq: number;
  now: number;
}

/**
 * Inside the routing transaction: each job's group membership (instead of the job) and its reminder. Groups are
 * taken FOR SHARE, in key order: routers never block each other, and a flush (FOR UPDATE) waits for them, or they
 * for it and then find the group closed and open a new one.
 */
export async function routeTimedJobs(c: pg.PoolClient, jobs: TimedJob[]): Promise<void> {
  for (const j of jobs.filter((x) => x.timers?.remind !== undefined)) {
    await c.query('DELETE FROM reminders WHERE receiver = $1 AND entity_key = $2 AND event_seq < $3', [j.receiver, j.entityKey, j.seq]);
    const r = j.timers?.remind;
    if (!r) continue;
    await c.query(`INSERT INTO reminders (receiver, entity_key, event_id, event_seq, route_path, destination_key, due_at, after_ms, repeat)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (receiver, entity_key) DO NOTHING`,
    [j.receiver, j.entityKey, j.eventId, j.seq, r.routePath, j.destinationKey, r.dueAt, r.afterMs, r.repeat]);
  }
  const grouped = jobs.filter((x) => x.timers?.group).sort((a, b) => `${a.receiver}\n${a.timers?.group?.key}`.localeCompare(`${b.receiver}\n${b.timers?.group?.key}`));
  for (const j of grouped) {
    const g = j.timers!.group!;
    let id: number | undefined;
    // A flush may close the group between the insert and the lock: then open a new one.
    for (let tries = 0; id === undefined && tries < 3; tries++) {
      await c.query(`INSERT INTO alert_groups (receiver, group_key, kind, route_path, labels, destination_key, opened_at, flush_at, interval_ms, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7) ON CONFLICT (receiver, group_key) WHERE state = 'open' DO NOTHING`,
      [j.receiver, g.key, g.kind, g.routePath, JSON.stringify(g.labels), j.destinationKey, j.now, g.flushAt, g.intervalMs]);
      const { rows } = await c.query<{ id: number }>(`SELECT id FROM alert_groups WHERE receiver = $1 AND group_key = $2 AND state = 'open' FOR SHARE`, [j.receiver, g.key]);
      id = rows[0]?.id;
    }
    if (id === undefined) throw new Error(`could not open a group for receiver ${j.receiver}`);
    await c.query(`INSERT INTO group_members (group_id, event_id, event_seq, entity_key, destination_key, added_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT DO NOTHING`, [id, j.eventId, j.seq, j.entityKey, j.destinationKey, j.now]);
  }
}

interface GroupRow {
  id: number; receiver: string; kind: GroupKind; route_path: string; labels: Labels; destination_key: string;
  opened_at: number; flush_at: number; interval_ms: number; digested: boolean;
}

/**
 * Groups, held deliveries and reminders in PostgreSQL (see timers.ts): leases taken with SKIP LOCKED. Their writes
 * are bookkeeping, committed without waiting for the WAL flush (pg-transaction.ts): one lost to a server crash comes
 * back as it was, and the group is flushed or the reminder fired again.
 */
export class PostgresTimers implements Timers {
  constructor(private readonly pool: pg.Pool) {}

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>, o?: TransactionOptions): Promise<T> {
    return inTransaction(this.pool, fn, o);
  }

  async claimDueGroups(o: TimerLease): Promise<DueGroup[]> {
    const { rows } = await bookkeepingQuery<Pick<GroupRow, 'id' | 'receiver' | 'kind' | 'route_path' | 'flush_at'>>(this.pool,
      `UPDATE alert_groups SET lease_owner = $2, lease_until = $3 WHERE id IN (
         SELECT id FROM alert_groups WHERE state = 'open' AND flush_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY flush_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING id, receiver, kind, route_path, flush_at`,
      [o.now, o.owner, o.now + o.leaseMs, o.limit],
    );
    return rows.sort((a, b) => a.flush_at - b.flush_at || a.id - b.id)
      .map((g) => ({ id: g.id, receiver: g.receiver, kind: g.kind, routePath: g.route_path, flushAt: g.flush_at }));
  }

  async deferGroup(groupId: number, owner: string, until: number, now: number): Promise<boolean> {
    const r = await bookkeepingQuery(this.pool, `UPDATE alert_groups SET flush_at = $1, held_until = $1, lease_owner = NULL, lease_until = NULL, updated_at = $2
      WHERE id = $3 AND state = 'open' AND lease_owner = $4`, [until, now, groupId, owner]);
    return r.rowCount === 1;
  }

  async flushGroup(groupId: number, owner: string, now: number): Promise<FlushResult | null> {
    return this.tx(async (c) => {
      const { rows: [g] } = await c.query<GroupRow>(`SELECT * FROM alert_groups WHERE id = $1 AND state = 'open' AND lease_owner = $2 FOR UPDATE`, [groupId, owner]);
      if (!g) return null;
      const { rows: fresh } = await c.query<{ event_id: string; event_seq: number; entity_key: string; destination_key: string }>(
        'SELECT event_id, event_seq, entity_key, destination_key FROM group_members WHERE group_id = $1 AND NOT sent ORDER BY event_seq LIMIT 2', [groupId]);
      const decision = decideFlush({ fresh: fresh.length, digested: g.digested, held: g.kind === 'held', intervalMs: g.interval_ms }, now);
      const insertJob = `INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, next_attempt_at, created_at, updated_at, kind, alert_group)
        VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $6, $7, $8)`;
      if (decision.action === 'single') {
        const m = fresh[0];
        await c.query(insertJob, [m.event_id, m.event_seq, g.receiver, m.entity_key, m.destination_key, now, 'event', null]);
      } else if (decision.action === 'digest') {
        const { rows: [first] } = await c.query<{ event_id: string; event_seq: number }>('SELECT event_id, event_seq FROM group_members WHERE group_id = $1 ORDER BY event_seq LIMIT 1', [groupId]);
        await c.query(insertJob, [first.event_id, first.event_seq, g.receiver, `group:${groupId}`, g.destination_key, now, 'digest', groupId]);
      }
      await c.query('UPDATE group_members SET sent = true WHERE group_id = $1 AND NOT sent', [groupId]);
      const next = decision.action === 'close' ? null : decision.nextFlushAt;
      await c.query(`UPDATE alert_groups SET state = $1, flush_at = $2, digested = digested OR $3, lease_owner = NULL, lease_until = NULL, held_until = 0, updated_at = $4
        WHERE id = $5`, [next === null ? 'closed' : 'open', next ?? g.flush_at, decision.action === 'digest', now, groupId]);
      return decision.action;
    }, BOOKKEEPING);
  }

  async groupDigest(groupId: number, o: { attention: readonly string[]; limit: number }): Promise<GroupDigest | null> {
    const { rows: [g] } = await this.pool.query<GroupRow>('SELECT * FROM alert_groups WHERE id = $1', [groupId]);
    if (!g) return null;
    const latest = `FROM group_members m JOIN events e ON e.event_id = m.event_id WHERE m.group_id = $1 AND m.sent
      AND m.event_seq = (SELECT max(x.event_seq) FROM group_members x WHERE x.group_id = m.group_id AND x.entity_key = m.entity_key AND x.sent)`;
    const { rows: counts } = await this.pool.query<{ status: string; n: number }>(`SELECT e.status, count(*)::int AS n ${latest} GROUP BY e.status`, [groupId]);
    const { rows } = await this.pool.query<EventRow & { labels: Labels | null }>(`SELECT ${EVENT_COLUMNS}, e.labels ${latest}
      ORDER BY CASE WHEN e.status = ANY($2::text[]) THEN 0 ELSE 1 END, m.event_seq LIMIT $3`, [groupId, [...o.attention], o.limit]);
    return {
      groupId, kind: g.kind, labels: g.labels, openedAt: g.opened_at,
      total: counts.reduce((sum, c) => sum + c.n, 0),
      byStatus: Object.fromEntries(counts.map((c) => [c.status, c.n])),
      items: rows.map((r) => ({ event: decode.event(r), labels: r.labels ?? {} })),
    };
  }

  async claimDueReminders(o: TimerLease): Promise<DueReminder[]> {
    const { rows } = await bookkeepingQuery<{ receiver: string; entity_key: string; route_path: string; due_at: number }>(this.pool,
      `UPDATE reminders SET lease_owner = $2, lease_until = $3 WHERE (receiver, entity_key) IN (
         SELECT receiver, entity_key FROM reminders WHERE due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING receiver, entity_key, route_path, due_at`,
      [o.now, o.owner, o.now + o.leaseMs, o.limit],
    );
    return rows.sort((a, b) => a.due_at - b.due_at).map((r) => ({ receiver: r.receiver, entityKey: r.entity_key, routePath: r.route_path, dueAt: r.due_at }));
  }

  async deferReminder(receiver: string, entityKey: string, owner: string, until: number): Promise<boolean> {
    const r = await bookkeepingQuery(this.pool, 'UPDATE reminders SET due_at = $1, lease_owner = NULL, lease_until = NULL WHERE receiver = $2 AND entity_key = $3 AND lease_owner = $4',
      [until, receiver, entityKey, owner]);
    return r.rowCount === 1;
  }

  async fireReminder(receiver: string, entityKey: string, owner: string, now: number): Promise<boolean> {
    return this.tx(async (c) => {
      const { rows: [r] } = await c.query<{ event_id: string; event_seq: number; destination_key: string; after_ms: number; repeat: number; sent: number }>(
        'SELECT * FROM reminders WHERE receiver = $1 AND entity_key = $2 AND lease_owner = $3 FOR UPDATE', [receiver, entityKey, owner]);
      if (!r) return false;
      // A newer status of the check, through any route, cancels its reminder.
      const newer = await c.query(
        'SELECT 1 FROM events e JOIN events r ON r.seq = $1 WHERE e.type = r.type AND e.id = r.id AND e.seq > r.seq LIMIT 1', [r.event_seq]);
      if (newer.rowCount) {
        await c.query('DELETE FROM reminders WHERE receiver = $1 AND entity_key = $2', [receiver, entityKey]);
        return false;
      }
      const sent = r.sent + 1;
      await c.query(`INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, state, next_attempt_at, created_at, updated_at, kind, reminder)
        VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $6, 'reminder', $7)`, [r.event_id, r.event_seq, receiver, entityKey, r.destination_key, now, sent]);
      const next = nextReminderAt({ afterMs: r.after_ms, repeat: r.repeat }, sent, now);
      if (next === null) await c.query('DELETE FROM reminders WHERE receiver = $1 AND entity_key = $2', [receiver, entityKey]);
      else await c.query('UPDATE reminders SET sent = $1, due_at = $2, lease_owner = NULL, lease_until = NULL WHERE receiver = $3 AND entity_key = $4', [sent, next, receiver, entityKey]);
      return true;
    }, BOOKKEEPING);
  }

  async timerStats(now: number): Promise<TimerStats> {
    const { rows: [row] } = await this.pool.query<{ groups: number; held: number; reminders: number }>(`SELECT
        (SELECT count(*)::int FROM alert_groups WHERE state = 'open' AND kind = 'group') AS groups,
        (SELECT count(*)::int FROM group_members m JOIN alert_groups g ON g.id = m.group_id
          WHERE g.state = 'open' AND NOT m.sent AND (g.kind = 'held' OR g.held_until > $1)) AS held,
        (SELECT count(*)::int FROM reminders) AS reminders`, [now]);
    return { openGroups: row.groups, held: row.held, reminders: row.reminders };
  }

  async pruneGroups(before: number, limit: number): Promise<{ groups: number; members: number }> {
    // Replicas pruning at once take different rows (SKIP LOCKED); a closed group is never opened again.
    return this.tx(async (c) => {
      const gone = `g.state = 'closed' AND g.updated_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.alert_group = g.id)`;
      const closed = await c.query(`DELETE FROM group_members WHERE (group_id, event_id) IN (
        SELECT m.group_id, m.event_id FROM alert_groups g JOIN group_members m ON m.group_id = g.id WHERE ${gone} LIMIT $2 FOR UPDATE OF m SKIP LOCKED)`, [before, limit]);
      const sent = await c.query(`DELETE FROM group_members WHERE (group_id, event_id) IN (
        SELECT m.group_id, m.event_id FROM group_members m JOIN alert_groups g ON g.id = m.group_id
        WHERE m.sent AND m.added_at < $1 AND g.state = 'open' ORDER BY m.added_at LIMIT $2 FOR UPDATE OF m SKIP LOCKED)`, [before, limit]);
      const { rows } = await c.query<{ id: number; receiver: string }>(`DELETE FROM alert_groups WHERE id IN (
        SELECT g.id FROM alert_groups g WHERE ${gone} AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id)
        ORDER BY g.updated_at, g.id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id, receiver`, [before, limit]);
      if (rows.length > 0) {
        await c.query(`DELETE FROM message_refs r USING unnest($1::text[], $2::text[]) AS x(receiver, entity_key)
          WHERE r.receiver = x.receiver AND r.entity_key = x.entity_key`, [rows.map((g) => g.receiver), rows.map((g) => `group:${g.id}`)]);
      }
      return { groups: rows.length, members: (closed.rowCount ?? 0) + (sent.rowCount ?? 0) };
    }, BOOKKEEPING);
  }

  async listHeld(now: number, limit: number, receiver?: string): Promise<HeldDelivery[]> {
    const { rows } = await this.pool.query<{ receiver: string; event_id: string; entity_key: string; status: string; route_path: string; flush_at: number }>(
      `SELECT g.receiver, m.event_id, m.entity_key, e.status, g.route_path, g.flush_at
       FROM group_members m JOIN alert_groups g ON g.id = m.group_id JOIN events e ON e.event_id = m.event_id
       WHERE g.state = 'open' AND NOT m.sent AND (g.kind = 'held' OR g.held_until > $1) AND ($3::text IS NULL OR g.receiver = $3)
       ORDER BY g.flush_at, m.event_seq LIMIT $2`, [now, limit, receiver ?? null]);
    return rows.map((r) => ({ receiver: r.receiver, eventId: r.event_id, entityKey: r.entity_key, status: r.status, routePath: r.route_path, until: r.flush_at }));
  }
}
