import type { ChannelAccount, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { CheckActionAnswer, ChatCommands } from '../../model/chat-commands.js';
import type { CheckActionKind, CheckPerson, CheckState } from '../../model/check-state.js';
import type { AdaptiveCardJson } from './format.js';

/** The invoke Teams sends when someone clicks an Action.Execute button (Universal Actions). */
export const CARD_ACTION_INVOKE = 'adaptiveCard/action';

const CARD = 'application/vnd.microsoft.card.adaptive';
const MESSAGE = 'application/vnd.microsoft.activity.message';

/** The verbs of the card's buttons (check-card.ts names them) → what each does. */
const KIND_OF: ReadonlyMap<string, CheckActionKind> = new Map([['aver.acknowledge', 'acknowledge'], ['aver.assign', 'assign'], ['aver.unassign', 'unassign']]);

export interface CardActionDeps {
  commands: ChatCommands;
  /** The card of a check as `receiver` shows it now (its latest status and who is on it), or null when there is none. */
  checkCard?: (entityKey: string, receiver: string) => Promise<AdaptiveCardJson | null>;
  logger: Logger;
}

/** The AdaptiveCardInvokeResponse botbuilder's ActivityHandler would answer with: a card, a message, or an error. */
type CardInvokeResponse = { statusCode: number; type: string; value: unknown };

/** The person Teams says sent the activity: their AAD object id (else their Teams id) and name. */
export function teamsActor(from: ChannelAccount | undefined): CheckPerson {
  const id = from?.aadObjectId || from?.id || '';
  return { platform: 'teams', id, name: from?.name || id };
}

/**
 * Answers an `adaptiveCard/action` invoke: records the action as the clicking user (the activity's `from`, which
 * the token vouches for), only if the check was routed to this conversation, then answers with the check's card
 * as it is now (Teams shows it to the clicker at once; a job edits it for everyone) or a message saying why not.
 */
export async function answerCardAction(context: TurnContext, channelId: string, receivers: string[], deps: CardActionDeps): Promise<void> {
  const response = await cardActionResponse(context, channelId, receivers, deps);
  // CloudAdapter keeps an activity of this type as the HTTP answer to the invoke instead of sending it.
  await context.sendActivity({ type: 'invokeResponse', value: { status: response.statusCode, body: response } });
}

async function cardActionResponse(context: TurnContext, channelId: string, receivers: string[], deps: CardActionDeps): Promise<CardInvokeResponse> {
  const value = (context.activity.value ?? {}) as { action?: { type?: unknown; verb?: unknown; data?: { check?: unknown } } };
  const kind = typeof value.action?.verb === 'string' ? KIND_OF.get(value.action.verb) : undefined;
  const check = typeof value.action?.data?.check === 'string' ? splitCheck(value.action.data.check) : undefined;
  if (value.action?.type !== 'Action.Execute' || !kind || !check) {
    return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'not an action of this bot' } };
  }
  let answer: CheckActionAnswer;
  try {
    answer = await deps.commands.act({ kind, id: check.id, type: check.type, actor: teamsActor(context.activity.from), via: 'button', channel: channelId, receiverNames: receivers });
  } catch (err) {
    deps.logger.error({ err: String((err as Error)?.message ?? err).slice(0, 300) }, 'a Teams card action failed');
    return { statusCode: 200, type: MESSAGE, value: 'Sorry, that did not work. The bridge logged the error.' };
  }
  if (answer.outcome === 'done' || answer.outcome === 'unchanged') {
    const card = await deps.checkCard?.(answer.entityKey, answer.receiver);
    if (card) return { statusCode: 200, type: CARD, value: card };
  }
  return { statusCode: 200, type: MESSAGE, value: actionAnswerText(kind, check.id, answer) };
}

/** A button's `data.check`: the check's entity key (`type:id`). */
function splitCheck(value: string): { type: string; id: string } | undefined {
  const at = value.indexOf(':');
  return at > 0 && at < value.length - 1 ? { type: value.slice(0, at), id: value.slice(at + 1) } : undefined;
}

/** The answer to a card action or an @mention command, as plain text (Teams shows an invoke's message as text). */
export function actionAnswerText(kind: CheckActionKind, id: string, answer: CheckActionAnswer, esc: (s: string) => string = plain): string {
  switch (answer.outcome) {
    case 'notHere':
      return `Nothing about ${esc(id)} was routed to this channel.`;
    case 'notEnabled':
      return `${kind === 'acknowledge' ? 'Acknowledging' : 'Assigning'} is not turned on for this channel: give its receiver (${answer.receivers.map(esc).join(', ')}) actions: [acknowledge, assign] in the bridge configuration.`;
    case 'unchanged':
      return unchangedText(kind, answer.state, esc);
    case 'done':
      if (kind === 'acknowledge') return `Acknowledged ${esc(answer.id)}: its messages show it shortly.`;
      if (kind === 'assign' && answer.state.assigned) return `Assigned ${esc(answer.id)} to ${esc(answer.state.assigned.to.name)}: its messages show it shortly.`;
      return `Unassigned ${esc(answer.id)}: its messages show it shortly.`;
  }
}

function unchangedText(kind: CheckActionKind, state: CheckState, esc: (s: string) => string): string {
  if (kind === 'acknowledge' && state.acknowledged) return `Already acknowledged by ${esc(state.acknowledged.by.name)} at ${new Date(state.acknowledged.at).toISOString().slice(11, 16)} UTC.`;
  if (kind === 'assign' && state.assigned) return `Already assigned to ${esc(state.assigned.to.name)}.`;
  return 'Nobody is assigned.';
}

/** Text for an invoke's message answer: one line, no markup Teams could read. */
function plain(s: string): string {
  return s.replace(/[\u0000-\u001f<>]/g, ' ').slice(0, 200);
}
