import type Database from 'better-sqlite3';
import type { GroupDigest, GroupKind, NewJob } from '../model/job.js';
import type { Labels } from '../model/event.js';
import { decideFlush } from '../grouping/window.js';
import { nextReminderAt } from '../grouping/reminders.js';
import { EVENT_COLUMNS, rowMappers, SQLITE_COLUMNS, type EventRow } from './rows.js';
import type { DueGroup, DueReminder, FlushResult, HeldDelivery, TimerLease, Timers, TimerStats } from './timers.js';

const decode = rowMappers(SQLITE_COLUMNS);

interface GroupRow {
  id: number; receiver: string; kind: GroupKind; route_path: string; labels: string; destination_key: string;
  opened_at: number; flush_at: number; interval_ms: number; digested: number;
}

/** Groups, held deliveries and reminders in SQLite (see timers.ts); one process owns the store, writes take turns. */
export class SqliteTimers implements Timers {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Inside the routing transaction: a job's group membership instead of the job, and its reminder. */
  routeTimed(eventId: string, job: NewJob, now: number): void {
    const t = job.timers;
    if (!t) return;
    const seq = (this.stmt('SELECT seq FROM events WHERE event_id = ?').get(eventId) as { seq: number }).seq;
    if (t.remind !== undefined) {
      this.stmt('DELETE FROM reminders WHERE receiver = ? AND entity_key = ? AND event_seq < ?').run(job.receiver, job.entityKey, seq);
      if (t.remind) {
        const r = t.remind;
        this.stmt(`INSERT INTO reminders (receiver, entity_key, event_id, event_seq, route_path, destination_key, due_at, after_ms, repeat)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (receiver, entity_key) DO NOTHING`)
          .run(job.receiver, job.entityKey, eventId, seq, r.routePath, job.destinationKey, r.dueAt, r.afterMs, r.repeat);
      }
    }
    const g = t.group;
    if (!g) return;
    this.stmt(`INSERT INTO alert_groups (receiver, group_key, kind, route_path, labels, destination_key, opened_at, flush_at, interval_ms, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(job.receiver, g.key, g.kind, g.routePath, JSON.stringify(g.labels), job.destinationKey, now, g.flushAt, g.intervalMs, now);
    const { id } = this.stmt(`SELECT id FROM alert_groups WHERE receiver = ? AND group_key = ? AND state = 'open'`).get(job.receiver, g.key) as { id: number };
    this.stmt(`INSERT INTO group_members (group_id, event_id, event_seq, entity_key, destination_key, added_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`).run(id, eventId, seq, job.entityKey, job.destinationKey, now);
  }

  async claimDueGroups(o: TimerLease): Promise<DueGroup[]> {
    return this.write(() => {
      const due = this.stmt(`SELECT id, receiver, kind, route_path, flush_at FROM alert_groups INDEXED BY alert_groups_due
        WHERE state = 'open' AND flush_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY flush_at, id LIMIT CAST(? AS INTEGER)`)
        .all(o.now, o.now, o.limit) as Array<Pick<GroupRow, 'id' | 'receiver' | 'kind' | 'route_path' | 'flush_at'>>;
      const lease = this.stmt('UPDATE alert_groups SET lease_owner = ?, lease_until = ? WHERE id = ?');
      for (const g of due) lease.run(o.owner, o.now + o.leaseMs, g.id);
      return due.map((g) => ({ id: g.id, receiver: g.receiver, kind: g.kind, routePath: g.route_path, flushAt: g.flush_at }));
    });
  }

  async deferGroup(groupId: number, owner: string, until: number, now: number): Promise<boolean> {
    return this.stmt(`UPDATE alert_groups SET flush_at = ?, held_until = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
      WHERE id = ? AND state = 'open' AND lease_owner = ?`).run(until, until, now, groupId, owner).changes === 1;
  }

  async flushGroup(groupId: number, owner: string, now: number): Promise<FlushResult | null> {
    return this.write(() => {
      const g = this.stmt(`SELECT * FROM alert_groups WHERE id = ? AND state = 'open' AND lease_owner = ?`).get(groupId, owner) as GroupRow | undefined;
      if (!g) return null;
      const fresh = this.stmt('SELECT event_id, event_seq, entity_key, destination_key FROM group_members WHERE group_id = ? AND sent = 0 ORDER BY event_seq LIMIT 2')
        .all(groupId) as Array<{ event_id: string; event_seq: number; entity_key: string; destination_key: string }>;
      const decision = decideFlush({ fresh: fresh.length, digested: g.digested === 1, held: g.kind === 'held', intervalMs: g.interval_ms }, now);
      const insertJob = this.stmt(`INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, next_attempt_at, created_at, updated_at, kind, alert_group)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      if (decision.action === 'single') {
        const m = fresh[0];
        insertJob.run(m.event_id, m.event_seq, g.receiver, m.entity_key, m.destination_key, now, now, now, 'event', null);
      } else if (decision.action === 'digest') {
        const first = this.stmt('SELECT event_id, event_seq FROM group_members WHERE group_id = ? ORDER BY event_seq LIMIT 1').get(groupId) as { event_id: string; event_seq: number };
        insertJob.run(first.event_id, first.event_seq, g.receiver, `group:${groupId}`, g.destination_key, now, now, now, 'digest', groupId);
      }
      this.stmt('UPDATE group_members SET sent = 1 WHERE group_id = ? AND sent = 0').run(groupId);
      const next = decision.action === 'close' ? null : decision.nextFlushAt;
      this.stmt(`UPDATE alert_groups SET state = ?, flush_at = ?, digested = digested OR ?, lease_owner = NULL, lease_until = NULL, held_until = 0, updated_at = ?
        WHERE id = ?`).run(next === null ? 'closed' : 'open', next ?? g.flush_at, decision.action === 'digest' ? 1 : 0, now, groupId);
      return decision.action;
    });
  }

  async groupDigest(groupId: number, o: { attention: readonly string[]; limit: number }): Promise<GroupDigest | null> {
    const g = this.stmt('SELECT * FROM alert_groups WHERE id = ?').get(groupId) as GroupRow | undefined;
    if (!g) return null;
    // Each check once, at its latest event among those sent.
    const latest = `FROM group_members m JOIN events e ON e.event_id = m.event_id WHERE m.group_id = @id AND m.sent = 1
      AND m.event_seq = (SELECT max(x.event_seq) FROM group_members x WHERE x.group_id = m.group_id AND x.entity_key = m.entity_key AND x.sent = 1)`;
    const counts = this.stmt(`SELECT e.status, count(*) AS n ${latest} GROUP BY e.status`).all({ id: groupId }) as Array<{ status: string; n: number }>;
    const rows = this.stmt(`SELECT ${EVENT_COLUMNS}, e.labels ${latest}
      ORDER BY CASE WHEN e.status IN (SELECT value FROM json_each(@attention)) THEN 0 ELSE 1 END, m.event_seq LIMIT CAST(@limit AS INTEGER)`)
      .all({ id: groupId, attention: JSON.stringify(o.attention), limit: o.limit }) as Array<EventRow & { labels: string | null }>;
    return {
      groupId, kind: g.kind, labels: JSON.parse(g.labels) as Labels, openedAt: g.opened_at,
      total: counts.reduce((sum, c) => sum + c.n, 0),
      byStatus: Object.fromEntries(counts.map((c) => [c.status, c.n])),
      items: rows.map((r) => ({ event: decode.event(r), labels: (r.labels ? JSON.parse(r.labels) : {}) as Labels })),
    };
  }

  async claimDueReminders(o: TimerLease): Promise<DueReminder[]> {
    return this.write(() => {
      const due = this.stmt(`SELECT receiver, entity_key, route_path, due_at FROM reminders WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY due_at LIMIT CAST(? AS INTEGER)`).all(o.now, o.now, o.limit) as Array<{ receiver: string; entity_key: string; route_path: string; due_at: number }>;
      const lease = this.stmt('UPDATE reminders SET lease_owner = ?, lease_until = ? WHERE receiver = ? AND entity_key = ?');
      for (const r of due) lease.run(o.owner, o.now + o.leaseMs, r.receiver, r.entity_key);
      return due.map((r) => ({ receiver: r.receiver, entityKey: r.entity_key, routePath: r.route_path, dueAt: r.due_at }));
    });
  }

  async deferReminder(receiver: string, entityKey: string, owner: string, until: number): Promise<boolean> {
    return this.stmt('UPDATE reminders SET due_at = ?, lease_owner = NULL, lease_until = NULL WHERE receiver = ? AND entity_key = ? AND lease_owner = ?')
      .run(until, receiver, entityKey, owner).changes === 1;
  }

  async fireReminder(receiver: string, entityKey: string, owner: string, now: number): Promise<boolean> {
    return this.write(() => {
      const r = this.stmt('SELECT * FROM reminders WHERE receiver = ? AND entity_key = ? AND lease_owner = ?').get(receiver, entityKey, owner) as
        { event_id: string; event_seq: number; destination_key: string; after_ms: number; repeat: number; sent: number } | undefined;
      if (!r) return false;
      // A newer status of the check, through any route, cancels its reminder.
      const newer = this.stmt(`SELECT 1 FROM events e JOIN events r ON r.seq = ? WHERE e.id = r.id AND e.type = r.type AND e.seq > r.seq LIMIT 1`).get(r.event_seq);
      if (newer) {
        this.stmt('DELETE FROM reminders WHERE receiver = ? AND entity_key = ?').run(receiver, entityKey);
        return false;
      }
      const sent = r.sent + 1;
      this.stmt(`INSERT INTO jobs (event_id, event_seq, receiver, entity_key, destination_key, next_attempt_at, created_at, updated_at, kind, reminder)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'reminder', ?)`).run(r.event_id, r.event_seq, receiver, entityKey, r.destination_key, now, now, now, sent);
      const next = nextReminderAt({ afterMs: r.after_ms, repeat: r.repeat }, sent, now);
      if (next === null) this.stmt('DELETE FROM reminders WHERE receiver = ? AND entity_key = ?').run(receiver, entityKey);
      else this.stmt('UPDATE reminders SET sent = ?, due_at = ?, lease_owner = NULL, lease_until = NULL WHERE receiver = ? AND entity_key = ?').run(sent, next, receiver, entityKey);
      return true;
    });
  }

  async timerStats(now: number): Promise<TimerStats> {
    const row = this.stmt(`SELECT
        (SELECT count(*) FROM alert_groups WHERE state = 'open' AND kind = 'group') AS groups,
        (SELECT count(*) FROM group_members m JOIN alert_groups g ON g.id = m.group_id
          WHERE g.state = 'open' AND m.sent = 0 AND (g.kind = 'held' OR g.held_until > ?)) AS held,
        (SELECT count(*) FROM reminders) AS reminders`).get(now) as { groups: number; held: number; reminders: number };
    return { openGroups: row.groups, held: row.held, reminders: row.reminders };
  }

  async pruneGroups(before: number, limit: number): Promise<{ groups: number; members: number }> {
    return this.write(() => {
      const gone = `g.state = 'closed' AND g.updated_at < @before AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.alert_group = g.id)`;
      const closedMembers = this.stmt(`DELETE FROM group_members WHERE rowid IN (
        SELECT m.rowid FROM alert_groups g JOIN group_members m ON m.group_id = g.id WHERE ${gone} LIMIT CAST(@limit AS INTEGER))`).run({ before, limit }).changes;
      const sentMembers = this.stmt(`DELETE FROM group_members WHERE rowid IN (
        SELECT m.rowid FROM group_members m JOIN alert_groups g ON g.id = m.group_id
        WHERE m.sent = 1 AND m.added_at < @before AND g.state = 'open' ORDER BY m.added_at LIMIT CAST(@limit AS INTEGER))`).run({ before, limit }).changes;
      const groups = this.stmt(`SELECT g.id, g.receiver FROM alert_groups g WHERE ${gone} AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id)
        ORDER BY g.updated_at, g.id LIMIT CAST(@limit AS INTEGER)`).all({ before, limit }) as Array<{ id: number; receiver: string }>;
      const ref = this.stmt('DELETE FROM message_refs WHERE receiver = ? AND entity_key = ?');
      const group = this.stmt('DELETE FROM alert_groups WHERE id = ?');
      for (const g of groups) {
        ref.run(g.receiver, `group:${g.id}`);
        group.run(g.id);
      }
      return { groups: groups.length, members: closedMembers + sentMembers };
    });
  }

  async listHeld(now: number, limit: number, receiver?: string): Promise<HeldDelivery[]> {
    const rows = this.stmt(`SELECT g.receiver, m.event_id, m.entity_key, e.status, g.route_path, g.flush_at
      FROM group_members m JOIN alert_groups g ON g.id = m.group_id JOIN events e ON e.event_id = m.event_id
      WHERE g.state = 'open' AND m.sent = 0 AND (g.kind = 'held' OR g.held_until > @now) AND (@receiver IS NULL OR g.receiver = @receiver)
      ORDER BY g.flush_at, m.event_seq LIMIT CAST(@limit AS INTEGER)`)
      .all({ now, limit, receiver: receiver ?? null }) as Array<{ receiver: string; event_id: string; entity_key: string; status: string; route_path: string; flush_at: number }>;
    return rows.map((r) => ({ receiver: r.receiver, eventId: r.event_id, entityKey: r.entity_key, status: r.status, routePath: r.route_path, until: r.flush_at }));
  }
}
