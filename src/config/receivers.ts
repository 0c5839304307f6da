import { RECEIVER_KINDS, type PacingOverride, type ReceiverConfig, type ReceiverConfigOf, type ReceiverKind, type UpdateMode } from '../model/config.js';
import { ACTION_BUTTONS, type ActionButton } from '../model/check-state.js';
import { DEFAULT_BROADCAST, SEVERITIES, type Severity } from '../model/severity.js';
import { checkHttpUrl, type ConfigReader } from './reader.js';
import { readEmailTarget, type RawEmail } from './smtp.js';

type Mentions = Record<string, string[]>;
/** `broadcast:` as written: every severity, none, or a list. */
type RawBroadcast = boolean | Severity[];
/** `actions:` as written: every button, none, or a list. */
type RawActions = boolean | ActionButton[];

/** A `receivers[]` entry as the schema lets it through. */
export interface RawReceiver {
  name: string;
  pacing?: PacingOverride;
  template?: string;
  console?: { pretty?: boolean };
  webhook?: { url?: string; urlFile?: string; headers?: Record<string, string>; actions?: boolean };
  slack?: { channel: string; mention?: Mentions; updates?: UpdateMode; broadcast?: RawBroadcast; actions?: RawActions };
  teams?: { channelId?: string; team?: string; channel?: string; updates?: UpdateMode; mention?: Mentions; broadcast?: RawBroadcast; actions?: RawActions };
  teamsWorkflow?: { url?: string; urlFile?: string };
  email?: RawEmail;
}

/** Which top-level platform sections the file has (a Slack receiver needs `slack:`). */
export interface PlatformSections {
  slack: boolean;
  teams: boolean;
  /** An e-mail receiver needs `smtp:`. */
  smtp?: boolean;
}

/** Reads `receivers:`: each with exactly one integration, names unique. */
export function readReceivers(raw: RawReceiver[], sections: PlatformSections, reader: ConfigReader): ReceiverConfig[] {
  const receivers = raw.map((rc, i) => readReceiver(rc, ['receivers', i], sections, reader));
  const names = new Set<string>();
  receivers.forEach((rc, i) => {
    if (names.has(rc.name)) reader.problems.push({ ...reader.at(['receivers', i, 'name']), message: `receiver name "${rc.name}" is used twice`, hint: 'receiver names must be unique' });
    names.add(rc.name);
  });
  return receivers;
}

function readReceiver(rc: RawReceiver, segs: Array<string | number>, sections: PlatformSections, reader: ConfigReader): ReceiverConfig {
  const { problems, at } = reader;
  const kinds = RECEIVER_KINDS.filter((k) => rc[k] !== undefined);
  if (kinds.length !== 1) {
    problems.push({ ...at(segs), message: kinds.length === 0 ? `receiver "${rc.name}" has no integration` : `receiver "${rc.name}" has several integrations (${kinds.join(', ')})`, hint: `give each receiver exactly one of ${RECEIVER_KINDS.join(', ')}` });
  }
  const base = { name: rc.name, pacing: rc.pacing, ...(rc.template !== undefined ? { template: rc.template } : {}) };
  const kind: ReceiverKind = kinds[0] ?? 'console';
  switch (kind) {
    case 'console':
      // Unset, the receiver follows the log format (console/deliver.ts).
      return { ...base, kind, console: rc.console?.pretty === undefined ? {} : { pretty: rc.console.pretty } };
    case 'webhook':
      return {
        ...base, kind,
        webhook: {
          url: readUrl(rc.webhook, [...segs, 'webhook'], 'webhook needs url (or urlFile)', undefined, reader), headers: rc.webhook?.headers ?? {},
          ...(rc.webhook?.actions ? { actions: true } : {}),
        },
      };
    case 'slack': {
      const slack = rc.slack!;
      if (!sections.slack) problems.push({ ...at([...segs, 'slack']), message: `receiver "${rc.name}" posts to Slack but there is no top-level slack section`, hint: 'add slack.botToken (see docs/slack.md)' });
      return { ...base, kind, slack: { channel: slack.channel, mention: slack.mention ?? {}, updates: slack.updates ?? 'thread', broadcast: readBroadcast(slack.broadcast), ...readActions(slack.actions) } };
    }
    case 'teams':
      return { ...base, kind, teams: readTeamsTarget(rc, segs, sections, reader) };
    case 'teamsWorkflow': {
      const hint = 'copy the URL of the Workflows trigger "When a Teams webhook request is received"';
      return { ...base, kind, teamsWorkflow: { url: readUrl(rc.teamsWorkflow, [...segs, 'teamsWorkflow'], 'teamsWorkflow needs url (or urlFile)', hint, reader) } };
    }
    case 'email':
      return { ...base, kind, email: readEmailTarget(rc.email!, [...segs, 'email'], { receiver: rc.name, smtp: sections.smtp === true }, reader) };
  }
}

function readUrl(obj: { url?: string; urlFile?: string } | undefined, segs: Array<string | number>, missing: string, hint: string | undefined, reader: ConfigReader): string {
  const url = reader.secret(obj, 'url', segs);
  if (url === undefined) reader.problems.push({ ...reader.at(segs), message: missing, ...(hint ? { hint } : {}) });
  else checkHttpUrl(reader, url, [...segs, 'url']);
  return url ?? '';
}

function readTeamsTarget(rc: RawReceiver, segs: Array<string | number>, sections: PlatformSections, reader: ConfigReader): ReceiverConfigOf<'teams'>['teams'] {
  const teams = rc.teams!;
  const { problems, at } = reader;
  if (!sections.teams) problems.push({ ...at([...segs, 'teams']), message: `receiver "${rc.name}" posts to Teams but there is no top-level teams section`, hint: 'add teams.appId and teams.appPassword (see docs/teams.md)' });
  const byId = teams.channelId !== undefined;
  const byName = teams.team !== undefined || teams.channel !== undefined;
  if (byId === byName || (byName && (teams.team === undefined || teams.channel === undefined))) {
    problems.push({ ...at([...segs, 'teams']), message: 'name the Teams channel either by channelId, or by team and channel', hint: 'channelId comes from "Get link to channel" in Teams (19:…@thread.tacv2)' });
  }
  return {
    channelId: teams.channelId, team: teams.team, channel: teams.channel, updates: teams.updates ?? 'thread', mention: teams.mention ?? {},
    broadcast: readBroadcast(teams.broadcast), ...readActions(teams.actions),
  };
}

/** `actions:` as the buttons it names, in their fixed order; nothing at all when it names none (the default). */
function readActions(raw: RawActions | undefined): { actions?: readonly ActionButton[] } {
  const buttons = raw === true ? ACTION_BUTTONS : raw === undefined || raw === false ? [] : ACTION_BUTTONS.filter((b) => raw.includes(b));
  return buttons.length > 0 ? { actions: buttons } : {};
}

/** `broadcast:` as the severities it names: true is every one, false none, unset attention and action. */
function readBroadcast(raw: RawBroadcast | undefined): readonly Severity[] {
  if (raw === undefined) return DEFAULT_BROADCAST;
  if (raw === true) return SEVERITIES;
  if (raw === false) return [];
  return SEVERITIES.filter((s) => raw.includes(s));
}
