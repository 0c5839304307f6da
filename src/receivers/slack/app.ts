import { parse as parseQuery } from 'node:querystring';
import { App, ReceiverMultipleAckError, verifySlackRequest } from '@slack/bolt';
import type { Receiver as BoltReceiver, ReceiverEvent, SlashCommand } from '@slack/bolt';
import type { Middleware, Context as KoaContext } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { BridgeError } from '../../errors.js';
import { readBody } from '../../http/read-body.js';
import type { SlackConfig } from '../../model/config.js';
import { ACTION_COMMANDS, COMMAND_HELP, type ChatCommands, type RouteAnswer, type StatusAnswer } from '../../model/chat-commands.js';
import { boltBodyProblem } from './bolt-body.js';
import { slackLogger } from './deliver.js';
import { answerActionCommand, listenForCheckActions, statusStateLines } from './actions.js';
import { describeStatusReason, describeWarning } from '../../aver/enrich.js';
import { escapeSlack, escapeSlackCode, fit, historyLine, slackDate, statusStyle, truncate } from './format.js';

type BoltApp = App;
type ProcessEvent = (event: ReceiverEvent) => Promise<void>;

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
  /**
   * Mount for `POST /slack/events`, behind renderErrors (its refusals are thrown BridgeErrors) and with no body
   * parser before it: it reads the raw body itself.
   */
  middleware: Middleware;
  app: BoltApp;
}

/** Bolt's App fed by our Koa server: the receiver is a shim whose only job is to hand Bolt the App. */
export function createSlackEvents(deps: SlackEventsDeps): SlackEvents {
  const signingSecret = requireSigningSecret(deps.slack);
  const logger = deps.logger.child({ component: 'slack-events' });
  const { app, processEvent } = createBoltApp(deps, logger);

  // Checks in a fixed order: method 405, size 413, signature 401, body 400; then Bolt answers (or 404, 500).
  const middleware: Middleware = async (ctx) => {
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      throw new BridgeError('method_not_allowed', 'Use POST.', { status: 405 });
    }
    const raw = (await readBody(ctx, SLACK_EVENTS_BODY_LIMIT)).toString('utf8');
    const isForm = ctx.get('content-type').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
    // Slack's ssl_check carries no signature; answering it reveals nothing (as Bolt's HTTPReceiver does).
    if (isForm && parseQuery(raw).ssl_check === '1') return answer(ctx, '');
    verifySignature(ctx, raw, signingSecret, deps.clock.now(), logger);
    const body = parseBody(raw, isForm);
    if (body.type === 'url_verification') return answer(ctx, { challenge: body.challenge });
    const problem = boltBodyProblem(body);
    if (problem) throw new BridgeError('slack_body_invalid', `The body is not a Slack request Bolt can take: ${problem}.`, { status: 400 });
    answerDispatch(ctx, await dispatch(processEvent, ctx, body, logger), logger);
  };

  return { middleware, app };
}

function requireSigningSecret(slack: SlackConfig): string {
  if (slack.signingSecret) return slack.signingSecret;
  throw new BridgeError(
    'slack_signing_secret_missing',
    'slack.signingSecret is needed to answer /slack/events: copy the Signing Secret from your Slack app\'s "Basic Information" page into SLACK_SIGNING_SECRET.',
  );
}

/** Bolt's App with the bridge's listeners (`/aver`, the "Open in Aver" button), and how to feed it one request. */
function createBoltApp(deps: SlackEventsDeps, logger: Logger): { app: BoltApp; processEvent: ProcessEvent } {
  const { slack } = deps;
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
  listenForCheckActions(app, deps, logger);

  return { app, processEvent: (event) => (boltApp ?? app).processEvent(event) };
}

function answer(ctx: KoaContext, body: string | object): void {
  ctx.status = 200;
  ctx.body = body;
}

/** Refuses a request whose signature is missing, wrong, or outside the 5-minute window (401). */
function verifySignature(ctx: KoaContext, raw: string, signingSecret: string, nowMs: number, logger: Logger): void {
  const problem = signatureProblem(raw, ctx.get('x-slack-signature'), ctx.get('x-slack-request-timestamp'), signingSecret, nowMs);
  if (!problem) return;
  logger.warn({ problem }, 'rejected a Slack request with a bad signature');
  throw new BridgeError('slack_signature_invalid', problem, { status: 401 });
}

type Dispatched = { acked: true; response: unknown } | { acked: false; failure: unknown; timedOut: boolean };

/** Hands the request to Bolt; settles when a listener acks, when Bolt is done without one, or after Slack's 3 s. */
async function dispatch(processEvent: ProcessEvent, ctx: KoaContext, body: Record<string, unknown>, logger: Logger): Promise<Dispatched> {
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
  void processEvent(event).then(
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
  return acked ? { acked, response: ackResponse } : { acked, failure, timedOut: how === 'timeout' };
}

/** The ack's response as the HTTP answer; a request Bolt failed on is a 500, one nothing acked a 404. */
function answerDispatch(ctx: KoaContext, d: Dispatched, logger: Logger): void {
  if (d.acked) return answer(ctx, d.response === undefined || d.response === null || d.response === '' ? '' : (d.response));
  if (d.failure !== undefined) {
    // renderErrors logs it, with Bolt's error as the cause, and shows Slack only the status text.
    throw new BridgeError('slack_event_failed', 'Bolt failed to process a Slack request', { status: 500, cause: d.failure });
  }
  if (d.timedOut) logger.error('a Slack request was not acknowledged in time');
  throw new BridgeError('slack_event_unhandled', 'Nothing here handles this kind of Slack request.', { status: 404 });
}

function numberHeader(value: string): number | undefined {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : undefined;
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

/** The request as Bolt takes it: a JSON object, or form fields (an interaction's `payload` parsed); else a 400. */
function parseBody(raw: string, isForm: boolean): Record<string, unknown> {
  try {
    return parseFormOrJson(raw, isForm);
  } catch {
    throw new BridgeError('slack_body_invalid', 'The body is not valid JSON or form data.', { status: 400 });
  }
}

function parseFormOrJson(raw: string, isForm: boolean): Record<string, unknown> {
  if (isForm) {
    const q = parseQuery(raw);
    if (typeof q.payload === 'string') return JSON.parse(q.payload) as Record<string, unknown>;
    return q;
  }
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

/** The text of an `/aver` answer (mrkdwn); every stored, Aver-derived string is escaped. */
export async function answerCommand(
  command: Pick<SlashCommand, 'text' | 'channel_id'> & Partial<Pick<SlashCommand, 'user_id' | 'user_name'>>,
  deps: Pick<SlackEventsDeps, 'commands' | 'receiversForChannel'>,
): Promise<string> {
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
      // Only about checks routed to this channel; anything else, unknown or not, gets the same answer.
      const answer = await deps.commands.status(id, receivers);
      return answer ? statusText(answer) : `Nothing about ${fit(id, 200)} was routed to this channel.`;
    }
    case 'test': {
      if (receivers.length === 0) return notHere();
      const sent = await deps.commands.test(receivers);
      return `:test_tube: Sent a sample event (id ${fit(sent.entityId, 200)}, event ${fit(sent.eventId, 100)}) through the bridge to ${receivers.map((r) => `*${escapeSlack(r)}*`).join(', ')}. It should appear in this channel shortly.`;
    }
    case 'ack':
    case 'acknowledge':
    case 'assign':
    case 'unassign':
      // As the person Slack says sent the command: its user_id, never a name in the text.
      return answerActionCommand(ACTION_COMMANDS[sub.toLowerCase()], args, command, deps);
    default:
      return `Unknown command ${fit(sub, 100)}.\n\n${helpText()}`;
  }
}

function helpText(): string {
  return ['*/aver* asks aver-bridge what it knows:', ...COMMAND_HELP.map((c) => `• \`/aver ${escapeSlackCode(c.command)}\`: ${escapeSlack(c.description)}`)].join('\n');
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
      : r.matchers.map((m) => `\`${escapeSlackCode(m)}\``).join(' and ');
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
  lines.push(...statusStateLines(a.checkState));
  if (a.deliveries.length > 0) {
    lines.push('Deliveries of the latest event:');
    for (const d of a.deliveries) {
      const why = d.lastReason ? `: ${fit(d.lastReason, 200)}` : '';
      lines.push(`• *${escapeSlack(d.receiver)}*: ${escapeSlack(d.state)}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${why}`);
    }
  }
  return lines.join('\n');
}
