import type { Logger } from 'pino';
import type { Config, ReceiverConfigOf } from '../../model/config.js';
import { mentionsFor } from '../../present/message.js';
import { receiverMessage } from '../../present/receiver-message.js';
import type { Store } from '../../store/store.js';
import { withCheckState } from '../check-message.js';
import { formatTeamsCard, parseMention, type AdaptiveCardJson } from './format.js';

/**
 * The card of a check as a Teams receiver shows it now: its latest event routed to the receiver, the statuses up to
 * it, and who is on the check; what a job that follows an action puts in place of the posted card. Null when the
 * check was never routed to the receiver.
 */
export async function currentCheckCard(
  entityKey: string,
  rc: ReceiverConfigOf<'teams'>,
  deps: { store: Store; config: Config; logger: Logger },
): Promise<AdaptiveCardJson | null> {
  const at = entityKey.indexOf(':');
  if (at <= 0) return null;
  const history = await deps.store.entityHistory(entityKey.slice(at + 1), entityKey.slice(0, at));
  for (let i = history.length - 1; i >= 0; i--) {
    const jobs = await deps.store.jobsForEvent(history[i].eventId);
    if (!jobs.some((j) => j.receiver === rc.name)) continue;
    const stored = await deps.store.getEvent(history[i].eventId);
    if (!stored) return null;
    const job = { event: stored.event, labels: stored.labels ?? {}, details: stored.details };
    const upTo = history.slice(0, i + 1).map(({ status, at: when }) => ({ status, at: when }));
    const built = receiverMessage(job, { history: upTo, logger: deps.logger }, deps.config, rc, mentionsFor(rc.teams.mention, stored.event.status));
    const message = await withCheckState(built, { entityKey }, rc.teams.actions, deps);
    return formatTeamsCard(message, message.mentions.map(parseMention));
  }
  return null;
}
