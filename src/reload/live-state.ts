import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ChatCommands } from '../model/chat-commands.js';
import type { Config } from '../model/config.js';
import type { RoutingState } from '../pipeline/route-events.js';
import { createReceivers } from '../receivers/create-receivers.js';
import { buildPlatforms, type PlatformParts } from '../receivers/platforms.js';
import { buildRouteTree, receiversFor } from '../routing/tree.js';
import type { Store } from '../store/store.js';

/** Everything that follows the config, rebuilt whole on reload. */
export type LiveState = RoutingState & PlatformParts;

export interface LiveStateDeps {
  store: Store;
  logger: Logger;
  clock: Clock;
  fetch: typeof fetch;
  /** What Slack's and Teams' commands answer with. */
  commands: ChatCommands;
  /** Where console receivers write (stdout by default). */
  write?: (line: string) => void;
}

/** Builds the routing tree, the chat platforms and the receivers of one configuration; starts nothing. */
export async function buildLiveState(cfg: Config, deps: LiveStateDeps): Promise<LiveState> {
  const { store, logger, clock } = deps;
  const tree = buildRouteTree(cfg.route);
  const parts = await buildPlatforms(cfg, { store, logger, clock, fetch: deps.fetch, commands: deps.commands });
  const receivers = createReceivers(cfg.receivers, {
    config: cfg, store, logger, clock, fetch: deps.fetch, platforms: parts.platforms, write: deps.write,
    routedTo: (labels) => receiversFor(tree, labels),
  });
  return { ...parts, tree, receivers, groups: cfg.aver.groups };
}

/** Runs the platform checks, then each receiver's start-up work (resolving channel names). */
export async function startLiveState(state: LiveState): Promise<void> {
  for (const check of state.verify) await check();
  for (const r of state.receivers.values()) await r.start?.();
}
