import type { Runner } from './bridge-process.js';
import type { Sizes } from './sizes.js';

/** What every benchmark gets: sizes, a temp folder, how to run the bridge, and a place for shared facts. */
export interface BenchContext {
  sizes: Sizes;
  /** A temp folder for configs and stores, removed after the run. */
  dir: string;
  runner: Runner;
  /** When set, bridge processes write CPU profiles here. */
  profileDir?: string;
  postgresUrl: string;
  log: (message: string) => void;
  /** Measured phase per profile name, as process.hrtime microseconds: profiles are summarised over it. */
  windows: Record<string, [number, number]>;
  /** Measurements later benchmarks compare against (the bare server's numbers, the idle bridge's RSS). */
  facts: Record<string, number | string | undefined>;
}

/** A short random id of [a-z0-9] (markers, schema names). */
export function runId(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** process.hrtime in microseconds: the clock V8 CPU profiles use. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
