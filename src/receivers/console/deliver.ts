import type { Labels } from '../../model/event.js';
import type { Config, ReceiverConfig } from '../../model/config.js';
import { headlineLine, pushLine } from '../../present/message.js';
import { receiverMessage } from '../../present/receiver-message.js';
import type { Receiver } from '../receiver.js';
import { pacingFor } from '../pacing-for.js';

/**
 * Prints one JSON line per message: for trying the bridge without any chat
 * account, and for piping into other tools. `headline` and `text` are the
 * message model's, as Slack and Teams show them.
 */
export function createConsoleReceiver(
  rc: ReceiverConfig,
  deps: { write?: (line: string) => void; routedTo?: (labels: Labels) => string[]; config?: Pick<Config, 'aver' | 'display'> & Partial<Pick<Config, 'templates'>> },
): Receiver {
  const write = deps.write ?? ((line: string) => process.stdout.write(line));
  return {
    name: rc.name,
    kind: 'console',
    usesHistory: false,
    pacing: pacingFor({ ratePerSecond: 1_000_000, burst: 1_000_000 }, rc.pacing),
    destinationKey: () => `console:${rc.name}`,
    async deliver(job, ctx) {
      const e = job.event;
      const message = receiverMessage(job, ctx, deps.config ?? {}, rc);
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
        severity: message.severity,
        headline: headlineLine(message),
        text: pushLine(message),
      };
      write(JSON.stringify(line) + '\n');
      return { ok: true };
    },
  };
}
