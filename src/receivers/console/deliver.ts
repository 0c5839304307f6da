import type { Labels } from '../../model/event.js';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
import { resolveLogFormat } from '../../logger.js';
import { oneLine } from '../../pretty-line.js';
import { headlineLine, pushLine } from '../../present/message.js';
import { digestMessage, reminderLine, severityLine } from '../../present/digest.js';
import { receiverMessage } from '../../present/receiver-message.js';
import type { Receiver } from '../receiver.js';
import { pacingFor } from '../pacing-for.js';

/** What marks a console receiver's JSON line apart from the log records beside it on stdout. */
const CONSOLE_STREAM = 'console';

/**
 * Prints one line per message, on stdout: for trying the bridge without any chat account, and for piping into
 * other tools. `console.pretty: true` writes one readable line (`▶ console ops: 🔴 Live check rejected: … (…)`);
 * false, one JSON object (`"stream": "console"`, which no log record has) with the message model's `headline` and
 * `text`, as Slack and Teams show them. Unset, it follows the log format (`log.format`; auto: readable on a terminal).
 */
export function createConsoleReceiver(
  rc: ReceiverConfigOf<'console'>,
  deps: { write?: (line: string) => void; routedTo?: (labels: Labels) => string[]; config?: Pick<Config, 'aver' | 'display'> & Partial<Pick<Config, 'templates' | 'log'>> },
): Receiver {
  const write = deps.write ?? ((line: string) => process.stdout.write(line));
  // A write function given in (tests, tools) is no terminal: auto means JSON there.
  const pretty = rc.console.pretty ?? resolveLogFormat(deps.config?.log?.format ?? 'auto', !deps.write && Boolean(process.stdout.isTTY)) === 'pretty';
  return {
    name: rc.name,
    kind: 'console',
    usesHistory: false,
    pacing: pacingFor({ ratePerSecond: 1_000_000, burst: 1_000_000 }, rc.pacing),
    destinationKey: () => `console:${rc.name}`,
    async deliver(job, ctx) {
      const e = job.event;
      // A digest: one line of its own (counts and items as JSON, or the headline and counts when pretty).
      if (job.kind === 'digest') {
        if (!job.digest) return { ok: false, retryable: false, failure: 'other', code: 'other', reason: 'the group of this digest is gone from the store' };
        const d = digestMessage(job.digest, deps.config ?? {}, rc, ctx.logger);
        write(pretty ? `▶ console ${job.receiver}: ${oneLine(`${d.emoji} ${d.headline} · ${severityLine(d)}`)}\n` : `${JSON.stringify({ stream: CONSOLE_STREAM, receiver: job.receiver, kind: 'digest', digest: d })}\n`);
        return { ok: true };
      }
      const built = receiverMessage(job, ctx, deps.config ?? {}, rc);
      // A reminder: the check's line, its text the reminder ("Reminder 1: still awaiting review after 4h — …").
      const reminder = job.kind === 'reminder' ? reminderLine(built.headline, e.status, job.reminder ?? 1, e.receivedAt, job.createdAt) : undefined;
      const message = reminder === undefined ? built : { ...built, text: reminder };
      if (pretty) {
        const retry = job.attempt > 1 ? `, attempt ${job.attempt}` : '';
        write(`▶ console ${job.receiver}: ${oneLine(pushLine(message))} (${oneLine(`${e.type} ${e.id} · event ${e.eventId}`)}${retry})\n`);
        return { ok: true };
      }
      const line = {
        stream: CONSOLE_STREAM,
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
        ...(reminder === undefined ? {} : { kind: 'reminder', reminder: job.reminder ?? 1 }),
      };
      write(JSON.stringify(line) + '\n');
      return { ok: true };
    },
  };
}
