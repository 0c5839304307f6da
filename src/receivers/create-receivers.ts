import type { Labels } from '../aver/event.js';
import type { ReceiverConfig } from '../config/types.js';
import { BridgeError } from '../errors.js';
import { createConsoleReceiver } from './console/deliver.js';
import type { ReceiverDeps } from './deps.js';
import type { Receiver } from './receiver.js';
import { createWebhookReceiver } from './webhook/deliver.js';

/** Integration-specific parts built once per bridge (Slack's WebClient, Teams' adapter) and shared by its receivers. */
export interface Platforms {
  slack?: (rc: ReceiverConfig) => Receiver;
  teams?: (rc: ReceiverConfig) => Receiver;
  teamsWorkflow?: (rc: ReceiverConfig) => Receiver;
}

/** Builds every configured receiver; the one place that knows which integrations exist. */
export function createReceivers(
  receivers: readonly ReceiverConfig[],
  deps: ReceiverDeps & { platforms: Platforms; write?: (line: string) => void; routedTo?: (labels: Labels) => string[] },
): Map<string, Receiver> {
  const out = new Map<string, Receiver>();
  for (const rc of receivers) {
    let receiver: Receiver | undefined;
    if (rc.console) receiver = createConsoleReceiver(rc, { write: deps.write, routedTo: deps.routedTo });
    else if (rc.webhook) receiver = createWebhookReceiver({ ...rc, webhook: rc.webhook }, { fetch: deps.fetch, now: deps.clock.now });
    else if (rc.slack) receiver = deps.platforms.slack?.(rc);
    else if (rc.teams) receiver = deps.platforms.teams?.(rc);
    else if (rc.teamsWorkflow) receiver = deps.platforms.teamsWorkflow?.(rc);
    if (!receiver) throw new BridgeError('receiver_unsupported', `receiver "${rc.name}": its integration is not configured`);
    out.set(rc.name, receiver);
  }
  return out;
}
