import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { DeliveryJob } from '../../src/model/job.js';
import type { ClaimOptions, Store } from '../../src/store/store.js';

import { T0 } from '../helpers/clock.js';

export { fakeClock, T0 } from '../helpers/clock.js';

/** A pino logger that keeps its lines, parsed. */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; messages: () => string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines, messages: () => lines.map((l) => String(l.msg)) };
}

let seq = 0;

/** A claimed job for `check` (an entity id) on `destination`, receiver "a" unless told. */
export function job(over: { id?: number; check?: string; destination?: string; receiver?: string; attempt?: number; createdAt?: number; receivedAt?: number } = {}): DeliveryJob {
  const id = over.id ?? ++seq;
  const check = over.check ?? `check-${id}`;
  const receiver = over.receiver ?? 'a';
  return {
    id,
    eventId: `evt-${id}`,
    receiver,
    entityKey: `LiveCheck:${check}`,
    destinationKey: over.destination ?? `${receiver}:default`,
    createdAt: over.createdAt ?? T0,
    attempt: over.attempt ?? 1,
    labels: {},
    event: {
      eventId: `evt-${id}`, type: 'LiveCheck', id: check, groupId: 'grp', status: 'Completed',
      receivedAt: over.receivedAt ?? T0, unknownType: false, unknownStatus: false, raw: {},
    },
  };
}

/** A promise resolved from outside. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** Lets every callback queued so far (promise reactions and setImmediate) run: turns of the event loop, no timers. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

interface Row {
  job: DeliveryJob;
  state: 'pending' | 'done';
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number;
}

/**
 * The queue half of a Store, in memory, with the claim rule of src/store/claim-rule.ts: due, unleased (or the
 * lease passed), of a receiver asked for, outside the destinations skipped, and the oldest pending job of its
 * (receiver, check) with no other job of the pair leased. Every call is recorded.
 */
export class FakeQueue implements Pick<Store, 'claimJobs' | 'releaseJob'> {
  readonly rows: Row[] = [];
  readonly claims: ClaimOptions[] = [];
  readonly released: Array<{ jobId: number; owner: string; at: number }> = [];
  /** When set, the next claims answer these instead of applying the rule (what a store may return in a race). */
  readonly scripted: DeliveryJob[][] = [];

  add(...jobs: DeliveryJob[]): this {
    for (const j of jobs) this.rows.push({ job: j, state: 'pending', nextAttemptAt: 0, leaseOwner: null, leaseUntil: 0 });
    return this;
  }

  /** Marks a job delivered (what completeJobs does). */
  done(jobId: number): void {
    const row = this.rows.find((r) => r.job.id === jobId)!;
    row.state = 'done';
    row.leaseOwner = null;
  }

  async claimJobs(o: ClaimOptions): Promise<DeliveryJob[]> {
    this.claims.push(structuredClone(o));
    const scripted = this.scripted.shift();
    if (scripted) return scripted;
    const leased = (r: Row) => r.leaseOwner !== null && r.leaseUntil > o.now;
    const pair = (r: Row) => `${r.job.receiver}|${r.job.entityKey}`;
    const perDestination = new Map<string, number>();
    const picked = this.rows.filter((r) => {
      if (r.state !== 'pending' || r.nextAttemptAt > o.now || leased(r)) return false;
      if (o.receivers && !o.receivers.includes(r.job.receiver)) return false;
      if (o.skipDestinations?.includes(r.job.destinationKey)) return false;
      const sameCheck = this.rows.filter((x) => x.state === 'pending' && pair(x) === pair(r));
      if (sameCheck[0] !== r || sameCheck.some((x) => x !== r && leased(x))) return false;
      const n = perDestination.get(r.job.destinationKey) ?? 0;
      perDestination.set(r.job.destinationKey, n + 1);
      return n < (o.perDestination ?? o.limit);
    }).slice(0, o.limit);
    for (const r of picked) {
      r.leaseOwner = o.owner;
      r.leaseUntil = o.now + o.leaseMs;
    }
    return picked.map((r) => r.job);
  }

  async releaseJob(jobId: number, owner: string, at: number): Promise<boolean> {
    this.released.push({ jobId, owner, at });
    const row = this.rows.find((r) => r.job.id === jobId);
    if (!row || row.leaseOwner !== owner) return false;
    row.leaseOwner = null;
    row.nextAttemptAt = at;
    return true;
  }
}
