/** Thrown by untilAborted when the signal fires first (unless the caller says what to throw). */
export class Aborted extends Error {
  constructor() {
    super('aborted');
    this.name = 'Aborted';
  }
}

/**
 * Resolves with the promise, or rejects as soon as `signal` fires, with
 * `aborted()` (an Aborted by default): for calls that take no signal of their
 * own (Slack's WebClient, botbuilder), and for a caller that stops waiting for
 * a promise others share. The work itself may still finish.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, aborted: () => Error = () => new Aborted()): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
