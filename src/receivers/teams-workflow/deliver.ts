import type { Logger } from 'pino';
import { drainAnswer } from '../../http/drain-answer.js';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
import type { DeliveryContext, DeliveryResult, PacingLimit, Receiver } from '../receiver.js';
import type { DeliveryJob } from '../../model/job.js';
import { formatTeamsCard, type AdaptiveCardJson } from '../teams/format.js';
import { DIGEST_GONE, formatTeamsDigestCard, reminderMessage } from '../teams/digest.js';
import { digestMessage } from '../../present/digest.js';
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

/**
 * The card a job posts: the event's, a group's digest (a flow cannot update a card: each later window of the group
 * posts the digest again, as a follow-up with the counts so far), or a reminder (the check's card headed by the
 * reminder line). Null for a digest whose group is gone.
 */
function workflowCard(job: DeliveryJob, ctx: DeliveryContext, rc: TeamsWorkflowReceiverConfig, config: Config): AdaptiveCardJson | null {
  if (job.kind === 'digest') return job.digest ? formatTeamsDigestCard(digestMessage(job.digest, config, rc, ctx.logger)) : null;
  const message = receiverMessage(job, ctx, config, rc);
  return formatTeamsCard(job.kind === 'reminder' ? reminderMessage(message, job) : message);
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
      const card = workflowCard(job, ctx, rc, deps.config);
      if (!card) return DIGEST_GONE;
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
