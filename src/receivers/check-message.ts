import type { ActionButton } from '../model/check-state.js';
import type { Config } from '../model/config.js';
import type { DeliveryJob } from '../model/job.js';
import { withCheckActions } from '../present/check-actions.js';
import type { Message } from '../present/message.js';
import type { Store } from '../store/store.js';

/**
 * The message with who is on the check and its buttons, for a Slack or Teams receiver with `actions:` (read from
 * the store at delivery, so every edit shows the latest state); the message as it is for one without.
 */
export async function withCheckState(
  message: Message,
  job: Pick<DeliveryJob, 'entityKey'>,
  buttons: readonly ActionButton[] | undefined,
  deps: { store?: Pick<Store, 'getCheckState'>; config: Pick<Config, 'display'> },
): Promise<Message> {
  if (!buttons || buttons.length === 0) return message;
  const state = (await deps.store?.getCheckState(job.entityKey)) ?? null;
  return withCheckActions(message, { entityKey: job.entityKey, state, buttons, display: deps.config.display });
}
