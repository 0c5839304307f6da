/**
 * What Bolt reads from a request before any listener runs must have the type it reads it as: Bolt used `'channel' in
 * event` on whatever `event` was (null: a TypeError, a 500 and an error line), `body.user.id` on interactions, and
 * keys its client pools by team id in a plain object (`__proto__` was its prototype). Slack's signature says who sent
 * a body, not that it is well formed; anything Bolt could not take is refused here with a 400.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

/** Top-level fields Bolt or the `/aver` listener read as text. */
const STRINGS = ['type', 'command', 'text', 'channel_id', 'user_id', 'team_id', 'enterprise_id', 'api_app_id', 'trigger_id', 'response_url', 'callback_id', 'name'];
/** Top-level fields Bolt reads as objects (when not null). */
const OBJECTS = ['team', 'user', 'channel', 'enterprise', 'view', 'container', 'message', 'function_data'];
/** Interaction kinds Bolt tells apart by `type` (besides `actions`, `name` and `command`). */
const INTERACTIONS = new Set(['block_suggestion', 'dialog_submission', 'shortcut', 'message_action', 'view_submission', 'view_closed']);

function fieldProblem(body: Json): string | undefined {
  const text = STRINGS.find((k) => present(body[k]) && typeof body[k] !== 'string');
  if (text) return `${text} must be text`;
  const object = OBJECTS.find((k) => present(body[k]) && !isObject(body[k]));
  if (object) return `${object} must be an object`;
  // Bolt reads `channel.id` whenever `channel` is not undefined.
  if (body.channel === null) return 'channel must be an object';
  for (const k of ['authorizations', 'actions']) {
    const v = body[k];
    if (v !== undefined && (!Array.isArray(v) || !v.every(isObject))) return `${k} must be a list of objects`;
  }
  if (Array.isArray(body.actions) && body.actions.length === 0) return 'actions must not be empty';
  return undefined;
}

function eventProblem(event: unknown): string | undefined {
  if (!isObject(event)) return 'event must be an object';
  if (present(event.type) && typeof event.type !== 'string') return 'event.type must be text';
  // Bolt tests these with `in` and then reads into them: present at all, they must be what it expects.
  for (const k of ['channel', 'user']) {
    if (Object.hasOwn(event, k) && typeof event[k] !== 'string' && !isObject(event[k])) return `event.${k} must be text or an object`;
  }
  for (const k of ['item', 'subteam']) if (Object.hasOwn(event, k) && !isObject(event[k])) return `event.${k} must be an object`;
  return undefined;
}

/** Ids Bolt uses as keys of plain objects: none may name a property of Object.prototype. */
function idKeys(body: Json): unknown[] {
  const part = (v: unknown, k: string) => (isObject(v) ? v[k] : undefined);
  const auth = Array.isArray(body.authorizations) ? body.authorizations[0] : undefined;
  return [body.team_id, body.enterprise_id, part(body.team, 'id'), part(body.team, 'enterprise_id'), part(body.user, 'team_id'),
    part(body.enterprise, 'id'), part(auth, 'team_id'), part(auth, 'enterprise_id')];
}

/** Why Bolt could not take this parsed body, or undefined. Mirrors how Bolt tells events, commands and interactions apart. */
export function boltBodyProblem(body: Json): string | undefined {
  const problem = fieldProblem(body);
  if (problem) return problem;
  const key = idKeys(body).find((id) => typeof id === 'string' && id in Object.prototype);
  if (key !== undefined) return `the team or enterprise id ${JSON.stringify(key)} is not an id`;
  if (body.event !== undefined) return eventProblem(body.event);
  if (body.command !== undefined) {
    return typeof body.text === 'string' && typeof body.channel_id === 'string' ? undefined : 'a command needs text and channel_id';
  }
  const interaction = body.name !== undefined || body.actions !== undefined || INTERACTIONS.has(String(body.type));
  if (interaction && !(isObject(body.user) && typeof body.user.id === 'string')) return 'an interaction needs user.id';
  if (String(body.type).startsWith('view_') && !isObject(body.view)) return 'a view interaction needs view';
  return undefined;
}
