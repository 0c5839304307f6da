import { parse as parseQuery } from 'node:querystring';
import { App, ReceiverMultipleAckError, verifySlackRequest } from '@slack/bolt';
import type { Receiver as BoltReceiver, ReceiverEvent, SlashCommand } from '@slack/bolt';
import type { Middleware, Context as KoaContext } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { BridgeError } from '../../errors.js';
import type { SlackConfig } from '../../model/config.js';
import { COMMAND_HELP, type ChatCommands, type RouteAnswer, type StatusAnswer } from '../../model/chat-commands.js';
import { slackLogger } from './deliver.js';
import { describeStatusReason, describeWarning } from '../../aver/enrich.js';
import { escapeSlack, fit, historyLine, slackDate, statusStyle, truncate } from './format.js';

type BoltApp = App;

/** Slack's events and commands are small; anything bigger is not from Slack. */
export const SLACK_EVENTS_BODY_LIMIT = 1024 * 1024;
/** Slack stops waiting after 3 s; a listener that has not acked by then will not be heard. */
const ACK_TIMEOUT_MS = 3001;
const MAX_SKEW_S = 5 * 60;

export interface SlackEventsDeps {
  slack: SlackConfig;
  commands: ChatCommands;
  /** Names of the receivers that post to this Slack channel id. */
  receiversForChannel: (channelId: string) => string[];
  logger: Logger;
  clock: Clock;
}

export interface SlackEvents {
  /** Mount for `POST /slack/events`, with no body parser before it: it reads the raw body itself. */
  middleware: Middleware;
  app: BoltApp;
}

/** Bolt's App fed by our Koa server: the receiver is a shim whose only job is to hand Bolt the App. */
export function createSlackEvents(deps: SlackEventsDeps): SlackEvents {
  const { slack, clock } = deps;
  const signingSecret = slack.signingSecret;
  if (!signingSecret) {
    throw new BridgeError(
      'slack_signing_secret_missing',
      'slack.signingSecret is needed to answer /slack/events: copy the Signing Secret from your Slack app\'s "Basic Information" page into SLACK_SIGNING_SECRET.',
    );
  }
  const logger = deps.logger.child({ component: 'slack-events' });

  let boltApp: BoltApp | undefined;
  const shim: BoltReceiver = {
    init: (a) => { boltApp = a; },
    start: async () => undefined,
    stop: async () => undefined,
  };
  const app = new App({
    receiver: shim,
    // A fixed authorization: Bolt would otherwise call auth.test on every request. The token is checked at start-up (verifySlackToken).
    authorize: async () => ({ botToken: slack.botToken }),
    tokenVerificationEnabled: false,
    convoStore: false,
    logger: slackLogger(deps.logger, 'slack-bolt'),
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
  });

  app.command('/aver', async ({ command, ack }) => {
    let text: string;
    try {
      text = await answerCommand(command, deps);
    } catch (err) {
      logger.error({ err, command: command.command }, '/aver failed');
      const code = err instanceof BridgeError ? err.code : 'internal_error';
      text = `:warning: Sorry, that did not work (${code}). The bridge's log has the details.`;
    }
    await ack({ response_type: 'ephemeral', text: truncate(text, 3000) });
  });
  // The "Open in Aver" button only opens a link; acknowledge its click so Slack shows no warning.
  app.action('open_in_aver', async ({ ack }) => { await ack(); });

  const middleware: Middleware = async (ctx) => {
    if (ctx.method !== 'POST') return reply(ctx, 405, 'method_not_allowed', 'Use POST.');

    const declared = Number(ctx.get('content-length') || 0);
    if (declared > SLACK_EVENTS_BODY_LIMIT) return reply(ctx, 413, 'slack_body_too_large', 'Request body too large.');
    const raw = await readRaw(ctx, SLACK_EVENTS_BODY_LIMIT);
    if (raw === undefined) return reply(ctx, 413, 'slack_body_too_large', 'Request body too large.');

    const isForm = ctx.get('content-type').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
    // Slack's ssl_check carries no signature; answering it reveals nothing (as Bolt's HTTPReceiver does).
    if (isForm && parseQuery(raw).ssl_check === '1') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }

    const problem = signatureProblem(raw, ctx.get('x-slack-signature'), ctx.get('x-slack-request-timestamp'), signingSecret, clock.now());
    if (problem) {
      logger.warn({ problem }, 'rejected a Slack request with a bad signature');
      return reply(ctx, 401, 'slack_signature_invalid', problem);
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, isForm);
    } catch {
      return reply(ctx, 400, 'slack_body_invalid', 'The body is not valid JSON or form data.');
    }

    if (body.type === 'url_verification') {
      ctx.status = 200;
      ctx.body = { challenge: body.challenge };
      return;
    }

    await dispatch(ctx, body);
  };

  async function dispatch(ctx: KoaContext, body: Record<string, unknown>): Promise<void> {
    let acked = false;
    let ackResponse: unknown;
    let settle!: (how: 'acked' | 'done' | 'timeout') => void;
    const outcome = new Promise<'acked' | 'done' | 'timeout'>((resolve) => { settle = resolve; });
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (acked) throw new ReceiverMultipleAckError();
        acked = true;
        ackResponse = response;
        settle('acked');
      },
      retryNum: numberHeader(ctx.get('x-slack-retry-num')),
      retryReason: ctx.get('x-slack-retry-reason') || undefined,
    };
    let failure: unknown;
    void (boltApp ?? app).processEvent(event).then(
      () => settle('done'),
      (err) => {
        failure = err;
        if (acked) logger.error({ err }, 'a Slack listener failed after acknowledging');
        settle('done');
      },
    );
    // A real timer, not the injected clock: it guards real I/O, and a test clock that sleeps instantly must not trip it.
    const watchdog = setTimeout(() => settle('timeout'), ACK_TIMEOUT_MS);
    watchdog.unref();
    const how = await outcome;
    clearTimeout(watchdog);

    if (acked) {
      ctx.status = 200;
      if (ackResponse === undefined || ackResponse === null || ackResponse === '') ctx.body = '';
      else ctx.body = ackResponse as string | object;
      return;
    }
    if (failure !== undefined) {
      logger.error({ err: failure }, 'Bolt failed to process a Slack request');
      return reply(ctx, 500, 'slack_event_failed', 'The request could not be processed.');
    }
    if (how === 'timeout') logger.error('a Slack request was not acknowledged in time');
    return reply(ctx, 404, 'slack_event_unhandled', 'Nothing here handles this kind of Slack request.');
  }

  return { middleware, app };
}

function reply(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.body = { error: { code, message } };
}

function numberHeader(value: string): number | undefined {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads the request body as text; undefined as soon as it passes `limit` bytes (the rest flows away unread). */
function readRaw(ctx: KoaContext, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = ctx.req;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) return;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => { if (!tooLarge) resolve(Buffer.concat(chunks).toString('utf8')); });
    req.once('error', reject);
  });
}

/** Verifies with Bolt's own helper; Bolt only rejects old timestamps, so far-future ones are refused here too. */
function signatureProblem(raw: string, signature: string, timestamp: string, signingSecret: string, nowMs: number): string | undefined {
  if (!signature || !timestamp) return 'The x-slack-signature and x-slack-request-timestamp headers are required.';
  const ts = Number(timestamp);
  if (!Number.isInteger(ts)) return 'x-slack-request-timestamp is not a number.';
  if (ts > Math.floor(nowMs / 1000) + MAX_SKEW_S) return 'x-slack-request-timestamp is too far in the future.';
  try {
    verifySlackRequest({
      signingSecret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': ts },
      nowMilliseconds: nowMs,
    });
    return undefined;
  } catch (err) {
    return err instanceof Error && /stale|differ/.test(err.message)
      ? 'The request is stale: its timestamp is more than 5 minutes old.'
      : 'The request signature does not match.';
  }
}

function parseBody(raw: string, isForm: boolean): Record<string, unknown> {
  if (isForm) {
    const q = parseQuery(raw);
    if (typeof q.payload === 'string') return JSON.parse(q.payload) as Record<string, unknown>;
    return q as Record<string, unknown>;
  }
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

/** The text of an `/aver` answer (mrkdwn); every stored, Aver-derived string is escaped. */
export async function answerCommand(command: Pick<SlashCommand, 'text' | 'channel_id'>, deps: Pick<SlackEventsDeps, 'commands' | 'receiversForChannel'>): Promise<string> {
  const [sub = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
  const receivers = deps.receiversForChannel(command.channel_id);
  switch (sub.toLowerCase()) {
    case 'help':
      return helpText();
    case 'routes':
      if (receivers.length === 0) return notHere();
      return routesText(receivers, deps.commands.routes(receivers));
    case 'status': {
      const id = args[0];
      if (!id) return 'Usage: `/aver status &lt;id&gt;`, with the id of a check or watchlist search.';
      const answer = await deps.commands.status(id);
      return answer ? statusText(answer) : `The bridge has recorded nothing for ${fit(id, 200)}.`;
    }
    case 'test': {
      if (receivers.length === 0) return notHere();
      const sent = await deps.commands.test(receivers);
      return `:test_tube: Sent a sample event (id ${fit(sent.entityId, 200)}, event ${fit(sent.eventId, 100)}) through the bridge to ${receivers.map((r) => `*${escapeSlack(r)}*`).join(', ')}. It should appear in this channel shortly.`;
    }
    default:
      return `Unknown command ${fit(sub, 100)}.\n\n${helpText()}`;
  }
}

function helpText(): string {
  return ['*/aver* asks aver-bridge what it knows:', ...COMMAND_HELP.map((c) => `• \`/aver ${escapeSlack(c.command)}\`: ${escapeSlack(c.description)}`)].join('\n');
}

function notHere(): string {
  return 'No receiver of this bridge posts to this channel. Receivers name their channel (id or #name) in the bridge configuration.';
}

function routesText(receivers: string[], routes: RouteAnswer[]): string {
  if (routes.length === 0) {
    return `${receivers.map((r) => `*${escapeSlack(r)}*`).join(', ')} post${receivers.length === 1 ? 's' : ''} here, but no route delivers to ${receivers.length === 1 ? 'it' : 'them'}.`;
  }
  const lines = routes.map((r) => {
    const when = r.isDefault || r.matchers.length === 0
      ? 'everything no other route takes'
      : r.matchers.map((m) => `\`${escapeSlack(m)}\``).join(' and ');
    return `• *${escapeSlack(r.receiver)}*: ${when}`;
  });
  return ['Routes that deliver to this channel:', ...lines].join('\n');
}

function statusText(a: StatusAnswer): string {
  const style = statusStyle(a.status);
  const group = a.group && a.group !== a.groupId ? `${fit(a.group, 200)} (${fit(a.groupId, 200)})` : fit(a.groupId, 200);
  const lines = [
    `${style.emoji} *${fit(a.type, 100)}* ${fit(a.id, 200)}: *${fit(a.status, 100)}*`,
    `Group: ${group}`,
  ];
  if (a.history.length > 0) {
    const last = a.history[a.history.length - 1];
    lines.push(`History: ${historyLine(a.history, 1200)} (last ${slackDate(last.at)})`);
  }
  if (a.details?.available) {
    if (a.details.statusReason) lines.push(`Reason: ${fit(describeStatusReason(a.details.statusReason), 300)}`);
    if (a.details.warnings?.length) lines.push(`Warnings: ${fit(a.details.warnings.map(describeWarning).join(', '), 600)}`);
  }
  if (a.deliveries.length > 0) {
    lines.push('Deliveries of the latest event:');
    for (const d of a.deliveries) {
      const why = d.lastReason ? `: ${fit(d.lastReason, 200)}` : '';
      lines.push(`• *${escapeSlack(d.receiver)}*: ${escapeSlack(d.state)}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${why}`);
    }
  }
  return lines.join('\n');
}
