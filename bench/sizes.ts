/** How big each benchmark runs: the full run for BENCHMARKS.md, --quick (under a minute), --tiny (the test). */
export interface Sizes {
  mode: 'full' | 'quick' | 'tiny';
  ingest: { connections: number; warmupSec: number; durationSec: number };
  endToEnd: { ratePerSecond: number; warmupSec: number; durationSec: number; drainSec: number };
  fanOut: { jobs: number; channels: number; timeoutSec: number };
  /**
   * The one-channel Slack drain (pacing lifted): `jobs` timed, after `warmup` more queued ahead of them in the same
   * channel, unmeasured (a cold process delivers a fraction of its warm rate while V8 compiles).
   */
  drain: { jobs: number; warmup: number };
  /** The burst: webhooks sent as fast as the load generator can. */
  burst: { webhooks: number; connections: number; drainSec: number };
  memory: { queuedJobs: number; sampleSec: number };
  /** Benchmark 6: a burst of `events` to one Slack channel, grouped with these windows; calls counted for `windowSec`. */
  grouping: { events: number; groupWaitSec: number; groupIntervalSec: number; windowSec: number };
  /**
   * Benchmark 8: a warm-up at the same rate, then `webhooks` at `ratePerSecond`, a bridge killed halfway;
   * delivery.leaseTime and delivery.timeout (short enough that the lease is leaseTime); how long after the kill to
   * wait before counting what is missing.
   */
  failover: { warmupSec: number; webhooks: number; ratePerSecond: number; leaseTimeSec: number; deliveryTimeoutSec: number; timeoutSec: number };
}

export const SIZES: Record<Sizes['mode'], Sizes> = {
  full: {
    mode: 'full',
    ingest: { connections: 32, warmupSec: 3, durationSec: 15 },
    endToEnd: { ratePerSecond: 1000, warmupSec: 5, durationSec: 20, drainSec: 10 },
    fanOut: { jobs: 100_000, channels: 1_000, timeoutSec: 300 },
    drain: { jobs: 3_000, warmup: 1_000 },
    burst: { webhooks: 50_000, connections: 32, drainSec: 300 },
    memory: { queuedJobs: 1_000_000, sampleSec: 30 },
    grouping: { events: 10_000, groupWaitSec: 2, groupIntervalSec: 5, windowSec: 15 },
    failover: { warmupSec: 5, webhooks: 5_000, ratePerSecond: 500, leaseTimeSec: 15, deliveryTimeoutSec: 5, timeoutSec: 120 },
  },
  quick: {
    mode: 'quick',
    ingest: { connections: 32, warmupSec: 1, durationSec: 3 },
    endToEnd: { ratePerSecond: 1000, warmupSec: 2, durationSec: 3, drainSec: 5 },
    fanOut: { jobs: 5_000, channels: 100, timeoutSec: 15 },
    drain: { jobs: 3_000, warmup: 1_000 },
    burst: { webhooks: 10_000, connections: 32, drainSec: 120 },
    memory: { queuedJobs: 50_000, sampleSec: 3 },
    grouping: { events: 2_000, groupWaitSec: 1, groupIntervalSec: 3, windowSec: 6 },
    failover: { warmupSec: 3, webhooks: 3_000, ratePerSecond: 500, leaseTimeSec: 15, deliveryTimeoutSec: 5, timeoutSec: 90 },
  },
  tiny: {
    mode: 'tiny',
    ingest: { connections: 32, warmupSec: 0, durationSec: 1 },
    // Drain and timeouts are generous: the test asserts that everything arrives, never how fast.
    endToEnd: { ratePerSecond: 1000, warmupSec: 0, durationSec: 0.5, drainSec: 60 },
    fanOut: { jobs: 300, channels: 10, timeoutSec: 60 },
    drain: { jobs: 200, warmup: 50 },
    burst: { webhooks: 500, connections: 8, drainSec: 60 },
    memory: { queuedJobs: 2_000, sampleSec: 0.5 },
    grouping: { events: 300, groupWaitSec: 1, groupIntervalSec: 2, windowSec: 4 },
    failover: { warmupSec: 1, webhooks: 500, ratePerSecond: 100, leaseTimeSec: 3, deliveryTimeoutSec: 1, timeoutSec: 60 },
  },
};
