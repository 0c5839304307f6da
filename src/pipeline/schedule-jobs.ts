import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DeliveryConfig } from '../model/config.js';
import type { DeliveryJob } from '../model/job.js';
import type { Store } from '../store/store.js';

/**
 * How many deliveries one destination may have in flight: a quarter of
 * delivery.concurrency (at least one), so a slow or hanging endpoint can
 * never take every slot from the others.
 */
export function destinationLimit(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 4));
}

/** Time a lease keeps, beyond delivery.timeout, for recording an attempt's outcome in the store. */
const RECORD_MARGIN_MS = 1000;

/**
 * The lease a claim takes: delivery.leaseTime, but never shorter than a second
 * to get ready, one attempt (delivery.timeout) and a second to record it.
 */
export function leaseFor(policy: Pick<DeliveryConfig, 'leaseMs' | 'timeoutMs'>): number {
  return Math.max(policy.leaseMs, policy.timeoutMs + 2 * RECORD_MARGIN_MS);
}

/**
 * Whether a job claimed at `claimedAt` may still be sent: its lease must cover a
 * whole attempt and the recording of its outcome. Otherwise another replica may
 * claim it while it is in flight here and send it a second time, so it is given
 * back instead (a slow store or a stalled process, not the endpoint's fault).
 */
export function leaseCoversAttempt(claimedAt: number, now: number, policy: Pick<DeliveryConfig, 'leaseMs' | 'timeoutMs'>): boolean {
  return claimedAt + leaseFor(policy) - now >= policy.timeoutMs + RECORD_MARGIN_MS;
}

export interface SchedulerDeps {
  store: Pick<Store, 'claimJobs' | 'releaseJob'>;
  clock: Pick<Clock, 'now'>;
  logger: Logger;
  delivery: () => Pick<DeliveryConfig, 'concurrency' | 'leaseMs' | 'timeoutMs'>;
  /** The receivers the current config has: only their jobs are claimed. */
  receivers: () => Iterable<string>;
  /** The receivers whose jobs are claimed with their context (Receiver.usesHistory). */
  withContext?: () => Iterable<string>;
  /** This process's lease owner. */
  owner: string;
  /** Delivers one claimed job and records its outcome. */
  run: (job: DeliveryJob, claimedAt: number) => Promise<void>;
  /** A delivery ended: a slot is free, so claiming again may pay. */
  onFinished: () => void;
}

interface Kept {
  job: DeliveryJob;
  claimedAt: number;
}

/** Jobs claimed for a destination that had no free slot then, kept leased, in claim order, until one frees. */
class KeptJobs {
  private readonly byDestination = new Map<string, Kept[]>();
  private readonly ids = new Set<number>();

  has(jobId: number): boolean {
    return this.ids.has(jobId);
  }

  count(destination: string): number {
    return this.byDestination.get(destination)?.length ?? 0;
  }

  keep(job: DeliveryJob, claimedAt: number): void {
    const list = this.byDestination.get(job.destinationKey);
    if (list) list.push({ job, claimedAt });
    else this.byDestination.set(job.destinationKey, [{ job, claimedAt }]);
    this.ids.add(job.id);
  }

  /** The oldest job kept for `destination`, no longer kept. */
  next(destination: string): Kept | undefined {
    const list = this.byDestination.get(destination);
    const next = list?.shift();
    if (list && list.length === 0) this.byDestination.delete(destination);
    if (next) this.ids.delete(next.job.id);
    return next;
  }

  /** Every job kept for `destination`, no longer kept. */
  takeAll(destination: string): Kept[] {
    const list = this.byDestination.get(destination) ?? [];
    this.byDestination.delete(destination);
    for (const { job } of list) this.ids.delete(job.id);
    return list;
  }

  clear(): void {
    this.byDestination.clear();
    this.ids.clear();
  }
}

/** Destinations not to claim before a time: paced, or paused by a 429/503. */
class Holds {
  private readonly until = new Map<string, number>();

  /** Holds `destination` until `until`, or longer when it is held longer already. */
  set(destination: string, until: number): void {
    this.until.set(destination, Math.max(this.until.get(destination) ?? 0, until));
  }

  has(destination: string): boolean {
    return this.until.has(destination);
  }

  /** The destinations still held at `now`; holds that have ended are forgotten. */
  at(now: number): string[] {
    for (const [destination, until] of this.until) if (until <= now) this.until.delete(destination);
    return [...this.until.keys()];
  }

  /** When the first hold ends (Infinity when there is none). */
  firstEnd(): number {
    return Math.min(...this.until.values());
  }
}

/** Deliveries in flight per destination. */
class Busy {
  private readonly count = new Map<string, number>();

  of(destination: string): number {
    return this.count.get(destination) ?? 0;
  }

  add(destination: string): void {
    this.count.set(destination, this.of(destination) + 1);
  }

  remove(destination: string): void {
    const n = this.of(destination) - 1;
    if (n > 0) this.count.set(destination, n);
    else this.count.delete(destination);
  }

  /** The destinations with `limit` or more in flight. */
  full(limit: number): string[] {
    return [...this.count].filter(([, n]) => n >= limit).map(([destination]) => destination);
  }
}

/**
 * Decides what runs: claims due jobs into free slots (delivery.concurrency in
 * all, destinationLimit() per channel), keeps a channel's surplus claimed until
 * one of its deliveries ends, skips channels held (paced, or paused by a 429)
 * and gives back, uncounted, what it cannot run.
 */
export function createJobScheduler(deps: SchedulerDeps) {
  const inflight = new Map<number, Promise<void>>();
  const busy = new Busy();
  const holds = new Holds();
  const kept = new KeptJobs();
  let stopped = false;

  /** Gives a leased job back to the queue, due at `at`, without counting an attempt. */
  function giveBack(jobId: number, at: number) {
    void deps.store.releaseJob(jobId, deps.owner, at).catch((err) => deps.logger.warn({ err, jobId }, 'giving a job back failed'));
  }

  /** Claims what fits; returns true when every free slot was filled (more may be due). */
  async function claim(): Promise<boolean> {
    const policy = deps.delivery();
    const free = policy.concurrency - inflight.size;
    if (free <= 0) return false;
    const now = deps.clock.now();
    const perDestination = destinationLimit(policy.concurrency);
    // Every job a free slot can start, at most a channel's share of each channel (one claim fills many channels);
    // channels already running and keeping their share are not asked for.
    const jobs = await deps.store.claimJobs({
      now, limit: free, owner: deps.owner, leaseMs: leaseFor(policy),
      receivers: [...deps.receivers()],
      skipDestinations: [...holds.at(now), ...busy.full(perDestination).filter((d) => kept.count(d) >= perDestination)],
      perDestination,
      withContext: [...(deps.withContext?.() ?? [])],
    });
    const excess: DeliveryJob[] = [];
    for (const job of jobs) {
      // Our own lease, renewed by the claim: the job is already running (or waiting) here.
      if (inflight.has(job.id) || kept.has(job.id)) continue;
      if (busy.of(job.destinationKey) < perDestination) {
        start(job, now);
      } else if (kept.count(job.destinationKey) < perDestination) {
        // Kept, leased, for the moment one of its channel's deliveries ends: no claim, no store round trip then.
        kept.keep(job, now);
      } else excess.push(job);
    }
    // More than a channel may run or keep waiting: back to the queue, due now, uncounted.
    await Promise.all(excess.map((job) => deps.store.releaseJob(job.id, deps.owner, now)));
    // The store fills a claim from every channel it can: fewer than asked means no more is claimable now.
    return jobs.length > 0 && jobs.length >= free;
  }

  /** Starts the next job kept for `destination`, if its lease still covers a whole attempt; else gives it back. Returns whether one started. */
  function startWaiting(destination: string): boolean {
    const next = kept.next(destination);
    if (!next) return false;
    const now = deps.clock.now();
    if (stopped || holds.has(destination) || !leaseCoversAttempt(next.claimedAt, now, deps.delivery())) {
      giveBack(next.job.id, now);
      return startWaiting(destination);
    }
    start(next.job, next.claimedAt);
    return true;
  }

  function start(job: DeliveryJob, claimedAt: number) {
    busy.add(job.destinationKey);
    const p = deps.run(job, claimedAt)
      .catch((err) => deps.logger.error({ err, eventId: job.eventId, receiver: job.receiver, attempt: job.attempt, jobId: job.id }, 'delivery step failed'))
      .finally(() => {
        inflight.delete(job.id);
        busy.remove(job.destinationKey);
        // A kept job took the slot: nothing freed, so no claim (one claim serves a channel's share of deliveries).
        if (!startWaiting(job.destinationKey)) deps.onFinished();
      });
    inflight.set(job.id, p);
  }

  return {
    claim,
    /** Claims nothing for `destination` before `until`, and gives back, due then, the jobs kept for it. */
    hold(destination: string, until: number) {
      holds.set(destination, until);
      for (const { job } of kept.takeAll(destination)) giveBack(job.id, until);
    },
    /** How long to wait before claiming again unwoken: the poll interval, or less when a held channel frees sooner. */
    waitMs(pollIntervalMs: number): number {
      const nextHeld = holds.firstEnd() - deps.clock.now();
      return Math.max(1, Math.min(pollIntervalMs, Number.isFinite(nextHeld) ? nextHeld : pollIntervalMs));
    },
    /** Deliveries in flight now. */
    get inflight(): number {
      return inflight.size;
    },
    /** Settles when every delivery in flight now has ended. */
    settled(): Promise<unknown> {
      return Promise.allSettled([...inflight.values()]);
    },
    /** Starts nothing more that was kept waiting; those jobs stay leased until the owner's leases are given back. */
    stop() {
      stopped = true;
      kept.clear();
    },
  };
}

