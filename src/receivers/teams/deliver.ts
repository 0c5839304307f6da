import { MessageFactory, type CloudAdapter, type ConversationParameters, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Activity, Attachment } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config, ReceiverConfigOf, TeamsConfig, UpdateMode } from '../../model/config.js';
import type { Store, TeamsInstallation } from '../../store/store.js';
import type { DeliveryJob, MessageRef } from '../../model/job.js';
import type { DeliveryContext, DeliveryResult, PacingLimit, Receiver } from '../receiver.js';
import { formatTeamsCard, formatTeamsReply, formatTeamsSummary, parseMention } from './format.js';
import { deliverTeamsDigest, deliverTeamsReminder } from './digest.js';
import { mentionsFor, type Message } from '../../present/message.js';
import { receiverMessage } from '../../present/receiver-message.js';
import { broadcasts, DEFAULT_BROADCAST } from '../../present/severity.js';
import { mapTeamsError } from './map-error.js';
import { baseConversationId, resolveTeamsChannel } from './resolve-channel.js';
import { Aborted, untilAborted } from '../../until-aborted.js';
import { pacingFor } from '../pacing-for.js';
import { withCheckState } from '../check-message.js';

export const TEAMS_DEFAULT_PACING: PacingLimit = { ratePerSecond: 7, burst: 7, perHour: 1800 };

/** A Teams receiver's settings (its `kind` is implied). */
export type TeamsReceiverConfig = Omit<ReceiverConfigOf<'teams'>, 'kind'>;

export interface TeamsReceiverDeps {
  adapter: CloudAdapter;
  teams: TeamsConfig;
  store: Store;
  config: Config;
  logger: Logger;
  /** For Retry-After dates; defaults to Date.now. */
  now?: () => number;
}

/** Where a delivery posts: the resolved channel (or group chat), its service URL and tenant. */
export interface Target {
  channelId: string;
  serviceUrl: string;
  tenantId: string;
  /** A group chat has no threads: messages go straight into the chat. */
  isChat: boolean;
}

type Failure = Extract<DeliveryResult, { ok: false }>;

// Pure, so the preview reads mentions without botbuilder; exported here as before.
export { parseMention } from './format.js';

/** A Teams receiver: posts the event's Adaptive Card as a new thread in a channel, then edits it / replies in its thread. */
export function createTeamsReceiver(rc: TeamsReceiverConfig, deps: TeamsReceiverDeps): Receiver {
  const { teams, store } = deps;
  const now = deps.now ?? Date.now;
  const spec = rc.teams;
  const conversation = teamsConversation(deps.adapter, teams.appId ?? '', deps.logger, rc.name);
  let resolvedChannelId: string | undefined = spec.channelId ? baseConversationId(spec.channelId.trim()) : undefined;

  /** Where to post, from the allowed tenants' installations (read afresh: a team may have added the bot since). */
  async function target(): Promise<Target | Failure> {
    const resolved = resolveTeamsChannel(spec, await store.listInstallations(), teams.allowedTenants);
    if (!resolved.ok) return { ok: false, retryable: false, failure: 'clientError', code: 'channelNotFound', reason: resolved.reason };
    resolvedChannelId = resolved.channelId;
    return targetFor(resolved.channelId, resolved.installation, teams);
  }

  return {
    name: rc.name,
    kind: 'teams',
    usesHistory: true,
    pacing: pacingFor(TEAMS_DEFAULT_PACING, rc.pacing),
    destinationKey(_job) {
      return `teams:${resolvedChannelId ?? `${spec.team ?? ''}/${spec.channel ?? ''}`}`;
    },
    async start() {
      const t = await target();
      if ('ok' in t) deps.logger.warn({ receiver: rc.name, reason: t.reason }, 'Teams receiver cannot resolve its channel yet');
    },
    async deliver(job: DeliveryJob, ctx: DeliveryContext): Promise<DeliveryResult> {
      const t = await target();
      if ('ok' in t) return t;
      try {
        // A group's digest (updated in place) or a reminder in the check's thread: teams/digest.ts.
        if (job.kind === 'digest') return await deliverTeamsDigest(conversation, t, job, ctx, rc, deps.config);
        if (job.kind === 'reminder') return await deliverTeamsReminder(conversation, t, job, ctx, rc, deps.config);
        const built = receiverMessage(job, ctx, deps.config, rc, mentionsFor(spec.mention, job.event.status));
        const message = await withCheckState(built, job, spec.actions, deps);
        if (job.actionId !== undefined) return await showCheckState(conversation, t, message, ctx);
        return await postOrUpdate(conversation, t, message, ctx, spec);
      } catch (err) {
        if (err instanceof Aborted) {
          return { ok: false, retryable: true, failure: 'timeout', code: 'timeout', reason: `Teams did not answer in time for channel ${t.channelId}` };
        }
        const failure = mapTeamsError(err, { channelId: t.channelId, now: now() });
        ctx.logger.debug({ receiver: rc.name, code: failure.code, status: (err as { statusCode?: number })?.statusCode }, 'Teams delivery failed');
        return failure;
      }
    },
  };
}

/** A resolved channel's target: its service URL (the installation's, else teams.serviceUrl) and tenant. */
function targetFor(channelId: string, inst: TeamsInstallation | null, teams: TeamsConfig): Target | Failure {
  const serviceUrl = inst?.serviceUrl || teams.serviceUrl;
  if (!serviceUrl) {
    return { ok: false, retryable: false, failure: 'clientError', code: 'configError', reason: `no serviceUrl for Teams channel ${channelId}: set teams.serviceUrl, or add the bot to the team` };
  }
  const conversationType = (inst?.reference as { conversation?: { conversationType?: string } } | undefined)?.conversation?.conversationType;
  return { channelId, serviceUrl, tenantId: inst?.tenantId || teams.tenantId || '', isChat: conversationType === 'groupChat' };
}

/** The message's Adaptive Card as a message activity, with the mentions configured for its status. */
function cardActivity(message: Message): Partial<Activity> {
  const attachment: Attachment = { contentType: 'application/vnd.microsoft.card.adaptive', content: formatTeamsCard(message, message.mentions.map(parseMention)) };
  return { ...MessageFactory.attachment(attachment), summary: formatTeamsSummary(message) };
}

/** A job that follows a check action: updates the check's card to show who is on it (no reply); nothing without one. */
async function showCheckState(conversation: TeamsConversation, t: Target, message: Message, ctx: DeliveryContext): Promise<DeliveryResult> {
  if (!ctx.previous) return { ok: true };
  await untilAborted(conversation.update(t, ctx.previous, cardActivity(message)), ctx.signal);
  return { ok: true };
}

/**
 * One delivery by `updates`: `new` starts a thread for every status; `edit` updates the first card; `thread` also
 * replies in its thread with one short line, for the severities in `broadcast` and whenever someone is to be
 * mentioned (a reply brings the thread back up in the channel, so the others only update the card).
 */
async function postOrUpdate(conversation: TeamsConversation, t: Target, message: Message, ctx: DeliveryContext, spec: TeamsReceiverConfig['teams']): Promise<DeliveryResult> {
  const mode: UpdateMode = spec.updates ?? 'thread';
  const prev = ctx.previous;
  const activity = cardActivity(message);
  if (!prev || mode === 'new') {
    const messageRef = await untilAborted(conversation.postThread(t, activity), ctx.signal);
    return messageRef ? { ok: true, messageRef } : { ok: true };
  }
  await untilAborted(conversation.update(t, prev, activity), ctx.signal);
  const reply = mode === 'thread' && (broadcasts(spec.broadcast ?? DEFAULT_BROADCAST, message.severity) || message.mentions.length > 0);
  if (reply) await untilAborted(conversation.reply(t, prev, formatTeamsReply(message, message.mentions.map(parseMention)) as Partial<Activity>), ctx.signal);
  return { ok: true };
}

/** The three proactive calls a delivery makes through the adapter. */
export interface TeamsConversation {
  /** A new thread in a channel (a new message in a group chat); undefined when Teams names no message id. */
  postThread(t: Target, activity: Partial<Activity>): Promise<MessageRef | undefined>;
  update(t: Target, prev: MessageRef, activity: Partial<Activity>): Promise<void>;
  reply(t: Target, prev: MessageRef, activity: Partial<Activity>): Promise<void>;
}

function teamsConversation(adapter: CloudAdapter, appId: string, logger: Logger, receiver: string): TeamsConversation {
  const inTurn = <T>(ref: Partial<ConversationReference>, work: (context: TurnContext) => Promise<T>) => runInTurn(adapter, appId, ref, work);
  return {
    async postThread(t, activity) {
      if (t.isChat) {
        const sent = await inTurn(reference(t, t.channelId, t.serviceUrl, appId), (context) => {
          // A new message, not a reply to the continuation's made-up activity id.
          context.activity.id = undefined;
          return context.sendActivity(activity);
        });
        return sent?.id ? { channel: t.channelId, messageId: sent.id, extra: { serviceUrl: t.serviceUrl } } : undefined;
      }
      const conversationId = await createThread(adapter, appId, t, activity);
      const messageId = conversationId ? /;messageid=(\d+)/.exec(conversationId)?.[1] : undefined;
      if (!conversationId || !messageId) {
        logger.warn({ receiver, conversationId }, 'Teams created the thread but returned no message id: later statuses will start new threads');
        return undefined;
      }
      return { channel: conversationId, messageId, extra: { serviceUrl: t.serviceUrl } };
    },
    async update(t, prev, activity) {
      const serviceUrl = previousServiceUrl(prev) ?? t.serviceUrl;
      await inTurn(reference(t, prev.channel, serviceUrl, appId), (context) => context.updateActivity({ ...activity, id: prev.messageId }));
    },
    async reply(t, prev, activity) {
      const serviceUrl = previousServiceUrl(prev) ?? t.serviceUrl;
      const conversationId = t.isChat ? prev.channel : `${baseConversationId(prev.channel)};messageid=${prev.messageId}`;
      // sendActivity replies to the turn's activity id: make that the thread's first message.
      await inTurn(reference(t, conversationId, serviceUrl, appId), (context) => {
        context.activity.id = prev.messageId;
        return context.sendActivity(activity);
      });
    },
  };
}

function reference(t: Target, conversationId: string, serviceUrl: string, appId: string): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl,
    conversation: { id: conversationId, isGroup: true, conversationType: t.isChat ? 'groupChat' : 'channel', name: '', ...(t.tenantId ? { tenantId: t.tenantId } : {}) },
    ...(appId ? { bot: { id: `28:${appId}`, name: '' } } : {}),
  };
}

/** Runs `work` in a proactive turn; errors thrown inside come out here even if someone sets adapter.onTurnError. */
async function runInTurn<T>(adapter: CloudAdapter, appId: string, ref: Partial<ConversationReference>, work: (context: TurnContext) => Promise<T>): Promise<T> {
  let failure: unknown;
  let result: T | undefined;
  let ran = false;
  await adapter.continueConversationAsync(appId, ref, async (context) => {
    try {
      result = await work(context);
      ran = true;
    } catch (err) {
      failure = err;
    }
  });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  if (!ran) throw new Error('the proactive turn did not run');
  return result as T;
}

/** Starts a thread in a channel with `activity` as its first message; the new conversation's id names that message. */
async function createThread(adapter: CloudAdapter, appId: string, t: Target, activity: Partial<Activity>): Promise<string | undefined> {
  let conversationId: string | undefined;
  let failure: unknown;
  const parameters = {
    isGroup: true,
    channelData: { channel: { id: t.channelId }, ...(t.tenantId ? { tenant: { id: t.tenantId } } : {}) },
    ...(t.tenantId ? { tenantId: t.tenantId } : {}),
    activity: activity as Activity,
  } as ConversationParameters;
  // No audience: botbuilder then uses the configured channel OAuth scope.
  await adapter.createConversationAsync(
    appId,
    'msteams',
    t.serviceUrl,
    undefined as unknown as string,
    parameters,
    async (context) => {
      try {
        conversationId = context.activity.conversation?.id;
      } catch (err) {
        failure = err;
      }
    },
  );
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return conversationId;
}

function previousServiceUrl(prev: MessageRef): string | undefined {
  const url = prev.extra?.serviceUrl;
  return typeof url === 'string' && url ? url : undefined;
}

