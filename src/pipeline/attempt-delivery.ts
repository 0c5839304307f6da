import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DeliveryJob, MessageRef, StatusChange } from '../model/job.js';
import type { DeliveryResult, Receiver } from '../receivers/receiver.js';

/** One attempt's outcome, as the receiver (or the timeout) gave it. */
export interface Attempt {
  result: DeliveryResult;
  startedAt: number;
  /** Cut short by shutdown rather than failed: no attempt counts. */
  interrupted: boolean;
}

export interface AttemptOptions {
  clock: Clock;
  /** delivery.timeout: the attempt fails (retryably) when the receiver has not answered by then. */
  timeoutMs: number;
  /** Aborted at a hard shutdown: every attempt in flight is cut short. */
  stop: AbortSignal;
}

/**
 * Hands one job to its receiver, with the check's message reference and its
 * statuses up to this event, and waits at most delivery.timeout for the
 * answer. A receiver that throws fails retryably; one that ignores its signal
 * is not waited for.
 */
export async function attemptDelivery(
  receiver: Pick<Receiver, 'deliver'>,
  job: DeliveryJob,
  context: { previous: MessageRef | null; history: Array<StatusChange & { eventId: string }>; logger: Logger },
  options: AttemptOptions,
): Promise<Attempt> {
  const { clock, timeoutMs, stop } = options;
  // One controller for the receiver and one for the timer (AbortSignal.timeout + AbortSignal.any cost several times more).
  const abort = new AbortController();
  const signal = abort.signal;
  const ended = new AbortController();
  let timedOut = false;
  // Listening before anything can abort it: a stop that came before the attempt must end it too.
  const aborted = new Promise<DeliveryResult>((resolve) => signal.addEventListener('abort', () => resolve(abortResult(timedOut, timeoutMs)), { once: true }));
  void clock.sleep(timeoutMs, ended.signal).then(() => {
    if (ended.signal.aborted) return;
    timedOut = true;
    abort.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  });
  const onStop = () => abort.abort(stop.reason);
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  const startedAt = clock.now();
  let result: DeliveryResult;
  try {
    // The race makes delivery.timeout hold even for a receiver that ignores its signal.
    result = await Promise.race([
      receiver.deliver(job, { signal, previous: context.previous, history: historyUpTo(context.history, job.eventId), logger: context.logger }),
      aborted,
    ]);
  } catch (err) {
    result = { ok: false, retryable: true, reason: `receiver threw: ${(err as Error).message}`, failure: 'other', code: 'other' };
  } finally {
    // With a reason of our own: abort() without one builds a DOMException, a cost on every delivery.
    ended.abort(ATTEMPT_ENDED);
    stop.removeEventListener('abort', onStop);
  }
  return { result, startedAt, interrupted: !result.ok && stop.aborted && !timedOut };
}

/** Why the attempt's timer is cancelled once the receiver has answered. */
const ATTEMPT_ENDED = 'attempt ended';

/** The statuses a receiver is shown: the check's, oldest first, up to and including this event's. */
function historyUpTo(history: Array<StatusChange & { eventId: string }>, eventId: string): StatusChange[] {
  const upTo = history.findIndex((h) => h.eventId === eventId);
  return (upTo >= 0 ? history.slice(0, upTo + 1) : history).map(({ status, at }) => ({ status, at }));
}

function abortResult(timedOut: boolean, timeoutMs: number): DeliveryResult {
  return timedOut
    ? { ok: false, retryable: true, reason: `no answer within ${timeoutMs} ms (delivery.timeout)`, failure: 'timeout', code: 'timeout' }
    : { ok: false, retryable: true, reason: 'aborted by shutdown', failure: 'other', code: 'other' };
}
