import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from './format.js';

/**
 * A Slack message as readable text, roughly as Slack shows it: the blocks, then the attachment behind its colour
 * bar (`┃`), mrkdwn left as written except that `<!date^…|fallback>` shows its fallback and escapes are undone.
 * For people previewing a message; never sent anywhere.
 */
export function slackPreviewText(message: Pick<SlackMessage, 'text' | 'blocks' | 'attachments'>): string {
  const lines: string[] = [`notification: ${plain(message.text)}`, ''];
  for (const block of message.blocks ?? []) lines.push(...blockLines(block));
  for (const attachment of message.attachments ?? []) {
    lines.push(`┃ (colour ${attachment.color ?? 'none'})`);
    for (const block of (attachment.blocks ?? []) as KnownBlock[]) lines.push(...blockLines(block).map((l) => `┃ ${l}`));
  }
  return lines.join('\n');
}

function blockLines(block: KnownBlock): string[] {
  switch (block.type) {
    case 'header':
      return [`# ${plain(block.text.text)}`];
    case 'section':
      return [...(block.text ? plain(block.text.text).split('\n') : []), ...(block.fields ?? []).map((f) => plain(f.text))];
    case 'context':
      return [block.elements.map((e) => ('text' in e ? `  ${plain(e.text)}` : '')).join(' ')];
    case 'actions':
      return [block.elements.map((e) => ('text' in e && e.text ? `[ ${plain(e.text.text)} ]${'url' in e && e.url ? ` → ${e.url}` : ''}` : '')).join('  ')];
    default:
      return [`(${block.type})`];
  }
}

/** mrkdwn as a reader sees it: date tokens by their fallback, entities undone. */
function plain(text: string): string {
  return text
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
