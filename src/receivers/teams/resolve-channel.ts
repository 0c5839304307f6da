import type { ReceiverConfig } from '../../model/config.js';
import type { TeamsInstallation } from '../../store/store.js';

/** How a receiver names its Teams channel. */
export interface TeamsChannelSpec {
  channelId?: string;
  team?: string;
  channel?: string;
}

export type ResolvedChannel =
  | { ok: true; channelId: string; installation: TeamsInstallation | null }
  | { ok: false; reason: string };

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The channel id part of a Teams conversation id (`19:…@thread.tacv2;messageid=…` → `19:…@thread.tacv2`). */
export function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(';');
  return i < 0 ? conversationId : conversationId.slice(0, i);
}

/** Whether an activity or installation of `tenantId` counts, given teams.allowedTenants (empty: any tenant). */
export function tenantAllowed(tenantId: string, allowedTenants: readonly string[]): boolean {
  return allowedTenants.length === 0 || allowedTenants.includes(tenantId.trim().toLowerCase());
}

/**
 * Finds the channel a receiver names among the installations the bot has recorded, only those of the allowed
 * tenants: by channelId (the installation, when known, gives its serviceUrl), or by team and channel name or id
 * (case-insensitive; only installations not removed). With no tenant list, names resolve only while every
 * installation (removed ones too) is of one tenant: a second tenant's team of the same name, or one that takes
 * the name after a rename, is never picked.
 */
export function resolveTeamsChannel(spec: TeamsChannelSpec, installations: TeamsInstallation[], allowedTenants: readonly string[]): ResolvedChannel {
  const known = installations.filter((i) => tenantAllowed(i.tenantId, allowedTenants));
  if (spec.channelId) {
    const id = baseConversationId(spec.channelId.trim());
    const found = known.filter((i) => i.channelId === id).sort(newestFirst);
    return { ok: true, channelId: id, installation: found.find((i) => !i.removed) ?? found[0] ?? null };
  }
  const team = spec.team ?? '';
  const channel = spec.channel ?? '';
  if (!team || !channel) return { ok: false, reason: 'the receiver names no Teams channel: set channelId, or team and channel' };
  const tenants = new Set(known.map((i) => i.tenantId.trim().toLowerCase()));
  if (allowedTenants.length === 0 && tenants.size > 1) {
    return {
      ok: false,
      reason: `Teams team "${team}" channel "${channel}" is a name, and the bot has been added in ${tenants.size} tenants: list yours in teams.allowedTenants, or configure channelId`,
    };
  }
  const live = known.filter((i) => !i.removed);
  const inTeam = live.filter((i) => same(i.teamName, team) || i.teamId === team);
  const matches = inTeam.filter((i) => same(i.channelName, channel) || i.channelId === channel).sort(newestFirst);
  const ids = [...new Set(matches.map((i) => i.channelId))];
  if (ids.length === 1) return { ok: true, channelId: ids[0], installation: matches[0] };
  if (ids.length > 1) {
    return { ok: false, reason: `Teams team "${team}" channel "${channel}" matches ${ids.length} channels (${ids.join(', ')}): configure channelId instead` };
  }
  const hint = inTeam.length
    ? `the bot knows team "${team}" with channels ${[...new Set(inTeam.map((i) => `"${i.channelName}"`))].join(', ')}`
    : `the bot has not been added to team "${team}"${allowedTenants.length ? ' in an allowed tenant' : ''}`;
  return {
    ok: false,
    reason: `Teams channel "${channel}" in team "${team}" is unknown (${hint}): add the bot to the team (it records the team's channels when installed), or configure channelId`,
  };
}

function newestFirst(a: TeamsInstallation, b: TeamsInstallation): number {
  return b.updatedAt - a.updatedAt;
}

/** Names of the Teams receivers that deliver to `channelId` (by id, or by team + channel through the allowed tenants' installations). */
export function teamsReceiversForChannel(receivers: ReceiverConfig[], installations: TeamsInstallation[], channelId: string, allowedTenants: readonly string[]): string[] {
  const id = baseConversationId(channelId);
  return receivers
    .filter((r) => {
      if (r.kind !== 'teams') return false;
      const resolved = resolveTeamsChannel(r.teams, installations, allowedTenants);
      return resolved.ok && resolved.channelId === id;
    })
    .map((r) => r.name);
}
