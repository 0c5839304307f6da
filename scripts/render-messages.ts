/**
 * Renders sample messages for people to look at: each Teams card with Microsoft's `adaptivecards` renderer in
 * headless Chromium (a Berlin viewer, en-GB), an approximation of the Slack message, and a text preview of its
 * Block Kit; and a group's digest (issue 15) as its Teams card and its Slack preview. Writes docs/messages/*.png and
 * *.txt.
 *
 *   node --import tsx scripts/render-messages.ts [--out DIR]
 *
 * Needs Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium; a browser is never downloaded) and a colour
 * emoji font (Debian's fonts-noto-color-emoji), without which the status emoji are drawn as empty boxes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { AverEvent, EventDetails } from '../src/model/event.js';
import type { GroupDigest, StatusChange } from '../src/model/job.js';
import { digestMessage } from '../src/present/digest.js';
import { buildMessage, type Message } from '../src/present/message.js';
import { formatSlackDigest } from '../src/receivers/slack/digest.js';
import { formatSlackMessage, type SlackMessage } from '../src/receivers/slack/format.js';
import { slackPreviewText } from '../src/receivers/slack/preview.js';
import { formatTeamsDigestCard } from '../src/receivers/teams/digest.js';
import { formatTeamsCard } from '../src/receivers/teams/format.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const require = createRequire(import.meta.url);
const AC_SCRIPT = require.resolve('adaptivecards/dist/adaptivecards.min.js');

const AT = Date.UTC(2026, 11, 1, 14, 2);
const config = {
  aver: {
    groups: { '2d1162b5-0000-4000-8000-000000000000': 'EU onboarding' },
    links: { check: 'https://app.goaver.com/checks/{id}', watchlist: 'https://app.goaver.com/watchlist/{id}' },
  },
  display: { timeZone: 'Europe/Berlin', locale: 'en-GB' },
};

interface Sample {
  name: string;
  event: Partial<AverEvent>;
  details?: EventDetails;
  history?: StatusChange[];
  mentions?: string[];
  /** Whether to save the approximation of the Slack message as a PNG too (the text preview is always written). */
  slackPng?: boolean;
}

const SAMPLES: Sample[] = [
  {
    name: 'watchlist-hits',
    event: { type: 'WatchlistSearch', id: '51771bd7-4f6e-4c54-9a36-1b7c0e2f9a10', status: 'Completed' },
    details: { available: true, watchlistHits: 2, adverseMediaHits: 1 },
    mentions: ['<!subteam^S0123|compliance>'],
    slackPng: true,
  },
  {
    name: 'awaiting-review',
    event: { type: 'LiveCheck', id: '7f1c2d3e-0000-4000-8000-000000000001', status: 'AwaitingReview' },
    details: { available: true, thirdPartyIdentifier: 'cust-00482', warnings: ['SameNameFound', 'PhonePrepaidOrVoip'] },
    history: [{ status: 'Created', at: AT - 11 * 60_000 }, { status: 'AwaitingAutomation', at: AT - 9 * 60_000 }, { status: 'AwaitingReview', at: AT }],
    slackPng: true,
  },
  {
    name: 'rejected',
    event: { type: 'OfflineCheck', id: 'b3a9e0c1-0000-4000-8000-000000000002', status: 'Rejected' },
    details: { available: true, thirdPartyIdentifier: 'cust-00517', statusReason: 'ExpiredDocuments', warnings: ['Age'] },
  },
  {
    name: 'completed',
    event: { type: 'LiveCheck', id: 'c0ffee00-0000-4000-8000-000000000003', status: 'Completed' },
    details: { available: true, thirdPartyIdentifier: 'cust-00533', warnings: [] },
    history: [{ status: 'Created', at: AT - 30 * 60_000 }, { status: 'InReview', at: AT - 8 * 60_000 }, { status: 'Completed', at: AT }],
  },
];

function messageOf(s: Sample): Message {
  const event: AverEvent = {
    eventId: '01JDX4Q2S8M6ZJ3W0E5T7Y9KQ1', type: 'LiveCheck', id: 'x', groupId: '2d1162b5-0000-4000-8000-000000000000', status: 'Created',
    receivedAt: AT, unknownType: false, unknownStatus: false, raw: {}, ...s.event,
  };
  return buildMessage({
    event, labels: {}, details: s.details ?? null, history: s.history ?? [{ status: event.status, at: AT }], config, mentions: s.mentions,
  });
}

/** A Teams-like light theme for the renderer: Segoe UI, Teams' container colours. */
const HOST_CONFIG = {
  fontFamily: "'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 12 },
  fontSizes: { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 },
  containerStyles: {
    default: { backgroundColor: '#FFFFFF', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    emphasis: { backgroundColor: '#F5F5F5', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    accent: { backgroundColor: '#E8EBFA', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    good: { backgroundColor: '#E7F2DA', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    attention: { backgroundColor: '#FDE7E9', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
    warning: { backgroundColor: '#FFF4CE', foregroundColors: { default: { default: '#242424', subtle: '#616161' } } },
  },
  actions: { actionsOrientation: 'horizontal', buttonSpacing: 8, maxActions: 6, showCard: { actionMode: 'inline' } },
};

/** A Block Kit block as the mock below reads it. */
interface LooseBlock {
  type: string;
  text: { text: string };
  elements: Array<{ text: string & { text: string } }>;
}

/** Slack, roughly: the header above the coloured bar, mrkdwn bold, context small and grey, buttons outlined. */
function slackHtml(m: SlackMessage): string {
  const esc = (s: string) => s
    .replace(/&(?!amp;|lt;|gt;)/g, '&amp;')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<!subteam\^[^|>]+\|([^>]+)>/g, '<span class="m">@$1</span>')
    .replace(/<!(here|channel|everyone)>/g, '<span class="m">@$1</span>')
    .replace(/<(?!\/|span|b>)/g, '&lt;');
  const md = (s: string) => esc(s).replace(/\*([^*\n]+)\*/g, '<b>$1</b>').replace(/\n/g, '<br>');
  const block = (b: LooseBlock): string => {
    if (b.type === 'header') return `<div class="h">${esc(b.text.text)}</div>`;
    if (b.type === 'section') return `<div class="s">${md(b.text.text)}</div>`;
    if (b.type === 'context') return `<div class="c">${b.elements.map((e) => md(e.text)).join(' ')}</div>`;
    if (b.type === 'actions') return `<div class="a">${b.elements.map((e) => `<span class="btn">${esc(e.text.text)}</span>`).join('')}</div>`;
    return '';
  };
  const att = m.attachments[0];
  return `<div class="msg"><div class="who"><span class="av">A</span><b>aver-bridge</b> <span class="app">APP</span> <span class="t">15:02</span></div>
${(m.blocks as unknown as LooseBlock[]).map(block).join('')}
<div class="att" style="border-left-color:${att.color}">${((att.blocks ?? []) as unknown as LooseBlock[]).map(block).join('')}</div></div>`;
}

const SLACK_CSS = `body{margin:0;padding:16px;background:#fff;font:15px/1.46 'Lato','Helvetica Neue',Arial,sans-serif;color:#1d1c1d}
.msg{width:620px}.who{margin-bottom:4px}.av{display:inline-block;width:20px;height:20px;border-radius:4px;background:#4a154b;color:#fff;text-align:center;font-size:12px;line-height:20px;margin-right:6px}
.app{font-size:10px;background:#e8e8e8;color:#616061;padding:1px 3px;border-radius:2px}.t{color:#616061;font-size:12px}
.h{font-size:18px;font-weight:900;margin:4px 0}.s{margin:4px 0}.c{color:#616061;font-size:12px;margin:4px 0}
.m{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}.att{border-left:4px solid;padding:2px 0 2px 12px;margin-top:4px}.a{margin:8px 0 2px}.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-weight:700;font-size:13px}`;

/** A burst of one group's recurring watchlist searches as the store gives its digest: 2,000 of them, ten listed. */
function sampleDigest(): GroupDigest {
  const byStatus = { Failed: 2, AwaitingReview: 14, Completed: 1_984 };
  const listed = [...Array.from({ length: 2 }, () => 'Failed'), ...Array.from({ length: 8 }, () => 'AwaitingReview')];
  const items = listed.map((status, i) => {
    const event: AverEvent = {
      eventId: `01JDX4Q2S8M6ZJ3W0E5T7Y9K${String(i).padStart(2, '0')}`, type: 'RecurringWatchlistSearch', id: `5e0c${String(i).padStart(4, '0')}-0000-4000-8000-00000000a1b2`,
      groupId: '2d1162b5-0000-4000-8000-000000000000', status, receivedAt: AT, unknownType: false, unknownStatus: false, raw: {},
    };
    return { event, labels: { type: event.type, groupId: event.groupId, group: 'EU onboarding', status, id: event.id } };
  });
  return { groupId: 1, kind: 'group', labels: { groupId: '2d1162b5-0000-4000-8000-000000000000', type: 'RecurringWatchlistSearch' }, openedAt: AT, total: 2_000, byStatus, items };
}

/** Renders a card with Microsoft's renderer in the page (a Teams-like host config) and saves it; it must parse cleanly. */
async function renderCard(page: Page, card: object, path: string, name: string): Promise<void> {
  await page.setContent('<html><body style="margin:0;padding:16px;background:#F5F5F5"><div id="card" style="width:560px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);overflow:hidden"></div></body></html>');
  await page.addScriptTag({ path: AC_SCRIPT });
  const problems = await page.evaluate(({ card, host }) => {
    const AC = (window as unknown as { AdaptiveCards: typeof import('adaptivecards') }).AdaptiveCards;
    // Teams' Markdown subset, enough for the bridge's cards: backslash escapes, **bold** and [links](url).
    AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
      const html = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
        .replace(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\((https?:[^)\s]+)\)/g, '<a href="$2" style="color:#5B5FC7;text-decoration:none">$1</a>')
        .replace(/\\(.)/g, '$1');
      result.outputHtml = html;
      result.didProcess = true;
    };
    const ac = new AC.AdaptiveCard();
    ac.hostConfig = new AC.HostConfig(host);
    const ctx = new AC.SerializationContext();
    ac.parse(card, ctx);
    const el = ac.render();
    if (el) document.getElementById('card')!.appendChild(el);
    const found: string[] = [];
    for (let i = 0; i < ctx.eventCount; i++) found.push(ctx.getEventAt(i).message);
    return found;
  }, { card, host: HOST_CONFIG });
  if (problems.length > 0) throw new Error(`${name}: the card did not parse cleanly: ${problems.join('; ')}`);
  await (await page.$('#card'))!.screenshot({ path });
}

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 ? process.argv[outIndex + 1] : 'docs/messages';
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Berlin', viewport: { width: 700, height: 400 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const sample of SAMPLES) {
      const message = messageOf(sample);
      const slack = formatSlackMessage(message);
      writeFileSync(join(out, `slack-${sample.name}.txt`), slackPreviewText(slack) + '\n');
      if (sample.slackPng) {
        await page.setContent(`<html><head><style>${SLACK_CSS}</style></head><body>${slackHtml(slack)}</body></html>`);
        await (await page.$('.msg'))!.screenshot({ path: join(out, `slack-${sample.name}.png`) });
      }

      await renderCard(page, formatTeamsCard(message), join(out, `teams-${sample.name}.png`), sample.name);
      console.log(`${sample.name}: ${message.emoji} ${message.headline}`);
    }
    const digest = digestMessage(sampleDigest(), config, { name: 'kyc' }, console);
    writeFileSync(join(out, 'slack-digest.txt'), slackPreviewText({ ...formatSlackDigest(digest), attachments: [] } as unknown as SlackMessage) + '\n');
    await renderCard(page, formatTeamsDigestCard(digest), join(out, 'teams-digest.png'), 'digest');
    console.log(`digest: ${digest.emoji} ${digest.headline}`);
  } finally {
    await browser.close();
  }
}

await main();
