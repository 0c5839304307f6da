import type { Labels } from '../model/event.js';
import type { ReceiverConfig, ReceiverConfigOf } from '../model/config.js';
import { BridgeError } from '../errors.js';
import { createConsoleReceiver } from './console/deliver.js';
import type { ReceiverDeps } from './deps.js';
import type { Receiver } from './receiver.js';
import { createWebhookReceiver } from './webhook/deliver.js';

/** Integration-specific parts built once per bridge (Slack's WebClient, Teams' adapter) and shared by its receivers. */
export interface Platforms {
  slack?: (rc: ReceiverConfigOf<'slack'>) => Receiver;
  teams?: (rc: ReceiverConfigOf<'teams'>) => Receiver;
  teamsWorkflow?: (rc: ReceiverConfigOf<'teamsWorkflow'>) => Receiver;
  email?: (rc: ReceiverConfigOf<'email'>) => Receiver;
}

/** Builds every configured receiver; the one place that knows which integrations exist. */
export function createReceivers(
  receivers: readonly ReceiverConfig[],
  deps: ReceiverDeps & { platforms: Platforms; write?: (line: string) => void; routedTo?: (labels: Labels) => string[] },
): Map<string, Receiver> {
  const out = new Map<string, Receiver>();
  for (const rc of receivers) {
    let receiver: Receiver | undefined;
    switch (rc.kind) {
      case 'console': receiver = createConsoleReceiver(rc, { write: deps.write, routedTo: deps.routedTo, config: deps.config }); break;
      case 'webhook': receiver = createWebhookReceiver(rc, { fetch: deps.fetch, now: deps.clock.now, config: deps.config, store: deps.store }); break;
      case 'slack': receiver = deps.platforms.slack?.(rc); break;
      case 'teams': receiver = deps.platforms.teams?.(rc); break;
      case 'teamsWorkflow': receiver = deps.platforms.teamsWorkflow?.(rc); break;
      case 'email': receiver = deps.platforms.email?.(rc); break;
    }
    if (!receiver) throw new BridgeError('receiver_unsupported', `receiver "${rc.name}": its integration is not configured`);
    out.set(rc.name, receiver);
  }
  return out;
}
