import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ChatCommands } from '../model/chat-commands.js';
import type { Config, ReceiverConfigOf } from '../model/config.js';
import type { Store } from '../store/store.js';
import type { Platforms } from './create-receivers.js';
import type { SlackReceiver } from './slack/deliver.js';

/** What a chat platform adds to the bridge for one configuration. */
export interface PlatformParts {
  platforms: Platforms;
  /** Start-up checks (Slack's auth.test), run before the receivers start. */
  verify: Array<() => Promise<unknown>>;
  /** POST /slack/events, when slack.signingSecret is set. */
  slackEvents?: Middleware;
  /** POST /api/messages, when a teams section is configured. */
  teamsMessages?: Middleware;
  /** Closes what the parts keep open (the SMTP pool): after a reload swapped them out, and at shutdown. */
  close?: () => void;
}

/**
 * Builds Slack's WebClient and Bolt app, Teams' adapter and bot, and the SMTP pool for a
 * configuration. Their modules load only when configured: Bolt and botbuilder
 * are large, and a console-only bridge starts without them.
 */
export async function buildPlatforms(
  cfg: Config,
  deps: { store: Store; logger: Logger; clock: Clock; fetch: typeof fetch; commands: ChatCommands },
): Promise<PlatformParts> {
  const { store, logger, clock, commands } = deps;
  const parts: PlatformParts = { platforms: {}, verify: [] };

  if (cfg.slack) {
    const slack = cfg.slack;
    const { createSlackClient, createSlackReceiver, verifySlackToken } = await import('./slack/deliver.js');
    const client = createSlackClient(slack, logger, { timeoutMs: cfg.delivery.timeoutMs });
    // Kept by name, typed, for `/aver` to find the receivers that post to a channel.
    const slackReceivers = new Map<string, SlackReceiver>();
    parts.platforms.slack = (rc) => {
      const receiver = createSlackReceiver(rc, { client, config: cfg, logger, store });
      slackReceivers.set(rc.name, receiver);
      return receiver;
    };
    if (slack.verifyToken) parts.verify.push(() => verifySlackToken(client));
    if (slack.signingSecret) {
      const { createSlackEvents } = await import('./slack/app.js');
      parts.slackEvents = createSlackEvents({
        slack, commands, logger, clock,
        receiversForChannel: (channelId) => [...slackReceivers.values()].filter((r) => r.channelId() === channelId).map((r) => r.name),
      }).middleware;
    }
  }

  if (cfg.teams) {
    const teams = cfg.teams;
    const [{ createTeamsBot }, { createTeamsReceiver }, { teamsReceiversForChannel }, { currentCheckCard }] = await Promise.all([
      import('./teams/bot.js'),
      import('./teams/deliver.js'),
      import('./teams/resolve-channel.js'),
      import('./teams/current-card.js'),
    ]);
    const bot = createTeamsBot({
      teams, store, commands, logger, clock,
      receiversForConversation: async (id) => teamsReceiversForChannel([...cfg.receivers], await store.listInstallations(), id, teams.allowedTenants),
      checkCard: async (entityKey, name) => {
        const rc = cfg.receivers.find((r): r is ReceiverConfigOf<'teams'> => r.kind === 'teams' && r.name === name);
        return rc ? currentCheckCard(entityKey, rc, { store, config: cfg, logger }) : null;
      },
    });
    parts.platforms.teams = (rc) =>
      createTeamsReceiver(rc, { adapter: bot.adapter, teams, store, config: cfg, logger, now: clock.now });
    parts.teamsMessages = bot.middleware;
  }

  if (cfg.receivers.some((r) => r.kind === 'teamsWorkflow')) {
    const { createTeamsWorkflowReceiver } = await import('./teams-workflow/deliver.js');
    parts.platforms.teamsWorkflow = (rc) =>
      createTeamsWorkflowReceiver(rc, { fetch: deps.fetch, config: cfg, logger, now: clock.now });
  }

  const smtp = cfg.smtp;
  if (smtp && cfg.receivers.some((r) => r.kind === 'email')) {
    const [{ createSmtpSender }, { createEmailReceiver }] = await Promise.all([import('./email/transport.js'), import('./email/deliver.js')]);
    // One pool for every e-mail receiver: it opens connections only when a message is sent.
    const sender = createSmtpSender(smtp, { timeoutMs: cfg.delivery.timeoutMs });
    parts.platforms.email = (rc) => createEmailReceiver(rc, { sender, config: { ...cfg, smtp }, logger });
    parts.close = () => sender.close();
  }
  return parts;
}
