import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AverEvent, Labels } from '../../src/model/event.js';
import type { DeliveryJob, MessageRef, StatusChange } from '../../src/model/job.js';
import type { DeliveryContext } from '../../src/receivers/receiver.js';
import { silentLogger } from './logger.js';

/** When the fixtures' events arrived: 2024-05-17 09:30 UTC. */
export const RECEIVED_AT = Date.UTC(2024, 4, 17, 9, 30);

/**
 * An event as ingest makes it: a LiveCheck "chk-1" of group "grp-1" (testConfig() names it "Acme onboarding"),
 * with id `ev-<status>`. Either `event('Rejected', over)` or `event(over)`; the status defaults to Completed.
 */
export function event(statusOrOver: string | Partial<AverEvent> = {}, over: Partial<AverEvent> = {}): AverEvent {
  const o = typeof statusOrOver === 'string' ? { ...over, status: statusOrOver } : statusOrOver;
  const status = o.status ?? 'Completed';
  return {
    eventId: `ev-${status}`, type: 'LiveCheck', id: 'chk-1', groupId: 'grp-1', status,
    receivedAt: RECEIVED_AT, unknownType: false, unknownStatus: false, raw: {}, ...o,
  };
}

/** The labels routing gives an event of group "grp-1". */
export function labelsOf(e: AverEvent, group = 'Acme onboarding'): Labels {
  return { type: e.type, status: e.status, groupId: e.groupId, group, id: e.id };
}

/** A claimed job (id 1, first attempt) delivering `e` to receiver "ops", then `over`. */
export function job(e: AverEvent = event(), over: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    id: 1, eventId: e.eventId, receiver: 'ops', entityKey: `${e.type}:${e.id}`, destinationKey: 'ops', attempt: 1,
    createdAt: e.receivedAt, event: e, labels: labelsOf(e), ...over,
  };
}

/** What a receiver is handed with a job: no earlier message and no history unless told; nothing aborted; a silent logger. */
export function ctx(
  previous: MessageRef | null = null,
  history: StatusChange[] = [],
  signal: AbortSignal = new AbortController().signal,
  logger: Logger = silentLogger,
): DeliveryContext {
  return { signal, previous, history, logger };
}

/** One of Aver's API answers in test/fixtures/aver-api/ (NAME.json). */
export function averApiFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/aver-api/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}
