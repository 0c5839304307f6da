import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../model/config.js';
import type { Store } from '../store/store.js';

export type RetryOutcome =
  | { ok: true; jobId: number; eventId: string; receiver: string }
  | { ok: false; code: 'not_found' | 'receiver_removed'; message: string };

interface RetryDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  config: () => Config;
  wakeWorker: () => void;
}

/** Queues one dead letter again, due now, and wakes the worker; refuses when its receiver is no longer configured. */
export async function retryDeadLetter(deps: RetryDeps, jobId: number): Promise<RetryOutcome> {
  const job = await deps.store.getJob(jobId);
  if (!job || job.state !== 'dead') return { ok: false, code: 'not_found', message: `no dead letter #${jobId} (already retried or purged)` };
  if (!deps.config().receivers.some((r) => r.name === job.receiver)) {
    return { ok: false, code: 'receiver_removed', message: `dead letter #${jobId} is for receiver "${job.receiver}", which the config no longer has` };
  }
  if (!(await deps.store.retryDeadLetter(jobId, deps.clock.now()))) return { ok: false, code: 'not_found', message: `no dead letter #${jobId} (already retried or purged)` };
  deps.logger.info({ eventId: job.eventId, receiver: job.receiver, jobId, attempt: job.attempts }, 'dead letter queued again from the admin page');
  deps.wakeWorker();
  return { ok: true, jobId, eventId: job.eventId, receiver: job.receiver };
}

/** Queues every dead letter of receivers the config still has. */
export async function retryAllDeadLetters(deps: RetryDeps): Promise<number> {
  const now = deps.clock.now();
  let n = 0;
  for (const r of deps.config().receivers) n += await deps.store.retryAllDeadLetters(now, r.name);
  deps.logger.info({ count: n }, 'all dead letters queued again from the admin page');
  if (n > 0) deps.wakeWorker();
  return n;
}

/** The job id in the path, or null when it is not a positive integer. */
export function jobIdParam(ctx: Context): number | null {
  const id = (ctx.params as Record<string, string> | undefined)?.id ?? '';
  return /^\d{1,15}$/.test(id) ? Number(id) : null;
}
