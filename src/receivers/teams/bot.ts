import { MessageFactory, TeamsInfo, TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
// Not re-exported by the package: what CloudAdapter.process does to a body before processing it.
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator.js';
import { AuthenticationError } from 'botframework-connector';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { ChatCommands } from '../../model/chat-commands.js';
import type { CheckPerson } from '../../model/check-state.js';
import type { TeamsConfig } from '../../model/config.js';
import { BridgeError } from '../../errors.js';
import { readBody } from '../../http/read-body.js';
import type { Store, TeamsInstallation } from '../../store/store.js';
import { activityShapeProblem } from './activity-shape.js';
import { unendorsedChannel } from './token-problem.js';
import { createTeamsAdapter, teamsAuthDisabled, type TeamsAdapter } from './adapter.js';
import { teamsCommandReply } from './commands.js';
import { answerCardAction, CARD_ACTION_INVOKE, teamsActor, type CardActionDeps } from './card-actions.js';
import { baseConversationId, tenantAllowed } from './resolve-channel.js';

export { teamsAuthDisabled } from './adapter.js';

/** Where Teams (the Bot Framework service) posts activities. */
export const TEAMS_MESSAGES_PATH = '/api/messages';
/** Activities are small JSON documents; anything bigger is not from Teams. */
const MAX_ACTIVITY_BYTES = 1024 * 1024;

export interface TeamsBotDeps {
  teams: TeamsConfig | undefined;
  store: Store;
  commands: ChatCommands;
  /** Names of the receivers that deliver to a Teams channel (or group chat) id. */
  receiversForConversation: (channelId: string) => string[] | Promise<string[]>;
  logger: Logger;
  clock: Clock;
  /** The card of a check as a receiver shows it now, for the answer to a click on one of its buttons. */
  checkCard?: CardActionDeps['checkCard'];
}

export interface TeamsBot {
  adapter: CloudAdapter;
  /** Handles POST /api/messages (other paths fall through to `next`). */
  middleware: Koa.Middleware;
}

interface TeamsChannelData {
  eventType?: string;
  team?: { id?: string; name?: string; aadGroupId?: string };
  channel?: { id?: string; name?: string };
  tenant?: { id?: string };
}

/** The Teams bot: a CloudAdapter behind a thin Koa shim, recording installations and answering @mention commands. */
export function createTeamsBot(deps: TeamsBotDeps): TeamsBot {
  const adapter = createTeamsAdapter(deps.teams);
  const logic = (context: TurnContext) => handleTurn(context, deps);
  return { adapter, middleware: koaShim(adapter, logic, { authOn: !teamsAuthDisabled(deps.teams), logger: deps.logger, clock: deps.clock }) };
}

/** The activity: the body (up to MAX_ACTIVITY_BYTES, else 413) as a JSON object with a type (else 400). */
async function readActivity(ctx: Koa.Context): Promise<Activity> {
  const raw = await readBody(ctx, MAX_ACTIVITY_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BridgeError('invalid_json', 'the activity is not valid JSON', { status: 400 });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BridgeError('teams_bad_activity', 'the activity must be a JSON object', { status: 400 });
  }
  if (typeof (parsed as { type?: unknown }).type !== 'string') throw new BridgeError('teams_bad_activity', 'the activity has no type', { status: 400 });
  const problem = activityShapeProblem(parsed as Record<string, unknown>);
  if (problem) throw new BridgeError('teams_bad_activity', `the activity is malformed: ${problem}`, { status: 400 });
  return validateAndFixActivity(parsed as Activity);
}

/**
 * POST /api/messages, checked in order: 405, 401 (no token, or one refused quietly here), 413, 400, then botbuilder
 * authenticates (401) and runs the turn. A refused token is one warn line; nothing reaches stderr.
 */
function koaShim(adapter: TeamsAdapter, logic: (context: TurnContext) => Promise<void>, deps: { authOn: boolean; logger: Logger; clock: Clock }): Koa.Middleware {
  const refuse = (problem: string, code: 'unauthorized' | 'teams_token_invalid' = 'teams_token_invalid'): never => {
    deps.logger.warn({ code, problem: problem.slice(0, 200) }, 'refused a Teams request without a valid token');
    throw new BridgeError(code, 'Unauthorized Access. Request is not authorized', { status: 401 });
  };
  return async (ctx, next) => {
    if (ctx.path !== TEAMS_MESSAGES_PATH) return next();
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      throw new BridgeError('method_not_allowed', 'use POST', { status: 405 });
    }
    const authHeader = ctx.get('authorization');
    if (deps.authOn && !authHeader) refuse('no Authorization header', 'unauthorized');
    let endorsements: readonly string[] | undefined;
    if (authHeader) {
      const check = await adapter.checkToken(authHeader, deps.clock.now());
      if (!check.ok && check.status === 401) refuse(check.problem);
      if (!check.ok) throw new BridgeError('teams_activity_failed', check.problem, { status: 503 });
      endorsements = check.endorsements;
    }
    const activity = await readActivity(ctx);
    const unendorsed = unendorsedChannel(activity.channelId, endorsements);
    if (unendorsed) refuse(unendorsed);
    let response: Awaited<ReturnType<TeamsAdapter['receive']>>;
    try {
      response = await adapter.receive(authHeader, activity, logic);
    } catch (err) {
      if (!isTokenRefusal(err)) throw new BridgeError('teams_activity_failed', 'the activity could not be processed', { status: 500, cause: err });
      refuse(String((err as Error).message));
    }
    ctx.status = response?.status ?? 200;
    if (response?.body !== undefined && response.body !== null && response.body !== '') ctx.body = response.body;
  };
}

/** botbuilder's refusal of a token: its AuthenticationError (401), or jsonwebtoken's errors passed on unwrapped. */
function isTokenRefusal(err: unknown): boolean {
  if (err instanceof AuthenticationError) return err.statusCode === 401 || err.statusCode === 403;
  const name = (err as { name?: unknown })?.name;
  return name === 'JsonWebTokenError' || name === 'NotBeforeError' || name === 'TokenExpiredError';
}

async function handleTurn(context: TurnContext, deps: TeamsBotDeps): Promise<void> {
  const a = context.activity;
  if (a.channelId !== 'msteams' && a.channelId !== 'emulator') return;
  const data = (a.channelData ?? {}) as TeamsChannelData;
  const tenantId = data.tenant?.id ?? a.conversation?.tenantId ?? '';
  const allowed = deps.teams?.allowedTenants ?? [];
  if (!tenantAllowed(tenantId, allowed)) {
    // Nothing recorded, nothing answered: no message goes to a tenant the bridge does not serve.
    deps.logger.warn({ tenantId: tenantId.slice(0, 64), type: a.type }, 'ignored a Teams activity from a tenant not in teams.allowedTenants');
    return;
  }
  const botId = a.recipient?.id;
  if (a.type === 'installationUpdate') {
    if (a.action?.startsWith('add')) await recordInstall(context, deps);
    else if (a.action?.startsWith('remove')) await removeTeam(installTeamId(context), deps);
    return;
  }
  if (a.type === 'conversationUpdate') {
    switch (data.eventType) {
      case 'teamRenamed': return renameTeam(data, deps);
      case 'channelCreated':
      case 'channelRenamed': return putChannel(context, data, false, deps);
      case 'channelDeleted': return putChannel(context, data, true, deps);
      case 'teamDeleted':
      case 'teamHardDeleted': return removeTeam(data.team?.id ?? installTeamId(context), deps);
      default:
        if (a.membersAdded?.some((m) => m.id === botId)) return recordInstall(context, deps);
        if (a.membersRemoved?.some((m) => m.id === botId)) return removeTeam(installTeamId(context), deps);
        return;
    }
  }
  if (a.type === 'invoke' && a.name === CARD_ACTION_INVOKE) {
    const channelId = data.channel?.id ?? baseConversationId(a.conversation?.id ?? '');
    return answerCardAction(context, channelId, await deps.receiversForConversation(channelId), deps);
  }
  if (a.type === 'message') {
    try {
      const text = TurnContext.removeRecipientMention(a) ?? a.text ?? '';
      const channelId = data.channel?.id ?? baseConversationId(a.conversation?.id ?? '');
      const receivers = await deps.receiversForConversation(channelId);
      const people = { actor: teamsActor(a.from), mentioned: mentionedPeople(a) };
      const answer = await teamsCommandReply(cleanCommandText(text), { channelId, receivers, commands: deps.commands, ...people });
      await context.sendActivity({ ...MessageFactory.text(answer), textFormat: 'markdown' });
    } catch (err) {
      deps.logger.error({ err: errSummary(err) }, 'Teams command failed');
      await context.sendActivity(MessageFactory.text('Sorry, that did not work. The bridge logged the error.')).catch(() => undefined);
    }
  }
}

/** The people an @mention message names besides the bot, as Teams' mention entities say (their AAD id when given). */
function mentionedPeople(a: Activity): CheckPerson[] {
  return (a.entities ?? [])
    .filter((e) => e.type === 'mention')
    .map((e) => (e as { mentioned?: { id?: string; name?: string; aadObjectId?: string } }).mentioned)
    .filter((m): m is { id: string; name?: string; aadObjectId?: string } => typeof m?.id === 'string' && m.id !== a.recipient?.id)
    .map((m) => teamsActor({ id: m.id, name: m.name ?? '', ...(m.aadObjectId ? { aadObjectId: m.aadObjectId } : {}) }));
}

/** Text of an @mention message, without markup the Teams client adds (tags, non-breaking spaces). */
export function cleanCommandText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function errSummary(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; code?: string; statusCode?: number; message?: string };
  return { name: e?.name, code: e?.code, statusCode: e?.statusCode, message: String(e?.message ?? err).slice(0, 300) };
}

/** The team id (or, in a group chat, the chat's conversation id) an install event is about. */
function installTeamId(context: TurnContext): string {
  const data = (context.activity.channelData ?? {}) as TeamsChannelData;
  return data.team?.id ?? baseConversationId(context.activity.conversation?.id ?? '');
}

async function recordInstall(context: TurnContext, deps: TeamsBotDeps): Promise<void> {
  const a = context.activity;
  const data = (a.channelData ?? {}) as TeamsChannelData;
  const now = deps.clock.now();
  const reference = TurnContext.getConversationReference(a);
  const tenantId = data.tenant?.id ?? a.conversation?.tenantId ?? '';
  const serviceUrl = a.serviceUrl ?? '';
  const teamId = data.team?.id;
  if (!teamId) {
    // A group chat: the chat is the only "channel".
    const chatId = baseConversationId(a.conversation?.id ?? '');
    if (!chatId) return;
    const name = a.conversation?.name || 'Group chat';
    await deps.store.putInstallation({
      teamId: chatId, teamName: name, channelId: chatId, channelName: name, serviceUrl, tenantId,
      reference: referenceFor(reference, chatId), removed: false, updatedAt: now,
    });
    deps.logger.info({ conversationId: chatId }, 'Teams bot added to a group chat');
    return;
  }
  let teamName = data.team?.name ?? '';
  if (!teamName) {
    teamName = (await TeamsInfo.getTeamDetails(context, teamId).catch(() => undefined))?.name ?? '';
  }
  let channels: Array<{ id: string; name: string }>;
  try {
    const list = await TeamsInfo.getTeamChannels(context, teamId);
    channels = list.filter((c) => c.id).map((c) => ({ id: c.id as string, name: c.name || 'General' }));
  } catch (err) {
    deps.logger.warn({ teamId, err: errSummary(err) }, 'could not list the team\'s channels; recording the General channel only');
    channels = [];
  }
  if (!channels.length) {
    const generalId = data.channel?.id ?? teamId;
    channels = [{ id: generalId, name: data.channel?.name || 'General' }];
  }
  for (const c of channels) {
    await deps.store.putInstallation({
      teamId, teamName: teamName || teamId, channelId: c.id, channelName: c.name, serviceUrl, tenantId,
      reference: referenceFor(reference, c.id), removed: false, updatedAt: now,
    });
  }
  deps.logger.info({ teamId, channels: channels.length }, 'Teams bot installed in a team');
}

function referenceFor(reference: Partial<ConversationReference>, conversationId: string): Record<string, unknown> {
  const { activityId: _ignored, ...rest } = reference;
  return JSON.parse(JSON.stringify({ ...rest, conversation: { ...(rest.conversation ?? {}), id: conversationId } }));
}

async function removeTeam(teamId: string, deps: TeamsBotDeps): Promise<void> {
  if (!teamId) return;
  await deps.store.removeInstallation(teamId, deps.clock.now());
  deps.logger.info({ teamId }, 'Teams bot removed from a team or chat');
}

async function renameTeam(data: TeamsChannelData, deps: TeamsBotDeps): Promise<void> {
  const teamId = data.team?.id;
  if (!teamId || !data.team?.name) return;
  const now = deps.clock.now();
  for (const inst of (await deps.store.listInstallations()).filter((i) => i.teamId === teamId)) {
    await deps.store.putInstallation({ ...inst, teamName: data.team.name, updatedAt: now });
  }
}

async function putChannel(context: TurnContext, data: TeamsChannelData, removed: boolean, deps: TeamsBotDeps): Promise<void> {
  const teamId = data.team?.id;
  const channelId = data.channel?.id;
  if (!teamId || !channelId) return;
  const known: TeamsInstallation[] = (await deps.store.listInstallations()).filter((i) => i.teamId === teamId);
  const existing = known.find((i) => i.channelId === channelId);
  const sibling = known.find((i) => !i.removed) ?? known[0];
  const a = context.activity;
  const reference = referenceFor(TurnContext.getConversationReference(a), channelId);
  await deps.store.putInstallation({
    teamId,
    teamName: data.team?.name || sibling?.teamName || teamId,
    channelId,
    channelName: data.channel?.name || existing?.channelName || channelId,
    serviceUrl: a.serviceUrl || sibling?.serviceUrl || '',
    tenantId: data.tenant?.id ?? sibling?.tenantId ?? '',
    reference,
    removed,
    updatedAt: deps.clock.now(),
  });
}
