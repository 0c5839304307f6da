/**
 * What botbuilder and the bot read from an activity must have the type they read it as: botbuilder calls
 * `channelId.trim()` while checking the token, and `entity.type.toLowerCase()` looking for mentions, so a number
 * or an array there was a TypeError and a 500. The token signs the sender, not the body; the body is checked here.
 */

const STRINGS = ['id', 'channelId', 'serviceUrl', 'action', 'text', 'textFormat', 'locale', 'replyToId', 'callerId', 'deliveryMode', 'name', 'inputHint', 'valueType'];
const ACCOUNTS = ['from', 'recipient', 'conversation'];
const ACCOUNT_STRINGS = ['id', 'name', 'aadObjectId', 'role', 'tenantId', 'conversationType'];
const ACCOUNT_LISTS = ['membersAdded', 'membersRemoved'];
const TEAMS_PARTS = ['team', 'channel', 'tenant'];
const PART_STRINGS = ['id', 'name', 'aadGroupId'];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

/** The first field of `o` named in `names` that is present but not a string. */
function notString(o: Json, names: readonly string[], at: string): string | undefined {
  const bad = names.find((n) => Object.hasOwn(o, n) && !absent(o[n]) && typeof o[n] !== 'string');
  return bad === undefined ? undefined : `${at}${bad} must be a string`;
}

/** An object whose named fields are strings, or absent. */
function part(v: unknown, names: readonly string[], at: string): string | undefined {
  if (absent(v)) return undefined;
  if (!isObject(v)) return `${at} must be an object`;
  return notString(v, names, `${at}.`);
}

/** A list of objects whose named fields are strings, or absent. */
function list(v: unknown, names: readonly string[], at: string): string | undefined {
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) return `${at} must be a list`;
  for (const [i, item] of v.entries()) {
    const problem = part(item, names, `${at}[${i}]`) ?? (isObject(item) ? undefined : `${at}[${i}] must be an object`);
    if (problem) return problem;
  }
  return undefined;
}

function entitiesProblem(v: unknown): string | undefined {
  const problem = list(v, ['type', 'text'], 'entities');
  if (problem || absent(v)) return problem;
  for (const [i, e] of (v as Json[]).entries()) {
    const mentioned = part(e.mentioned, ACCOUNT_STRINGS, `entities[${i}].mentioned`);
    if (mentioned) return mentioned;
  }
  return undefined;
}

function channelDataProblem(v: unknown): string | undefined {
  if (absent(v)) return undefined;
  if (!isObject(v)) return 'channelData must be an object';
  const eventType = notString(v, ['eventType'], 'channelData.');
  if (eventType) return eventType;
  for (const name of TEAMS_PARTS) {
    const problem = part(v[name], PART_STRINGS, `channelData.${name}`);
    if (problem) return problem;
  }
  return undefined;
}

/** Why an activity (a parsed JSON object with a string type) cannot be handed to botbuilder, or undefined. */
export function activityShapeProblem(activity: Json): string | undefined {
  if (typeof activity.channelId !== 'string') return 'channelId must be a string';
  return notString(activity, STRINGS, '')
    ?? ACCOUNTS.map((a) => part(activity[a], ACCOUNT_STRINGS, a)).find(Boolean)
    ?? ACCOUNT_LISTS.map((a) => list(activity[a], ACCOUNT_STRINGS, a)).find(Boolean)
    ?? list(activity.attachments, ['contentType', 'contentUrl', 'name'], 'attachments')
    ?? entitiesProblem(activity.entities)
    ?? channelDataProblem(activity.channelData);
}
