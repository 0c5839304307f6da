import type { Config } from '../model/config.js';
import type { Labels } from '../model/event.js';
import { previewReceiver, type ReceiverPreview } from '../receivers/preview.js';
import type { RouteTestResult } from '../routing/test-route.js';
export { testRoute, type RouteTestResult } from '../routing/test-route.js';
export type { ReceiverPreview } from '../receivers/preview.js';

/** What each receiver reached would post for the tested labels: the same preview as `aver-bridge preview`. */
export async function previewsFor(config: Config, result: RouteTestResult, now: number): Promise<ReceiverPreview[]> {
  const previews = await Promise.all(result.receivers.map((name) => previewReceiver(config, name, result.labels, { now, routedTo: result.receivers })));
  return previews.filter((p): p is ReceiverPreview => p !== undefined);
}

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
