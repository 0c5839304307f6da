import type { TimeFormat } from '../../present/format-time.js';
import type { AdaptiveCardJson } from './format.js';

type Item = Record<string, unknown>;

/**
 * An Adaptive Card as readable text, roughly as Teams shows it: the container's style, then each TextBlock and
 * fact a line (Markdown escapes undone, date functions written in `time`'s zone and locale, as a viewer there
 * would see them), then the buttons. For people previewing a card; never sent anywhere.
 */
export function teamsPreviewText(card: AdaptiveCardJson, time: TimeFormat): string {
  const lines = [`notification: ${typeof card.fallbackText === 'string' ? card.fallbackText : ''}`, ''];
  for (const item of asItems(card.body)) lines.push(...itemLines(item, time));
  for (const action of asItems(card.actions)) lines.push(`[ ${String(action.title)} ] → ${String(action.url)}`);
  return lines.join('\n');
}

function itemLines(item: Item, time: TimeFormat): string[] {
  switch (item.type) {
    case 'Container':
      return [`┃ (style ${String(item.style ?? 'default')})`, ...asItems(item.items).flatMap((i) => itemLines(i, time).map((l) => `┃ ${l}`))];
    case 'TextBlock':
      return [`${item.isSubtle ? '  ' : ''}${readable(String(item.text), time)}`];
    case 'FactSet':
      return asItems(item.facts).map((f) => `${readable(String(f.title), time)}: ${readable(String(f.value), time)}`);
    default:
      return [`(${String(item.type)})`];
  }
}

function asItems(value: unknown): Item[] {
  return Array.isArray(value) ? (value as Item[]) : [];
}

/** Markdown as a reader sees it: date functions as dates, backslash escapes undone, mentions as @name. */
function readable(text: string, time: TimeFormat): string {
  const at = (iso: string) => Date.parse(iso);
  return text
    .replace(/\{\{DATE\(([^,)]+), SHORT\)\}\} \{\{TIME\(\1\)\}\}/g, (_m, iso: string) => time.at(at(iso)).text)
    .replace(/\{\{TIME\(([^)]+)\)\}\}/g, (_m, iso: string) => time.at(at(iso)).clock)
    .replace(/\\([\\`*_[\]~|{}#+=\-.)])/g, '$1')
    .replace(/<at>([^<]*)<\/at>/g, '@$1');
}
