import type { AverEvent } from '../model/event.js';

/** The longest link a button may carry (Slack's limit for a button URL). */
export const MAX_LINK_LENGTH = 3000;

const WATCHLIST_TYPES: ReadonlySet<string> = new Set(['WatchlistSearch', 'RecurringWatchlistSearch']);

/**
 * The "Open in Aver" URL for an event: `aver.links.watchlist` for watchlist searches (falling back to `check`),
 * `check` otherwise, with `{id}`, `{groupId}` and `{type}` replaced, URL-encoded. Undefined when no template
 * applies, or the result is not an http(s) URL or too long for a button.
 */
export function averLink(event: Pick<AverEvent, 'type' | 'id' | 'groupId'>, links: { check?: string; watchlist?: string } | undefined): string | undefined {
  const template = WATCHLIST_TYPES.has(event.type) ? links?.watchlist ?? links?.check : links?.check;
  if (!template) return undefined;
  const url = template
    .replaceAll('{id}', encodeURIComponent(event.id))
    .replaceAll('{groupId}', encodeURIComponent(event.groupId))
    .replaceAll('{type}', encodeURIComponent(event.type));
  return /^https?:\/\/\S+$/i.test(url) && url.length <= MAX_LINK_LENGTH ? url : undefined;
}
