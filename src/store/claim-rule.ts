/**
 * Which delivery jobs a claim may take, and how a lease is given back: one rule for both stores, spelled in
 * each one's SQL through a ClaimDialect.
 */

/** How many of the earliest due jobs a claim reads before it looks destination by destination instead. */
export const CLAIM_WINDOW = 128;

/** How a store's SQL spells the claim's parameters, and the few constructs the two dialects write differently. */
export interface ClaimDialect {
  /** The claim's time. */
  now: string;
  /** True when j's receiver is one of those asked for, or none were named. */
  receiverAsked: string;
  /** True when j's destination is not one of those to skip. */
  destinationOpen: string;
  /** Index hint for the per-entity lookups ('' where the planner needs none). */
  entityIndex: string;
  /** True when event u is not routed yet. */
  unrouted: string;
}

/**
 * Whether job j (joined with its event e) may be claimed now: pending and due; not leased, or its lease has
 * passed; of a receiver asked for and outside the destinations skipped; the oldest pending job of its
 * (receiver, entity) by event arrival (event_seq), with no other job of the pair leased (a retried dead letter
 * waits for the one in flight); and no earlier event of the entity still unrouted (routing runs concurrently,
 * so a job also waits while an earlier event of its entity is being routed).
 */
export function claimable(d: ClaimDialect): string {
  return `j.state = 'pending' AND j.next_attempt_at <= ${d.now}
    AND (j.lease_until IS NULL OR j.lease_until <= ${d.now})
    AND ${d.receiverAsked}
    AND ${d.destinationOpen}
    AND j.id = (SELECT p.id FROM jobs p ${d.entityIndex} WHERE p.receiver = j.receiver AND p.entity_key = j.entity_key AND p.state = 'pending'
                ORDER BY p.event_seq, p.id LIMIT 1)
    AND NOT EXISTS (SELECT 1 FROM jobs l ${d.entityIndex} WHERE l.receiver = j.receiver AND l.entity_key = j.entity_key AND l.state = 'pending'
                    AND l.lease_owner IS NOT NULL AND l.lease_until > ${d.now} AND l.id <> j.id)
    AND NOT EXISTS (SELECT 1 FROM events u WHERE u.type = e.type AND u.id = e.id AND u.seq < e.seq AND ${d.unrouted})`;
}

/**
 * The SET clause that gives a lease back without counting its attempt (the claim counted one). Attempts never go
 * below zero, whatever the row held.
 */
export const GIVE_BACK_LEASE = 'lease_owner = NULL, lease_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END';
