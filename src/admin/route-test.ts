import type { Labels } from '../model/event.js';
export { testRoute, type RouteTestResult } from '../routing/test-route.js';

/** Parses "name=value" lines (or comma-separated pairs) into labels; blank and malformed entries are reported. */
export function parseLabelLines(text: string): { labels: Labels; bad: string[] } {
  const entries: Array<[string, string]> = [];
  const bad: string[] = [];
  for (const part of text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) bad.push(part);
    else entries.push([part.slice(0, i).trim(), part.slice(i + 1).trim()]);
  }
  // fromEntries defines own properties: a label named __proto__ is a label, not the object's prototype.
  return { labels: Object.fromEntries(entries), bad };
}
