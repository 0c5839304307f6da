import type { NewEvent, RouteResult, Store } from '../../src/store/store.js';

/** A PostgreSQL error as pg raises it: the SQLSTATE in `code`. */
export function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** For each write to fail: the error to fail a call with, or undefined to let it through to the store. */
export interface Refusals {
  appendEvents?: (batch: NewEvent[]) => Error | undefined;
  routeEvents?: (results: RouteResult[]) => Error | undefined;
}

/** The ids each write was called with, call by call. */
export interface WriteCalls {
  appendEvents: string[][];
  routeEvents: string[][];
}

/**
 * The store, except that appendEvents and routeEvents fail with the errors `refuse` returns: for an event a store
 * will not take, or a store that fails. Every other call goes to the store; `calls` records the writes.
 */
export function refusingStore(store: Store, refuse: Refusals): Store & { calls: WriteCalls } {
  const calls: WriteCalls = { appendEvents: [], routeEvents: [] };
  const wrap = {
    appendEvents: async (batch: NewEvent[]) => {
      calls.appendEvents.push(batch.map((b) => b.event.eventId));
      const err = refuse.appendEvents?.(batch);
      if (err !== undefined) throw err;
      return store.appendEvents(batch);
    },
    routeEvents: async (results: RouteResult[], now: number) => {
      calls.routeEvents.push(results.map((r) => r.eventId));
      const err = refuse.routeEvents?.(results);
      if (err !== undefined) throw err;
      return store.routeEvents(results, now);
    },
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'calls') return calls;
      if (prop === 'appendEvents' || prop === 'routeEvents') return wrap[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store & { calls: WriteCalls };
}
