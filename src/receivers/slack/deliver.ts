import { ErrorCode, type WebClient, type Logger as SlackLogger, LogLevel } from '@slack/web-api';
import type { Logger } from 'pino';
import { BridgeError } from '../../errors.js';
import type { Config, ReceiverConfigOf, SlackConfig } from '../../model/config.js';
import type { Store } from '../../store/store.js';
import type { DeliveryJob, MessageRef } from '../../model/job.js';
import { mentionsFor, type Message } from '../../present/message.js';
import { receiverMessage } from '../../present/receiver-message.js';
import { broadcasts, DEFAULT_BROADCAST } from '../../present/severity.js';
import type { FailureReason } from '../../model/failure-reason.js';
import type { DeliveryContext, DeliveryResult, PacingLimit, Receiver } from '../receiver.js';
import { formatSlackMessage, formatThreadReply } from './format.js';
import { deliverSlackDigest, deliverSlackReminder } from './digest.js';
import { Aborted, untilAborted } from '../../until-aborted.js';
import { pacingFor } from '../pacing-for.js';
import { withCheckState } from '../check-message.js';
import { DeliveryClient } from './delivery-client.js';

/** Slack allows about one message a second per channel, with short bursts. */
export const SLACK_DEFAULT_PACING: PacingLimit = { ratePerSecond: 1, burst: 3 };

/** A Slack receiver's settings (its `kind` is implied). */
export type SlackReceiverConfig = Omit<ReceiverConfigOf<'slack'>, 'kind'>;

export interface SlackReceiverDeps {
  client: WebClient;
  config: Config;
  logger: Logger;
  /** Where who is on a check is read from, for a receiver with `actions:` (message refs arrive in `ctx.previous`). */
  store?: Store;
}

/** A Slack receiver; `channelId()` is the resolved channel id once known (for `/aver` in that channel). */
export interface SlackReceiver extends Receiver {
  readonly kind: 'slack';
  start(): Promise<void>;
  channelId(): string | undefined;
}

/**
 * @slack/logger on top of pino, one level down: our own logs report outcomes, the client's are detail.
 * A line is put together only when its level is on: the client logs every request at debug, and
 * stringifying those for nothing cost a third of each chat.postMessage's CPU.
 */
export function slackLogger(logger: Logger, name: string): SlackLogger {
  const child = logger.child({ component: name });
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  const at = (pinoLevel: 'trace' | 'debug' | 'warn') => (...msg: unknown[]) => {
    if (child.isLevelEnabled(pinoLevel)) child[pinoLevel](text(msg));
  };
  return {
    debug: at('trace'),
    info: at('debug'),
    warn: at('debug'),
    error: at('warn'),
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * A WebClient on the configured API URL whose own retries are off: the pipeline owns retries. The chat calls every
 * delivery makes skip its per-call machinery (delivery-client.ts).
 */
export function createSlackClient(slack: SlackConfig, logger: Logger, options: { timeoutMs?: number } = {}): WebClient {
  return new DeliveryClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 0,
    logger: slackLogger(logger, 'slack-web-api'),
  });
}

/** Runs auth.test; throws `slack_auth_failed` (or `slack_unreachable`) with a hint on how to fix it. */
export async function verifySlackToken(client: WebClient): Promise<{ teamId?: string; team?: string; botUserId?: string; botId?: string }> {
  try {
    const r = await client.auth.test();
    return { teamId: r.team_id, team: r.team, botUserId: r.user_id, botId: r.bot_id };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === ErrorCode.PlatformError) {
      const slackError = (err as { data?: { error?: string } }).data?.error ?? 'unknown_error';
      throw new BridgeError(
        'slack_auth_failed',
        `Slack rejected the bot token (${slackError}). Copy the Bot User OAuth Token (xoxb-…) from your Slack app's "OAuth & Permissions" page into slack.botToken (SLACK_BOT_TOKEN), and reinstall the app if it was revoked.`,
        { cause: err },
      );
    }
    throw new BridgeError(
      'slack_unreachable',
      `Could not check the Slack bot token: ${describe(err)}. Check slack.apiUrl and the network path to it.`,
      { cause: err },
    );
  }
}

const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** Why a platform error happened, and what an operator does about it. */
function platformReason(error: string, where: string): string {
  switch (error) {
    case 'channel_not_found':
      // `where` is "#name" or already "channel C…": say "channel" once.
      return `Slack ${where.startsWith('#') ? `channel ${where}` : where} not found: check the channel id, or invite the bot to the private channel (/invite @aver-bridge)`;
    case 'not_in_channel':
      return `the bot is not in ${where}: invite it with /invite @aver-bridge in that channel`;
    case 'is_archived':
      return `${where} is archived: unarchive it or point the receiver at another channel`;
    case 'invalid_auth':
    case 'not_authed':
      return 'Slack rejected the bot token: set slack.botToken to the Bot User OAuth Token from the app\'s "OAuth & Permissions" page';
    case 'account_inactive':
      return 'the Slack bot user is deactivated or the app was uninstalled: reinstall the app and update slack.botToken';
    case 'token_revoked':
      return 'the Slack bot token was revoked: reinstall the app and update slack.botToken';
    case 'msg_too_long':
      return 'Slack refused the message as too long (a bridge bug: please report it)';
    case 'invalid_blocks':
    case 'invalid_attachments':
      return 'Slack refused the message blocks (a bridge bug: please report it)';
    case 'missing_scope':
      return 'the Slack app lacks a scope: give it the bot scopes in manifest/slack.yaml and reinstall it';
    default:
      return `Slack answered ${error}`;
  }
}

const AUTH_PLATFORM_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked']);
/** Platform errors kept as the attempt's code (docs/slack.md's table names them), each with its failure class. */
const KNOWN_PLATFORM_ERRORS = new Map<string, FailureReason>([
  ['channel_not_found', 'clientError'], ['not_in_channel', 'clientError'], ['is_archived', 'clientError'], ['msg_too_long', 'clientError'],
  ['invalid_blocks', 'clientError'], ['invalid_attachments', 'clientError'], ['missing_scope', 'authError'],
]);

function describe(err: unknown): string {
  if (err instanceof Error) {
    const original = (err as { original?: unknown }).original;
    const cause = original instanceof Error ? (original.cause instanceof Error ? original.cause : original) : undefined;
    const causeCode = (cause as { code?: string } | undefined)?.code;
    return cause ? `${cause.message}${causeCode && !cause.message.includes(causeCode) ? ` (${causeCode})` : ''}` : err.message;
  }
  return String(err);
}

/** Maps what the WebClient threw onto the receiver contract: retryable or not, with a reason to act on. */
export function slackErrorToResult(err: unknown, where: string): Extract<DeliveryResult, { ok: false }> {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; name?: string };
  switch (e?.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = Number.isFinite(e.retryAfter) ? Number(e.retryAfter) : 1;
      return { ok: false, retryable: true, retryAfterMs: seconds * 1000, failure: 'rateLimited', code: 'rateLimited', reason: `Slack rate-limited the bot; retry after ${seconds}s` };
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status >= 500 || status === 408) return { ok: false, retryable: true, failure: 'serverError', code: 'serverError', reason: `Slack answered HTTP ${status}` };
      return { ok: false, retryable: false, failure: 'clientError', code: 'clientError', reason: `Slack answered HTTP ${status}` };
    }
    case ErrorCode.RequestError: {
      const timedOut = /abort|timeout/i.test(describe(err));
      const failure = timedOut ? 'timeout' : 'serverError';
      return { ok: false, retryable: true, failure, code: failure, reason: `could not reach Slack: ${describe(err)}` };
    }
    case ErrorCode.PlatformError: {
      const error = e.data?.error ?? 'unknown_error';
      if (TRANSIENT_PLATFORM_ERRORS.has(error)) return { ok: false, retryable: true, failure: 'serverError', code: 'serverError', reason: `Slack answered ${error}` };
      if (AUTH_PLATFORM_ERRORS.has(error)) return { ok: false, retryable: false, failure: 'authError', code: 'authError', reason: platformReason(error, where) };
      const known = KNOWN_PLATFORM_ERRORS.get(error);
      if (known) return { ok: false, retryable: false, failure: known, code: error, reason: platformReason(error, where) };
      return { ok: false, retryable: false, failure: 'clientError', code: 'clientError', reason: platformReason(error, where) };
    }
  }
  if (err instanceof BridgeError) return { ok: false, retryable: false, failure: 'other', code: err.code, reason: err.message };
  return { ok: false, retryable: false, failure: 'other', code: 'other', reason: `unexpected error: ${describe(err)}` };
}

/** Finds a channel's id by name with conversations.list, page by page; undefined when the bot cannot see it. */
export async function findChannelId(client: WebClient, name: string): Promise<string | undefined> {
  let cursor: string | undefined;
  do {
    const page = await client.conversations.list({
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    const hit = page.channels?.find((c) => c.name === name || c.name_normalized === name);
    if (hit?.id) return hit.id;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}

/** The Slack receiver: posts, edits or threads one message per entity, and maps Slack's answers onto the contract. */
export function createSlackReceiver(rc: SlackReceiverConfig, deps: SlackReceiverDeps): SlackReceiver {
  const configured = rc.slack.channel;
  const where = configured.startsWith('#') ? configured : `channel ${configured}`;
  const channel = channelResolver(rc, deps);
  const messages = slackMessages(rc, deps);

  return {
    name: rc.name,
    kind: 'slack',
    usesHistory: true,
    pacing: pacingFor(SLACK_DEFAULT_PACING, rc.pacing),
    destinationKey: () => `slack:${configured}`,
    async deliver(job, ctx) {
      try {
        const channelId = await untilAborted(channel.resolve(), ctx.signal);
        // A group's digest (edited in place) or a reminder in the check's thread: slack/digest.ts.
        if (job.kind === 'digest') return await deliverSlackDigest(deps.client, channelId, job, ctx, rc, deps.config);
        if (job.kind === 'reminder') return await deliverSlackReminder(deps.client, channelId, job, ctx, rc, deps.config);
        const message = await withCheckState(messageOf(job, ctx, rc, deps.config), job, rc.slack.actions, deps);
        if (job.actionId !== undefined) return await showCheckState(channelId, message, ctx, messages, rc);
        return await postOrUpdate(channelId, message, ctx, messages, rc);
      } catch (err) {
        if (err instanceof Aborted) return { ok: false, retryable: true, failure: 'timeout', code: 'timeout', reason: 'Slack did not answer before the delivery timeout' };
        return slackErrorToResult(err, where);
      }
    },
    async start() {
      try {
        await channel.resolve();
      } catch (err) {
        if (err instanceof BridgeError) throw err;
        const r = slackErrorToResult(err, where);
        throw new BridgeError('slack_channel_resolve_failed', `receiver "${rc.name}": could not resolve ${configured}: ${r.reason}`, { cause: err });
      }
    },
    channelId: channel.current,
  };
}

/** The configured channel's id: an id as it is, a `#name` looked up once (one lookup at a time). */
function channelResolver(rc: SlackReceiverConfig, deps: SlackReceiverDeps) {
  const configured = rc.slack.channel;
  let resolved: string | undefined = configured.startsWith('#') ? undefined : configured;
  let resolving: Promise<string> | undefined;

  function resolve(): Promise<string> {
    if (resolved) return Promise.resolve(resolved);
    resolving ??= findChannelId(deps.client, configured.slice(1)).then(
      (id) => {
        if (!id) {
          throw new BridgeError(
            'slack_channel_not_found',
            `receiver "${rc.name}": Slack channel ${configured} not found. For a private channel invite the bot first (/invite @aver-bridge); or set slack.channel to the channel id (channel details, at the bottom).`,
          );
        }
        resolved = id;
        deps.logger.info({ receiver: rc.name, channel: configured, channelId: id }, 'resolved Slack channel');
        return id;
      },
    ).finally(() => { resolving = undefined; });
    return resolving;
  }

  return { resolve, current: (): string | undefined => resolved };
}

/** The three calls a delivery makes, each given up when the delivery's signal aborts. */
interface SlackMessages {
  post(channel: string, message: Message, signal: AbortSignal): Promise<MessageRef>;
  edit(previous: MessageRef, message: Message, signal: AbortSignal, withMention: boolean): Promise<void>;
  reply(previous: MessageRef, message: Message, signal: AbortSignal): Promise<void>;
}

/** The delivery's message: the model, with the receiver's mentions for its status. */
function messageOf(job: DeliveryJob, ctx: DeliveryContext, rc: SlackReceiverConfig, config: Config): Message {
  // Keyed by the webhook's status: own properties only, so "constructor" is just a status without mentions.
  return receiverMessage(job, ctx, config, rc, mentionsFor(rc.slack.mention, job.event.status));
}

function slackMessages(rc: SlackReceiverConfig, deps: SlackReceiverDeps): SlackMessages {
  const { client } = deps;
  const broadcast = rc.slack.broadcast ?? DEFAULT_BROADCAST;
  return {
    async post(channel, message, signal) {
      const m = formatSlackMessage(message);
      const r = await untilAborted(
        client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, attachments: m.attachments, unfurl_links: false, unfurl_media: false }),
        signal,
      );
      return { channel: r.channel ?? channel, messageId: String(r.ts) };
    },
    async edit(previous, message, signal, withMention) {
      const m = formatSlackMessage(message, { mentions: withMention });
      await untilAborted(
        client.chat.update({ channel: previous.channel, ts: previous.messageId, text: m.text, blocks: m.blocks, attachments: m.attachments }),
        signal,
      );
    },
    async reply(previous, message, signal) {
      const reply = formatThreadReply(message, { broadcast: broadcasts(broadcast, message.severity) });
      await untilAborted(
        client.chat.postMessage({ channel: previous.channel, thread_ts: previous.messageId, text: reply.text, reply_broadcast: reply.reply_broadcast }),
        signal,
      );
    },
  };
}

/**
 * A job that follows a check action: edits the check's message in this channel to show who is on it, as it reads
 * otherwise (no thread reply, mentions as the last edit had them). Nothing to do without one, or when it is gone.
 */
async function showCheckState(channel: string, message: Message, ctx: DeliveryContext, messages: SlackMessages, rc: SlackReceiverConfig): Promise<DeliveryResult> {
  const previous = ctx.previous;
  if (!previous || previous.channel !== channel) return { ok: true };
  try {
    await messages.edit(previous, message, ctx.signal, (rc.slack.updates ?? 'thread') !== 'thread');
  } catch (err) {
    if ((err as { data?: { error?: string } }).data?.error !== 'message_not_found') throw err;
    ctx.logger.info({ receiver: rc.name, channel, ts: previous.messageId }, 'Slack message gone; nothing to show the check state on');
  }
  return { ok: true };
}

/**
 * One delivery by `updates`: `new` posts every status; `edit` edits the entity's first message; `thread` edits
 * it and replies in its thread. A first message deleted in Slack, or one in another channel (the receiver
 * moved), is replaced by a new one.
 */
async function postOrUpdate(channel: string, message: Message, ctx: DeliveryContext, messages: SlackMessages, rc: SlackReceiverConfig): Promise<DeliveryResult> {
  const mode = rc.slack.updates ?? 'thread';
  const previous = ctx.previous;
  if (mode === 'new' || !previous || previous.channel !== channel) {
    return { ok: true, messageRef: await messages.post(channel, message, ctx.signal) };
  }
  try {
    await messages.edit(previous, message, ctx.signal, mode === 'edit');
  } catch (err) {
    if ((err as { data?: { error?: string } }).data?.error !== 'message_not_found') throw err;
    ctx.logger.info({ receiver: rc.name, channel, ts: previous.messageId }, 'Slack message gone; posting a new one');
    return { ok: true, messageRef: await messages.post(channel, message, ctx.signal) };
  }
  if (mode === 'thread') await messages.reply(previous, message, ctx.signal);
  return { ok: true, messageRef: previous };
}
