import type { Labels } from '../../model/event.js';
import type { ReceiverConfig } from '../../model/config.js';
import type { Receiver } from '../receiver.js';
import { pacingFor } from '../pacing-for.js';

/**
 * Prints one JSON line per message: for trying the bridge without any chat
 * account, and for piping into other tools.
 */
export function createConsoleReceiver(
  rc: ReceiverConfig,
  deps: { write?: (line: string) => void; routedTo?: (labels: Labels) => string[] },
): Receiver {
  const write = deps.write ?? ((line: string) => process.stdout.write(line));
  return {
    name: rc.name,
    kind: 'console',
    usesHistory: false,
    pacing: pacingFor({ ratePerSecond: 1_000_000, burst: 1_000_000 }, rc.pacing),
    destinationKey: () => `console:${rc.name}`,
    async deliver(job) {
      const e = job.event;
      const line = {
        receiver: job.receiver,
        routedTo: deps.routedTo?.(job.labels),
        eventId: e.eventId,
        type: e.type,
        id: e.id,
        groupId: e.groupId,
        group: job.labels.group,
        status: e.status,
        attempt: job.attempt,
        details: job.details ?? undefined,
        text: `${e.type} ${e.id} is ${e.status} (${job.labels.group})`,
      };
      write(JSON.stringify(line) + '\n');
      return { ok: true };
    },
  };
}
