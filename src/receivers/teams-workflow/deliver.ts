import type { Logger } from 'pino';
import type { Config, PacingOverride } from '../../config/types.js';
import type { DeliveryContext, DeliveryJob, DeliveryResult, PacingLimit, Receiver } from '../receiver.js';
import { cardInputFor, formatTeamsCard } from '../teams/format.js';
import { resultFromError, resultFromStatus } from '../http-failure.js';

export const TEAMS_WORKFLOW_DEFAULT_PACING: PacingLimit = { ratePerSecond: 4, burst: 4 };

export interface TeamsWorkflowReceiverConfig {
  name: string;
  teamsWorkflow: { url: string };
  pacing?: PacingOverride;
}

export interface TeamsWorkflowDeps {
  fetch: typeof fetch;
  config: Config;
  logger: Logger;
  /** For Retry-After dates; defaults to Date.now. */
  now?: () => number;
}

/** A URL fit for logs and reasons: Workflows URLs carry their signature (`sig=`) in the query, so the query goes. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Posts the event's Adaptive Card to a Power Automate "post to a channel when a webhook request is received" flow. */
export function createTeamsWorkflowReceiver(rc: TeamsWorkflowReceiverConfig, deps: TeamsWorkflowDeps): Receiver {
  const now = deps.now ?? Date.now;
  const pacing: PacingLimit = {
    ...TEAMS_WORKFLOW_DEFAULT_PACING,
    ...Object.fromEntries(Object.entries(rc.pacing ?? {}).filter(([, v]) => v !== undefined)),
  };
  const where = `Teams workflow ${rc.name} (${redactUrl(rc.teamsWorkflow.url)})`;

  return {
    name: rc.name,
    kind: 'teamsWorkflow',
    pacing,
    destinationKey: () => `teamsWorkflow:${rc.name}`,
    async deliver(job: DeliveryJob, ctx: DeliveryContext): Promise<DeliveryResult> {
      const { config } = deps;
      const card = formatTeamsCard(cardInputFor(job, ctx.history, config.aver));
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
      // The answer is not needed; drain it so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      const result = resultFromStatus(res.status, res.headers.get('retry-after'), now(), where);
      if (!result.ok && [401, 403, 404].includes(res.status)) {
        return { ...result, reason: `${result.reason}: the flow was deleted or turned off, or its URL changed; copy the URL from the flow's trigger again` };
      }
      return result;
    },
  };
}
