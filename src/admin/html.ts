/** Markup that is already safe: only `html` and `raw` make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a string for HTML text and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Marks a constant string as markup. Never pass anything that came from a request, the store or the config. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template tag that escapes every interpolated value unless it is SafeHtml
 * (arrays are rendered item by item), so dynamic strings cannot become markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago" (or "in 3 min" for a future time). */
export function relativeTime(at: number, now: number): string {
  const diff = Math.round((now - at) / 1000);
  const ahead = diff < 0;
  const s = Math.abs(diff);
  if (s < 5) return 'just now';
  const amount =
    s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : s < 86_400 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86_400)} day${s < 172_800 ? '' : 's'}`;
  return ahead ? `in ${amount}` : `${amount} ago`;
}

/** An ISO time in UTC to the second, for title attributes. */
export function isoTime(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A <time> element showing the relative time, the exact one on hover. */
export function timeAgo(at: number, now: number): SafeHtml {
  return html`<time datetime="${isoTime(at)}" title="${isoTime(at).replace('T', ' ')}">${relativeTime(at, now)}</time>`;
}
