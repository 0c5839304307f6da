import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';

/** How long a housekeeping pass still running may finish before the store closes under it. */
export const HOUSEKEEPING_GRACE_MS = 2000;
/** The least time requests in flight get to finish, even when deliveries used up server.shutdownTimeout. */
export const REQUEST_GRACE_MS = 1000;

/** Whether ingest takes webhooks: open from the start, closed for good when shutdown begins. */
export function createIntake() {
  let open = true;
  return {
    accepting: (): boolean => open,
    close(): void {
      open = false;
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;

/** Waits for `promise`, or `ms` on the clock, whichever comes first; the timer does not outlive the wait. */
export async function within(clock: Clock, ms: number, promise: Promise<unknown>): Promise<void> {
  const timer = new AbortController();
  try {
    await Promise.race([promise, clock.sleep(ms, timer.signal)]);
  } finally {
    timer.abort();
  }
}

export interface ShutDownDeps {
  intake: Intake;
  housekeeping: { stop(): void; idle(): Promise<void> };
  worker: { stop(timeoutMs: number): Promise<void> };
  router: { stop(): Promise<void> };
  /** Absent when the bridge was never started. */
  server?: Pick<Server, 'close' | 'closeIdleConnections' | 'closeAllConnections'>;
  store: Pick<Store, 'close'>;
  /** False when the store was given in (its owner closes it). */
  closeStore: boolean;
  /** server.shutdownTimeout */
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Graceful stop: refuse new webhooks (503), let deliveries finish within
 * server.shutdownTimeout and leave the rest queued, finish requests in flight,
 * then close the store.
 */
export async function shutDown(deps: ShutDownDeps): Promise<void> {
  const { clock, server } = deps;
  const deadline = clock.now() + deps.timeoutMs;
  deps.intake.close();
  deps.housekeeping.stop();
  // No new deliveries start; those running get server.shutdownTimeout. Meanwhile the server keeps
  // answering, with 503 on ingest and /readyz, so balancers and Aver see the bridge leave.
  await deps.worker.stop(deps.timeoutMs);
  // Requests in flight finish (and are stored) before the store closes.
  if (server) {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await within(clock, Math.max(REQUEST_GRACE_MS, deadline - clock.now()), closed);
    server.closeAllConnections();
  }
  await deps.router.stop();
  await within(clock, HOUSEKEEPING_GRACE_MS, deps.housekeeping.idle());
  if (deps.closeStore) await deps.store.close();
  deps.logger.info('aver-bridge stopped');
}
