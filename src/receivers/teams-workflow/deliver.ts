import type { Logger } from 'pino';
import { drainAnswer } from '../../http/drain-answer.js';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
import type { DeliveryContext, DeliveryResult, PacingLimit, Receiver } from '../receiver.js';
import type { DeliveryJob } from '../../model/job.js';
import { formatTeamsCard } from '../teams/format.js';
import { receiverMessage } from '../../present/receiver-message.js';
import { redactUrl, resultFromError, resultFromStatus } from '../http-failure.js';
import { pacingFor } from '../pacing-for.js';

export const TEAMS_WORKFLOW_DEFAULT_PACING: PacingLimit = { ratePerSecond: 4, burst: 4 };

/** A Teams Workflows receiver's settings (its `kind` is implied). */
export type TeamsWorkflowReceiverConfig = Omit<ReceiverConfigOf<'teamsWorkflow'>, 'kind'>;

export interface TeamsWorkflowDeps {
  fetch: typeof fetch;
  config: Config;
  logger: Logger;
  /** For Retry-After dates; defaults to Date.now. */
  now?: () => number;
}

/** Posts the event's Adaptive Card to a Power Automate "post to a channel when a webhook request is received" flow. */
export function createTeamsWorkflowReceiver(rc: TeamsWorkflowReceiverConfig, deps: TeamsWorkflowDeps): Receiver {
  const now = deps.now ?? Date.now;
  const pacing = pacingFor(TEAMS_WORKFLOW_DEFAULT_PACING, rc.pacing);
  const where = `Teams workflow ${rc.name} (${redactUrl(rc.teamsWorkflow.url)})`;

  return {
    name: rc.name,
    kind: 'teamsWorkflow',
    usesHistory: true,
    pacing,
    destinationKey: () => `teamsWorkflow:${rc.name}`,
    async deliver(job: DeliveryJob, ctx: DeliveryContext): Promise<DeliveryResult> {
      const { config } = deps;
      const card = formatTeamsCard(receiverMessage(job, ctx, config, rc));
      const body = JSON.stringify({
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
      });
      let res: Response;
      try {
        res = await deps.fetch(rc.teamsWorkflow.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: ctx.signal,
          redirect: 'manual',
        });
      } catch (err) {
        return resultFromError(ctx.signal.aborted ? { name: 'AbortError' } : err, where);
      }
      // The answer is not needed; drain it (up to a bound) so the connection can be reused.
      await drainAnswer(res);
      const result = resultFromStatus(res.status, res.headers.get('retry-after'), now(), where);
      if (!result.ok && [401, 403, 404].includes(res.status)) {
        return { ...result, reason: `${result.reason}: the flow was deleted or turned off, or its URL changed; copy the URL from the flow's trigger again` };
      }
      return result;
    },
  };
}
