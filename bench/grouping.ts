import { bridgeYaml, startBridgeProcess } from './bridge-process.js';
import type { BenchContext } from './context.js';
import { runId } from './context.js';
import { sleep, startChild, wallNow, type Child, type ChildMessage } from './processes.js';
import { atMost, row, type Row } from './table.js';

interface Burst {
  /** Wall-clock ms when the first webhook went out, and when the last answer came. */
  t0: number;
  doneAt: number;
  statuses: Record<string, number>;
}
interface Report {
  count: number;
  first: number;
  paths: Record<string, number>;
  lastChat: string;
}
interface Run {
  burst: Burst;
  report: Report;
}

/** The latest chat call's Block Kit, form-encoded (Slack's WebClient) or JSON. */
function blocksOf(body: string): Array<{ type: string; elements?: Array<{ text?: string }> }> {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(body) as Record<string, unknown>;
  } catch {
    fields = Object.fromEntries(new URLSearchParams(body));
  }
  const blocks = typeof fields.blocks === 'string' ? JSON.parse(fields.blocks) : fields.blocks;
  return Array.isArray(blocks) ? blocks : [];
}

/** What a digest's status counts add up to ("Awaiting review 200 · Completed 9,800" → 10,000); 0 for no digest. */
function digestTotal(body: string): number {
  const context = blocksOf(body).find((b) => b.type === 'context')?.elements?.[0]?.text ?? '';
  const statuses = context.split('\n')[1] ?? '';
  return statuses.split(' · ').map((part) => Number(/ ([\d,]+)$/.exec(part)?.[1]?.replace(/,/g, '') ?? 0)).reduce((a, b) => a + b, 0);
}

/** One burst through a bridge with one Slack receiver on the fake (default pacing), grouped or not. */
async function burst(ctx: BenchContext, fake: Child & { ready: ChildMessage }, grouped: boolean): Promise<Run> {
  const { events, groupWaitSec, groupIntervalSec, windowSec } = ctx.sizes.grouping;
  const name = grouped ? 'grouping-grouped' : 'grouping-ungrouped';
  const bridge = await startBridgeProcess({
    dir: ctx.dir, name, runner: ctx.runner, profileDir: ctx.profileDir,
    yaml: (port) => bridgeYaml({
      port, storageUrl: `sqlite:${ctx.dir}/${name}.db`,
      receivers: '  - { name: kyc-slack, slack: { channel: C0BENCH } }',
      route: `  receiver: kyc-slack\n${grouped ? `  group_by: [groupId, type]\n  group_wait: ${groupWaitSec}s\n  group_interval: ${groupIntervalSec}s\n` : ''}`,
      extra: `slack: { botToken: xoxb-bench-token, apiUrl: "http://127.0.0.1:${fake.ready.port}/api/", verifyToken: false }`,
    }),
  });
  try {
    await fake.ask({ type: 'reset' }, 'reset-done');
    const sender = await startChild('burst-sender', { url: bridge.webhookUrl, events, concurrency: 32, prefix: runId() });
    try {
      const { t0 } = await sender.ask<{ t0: number }>({ type: 'run' }, 'started');
      const result = await sender.next<Burst>('result', 600_000);
      // Calls are counted for the same window from the burst's start, grouped or not.
      await sleep(Math.max(0, t0 + windowSec * 1000 - wallNow()));
      const report = await fake.ask<Report>({ type: 'report' }, 'report');
      return { burst: { ...result, t0 }, report };
    } finally {
      await sender.stop();
    }
  } finally {
    await bridge.stop();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Benchmark 6 (issue 15): a burst of RecurringWatchlistSearch events to one Slack channel, grouped by
 * [groupId, type], beside the same burst ungrouped: the chat API calls made in a window from the burst's start (the
 * ungrouped count is the ceiling: what grouping saves; the target, one call per flush the window can hold), and the
 * time from the burst's start to the first digest (beside group_wait, which it cannot beat). The digest must count
 * every event acknowledged.
 */
export async function grouping(ctx: BenchContext): Promise<Row[]> {
  const { events, groupWaitSec, groupIntervalSec, windowSec } = ctx.sizes.grouping;
  const fake = await startChild('fake-api', {});
  try {
    ctx.log(`grouping: a burst of ${events} to one Slack channel, grouped (group_wait ${groupWaitSec}s, group_interval ${groupIntervalSec}s), then ungrouped; calls counted for ${windowSec} s`);
    const grouped = await burst(ctx, fake, true);
    const ungrouped = await burst(ctx, fake, false);
    const accepted = (r: Run) => r.burst.statuses['202'] ?? 0;
    const counted = digestTotal(grouped.report.lastChat);
    const edits = grouped.report.paths['/api/chat.update'] ?? 0;
    const note = `${grouped.report.paths['/api/chat.postMessage'] ?? 0} digest, ${edits} edit${edits === 1 ? '' : 's'}; ` +
      `${counted.toLocaleString('en-US')} of ${accepted(grouped).toLocaleString('en-US')} counted in the digest; ` +
      `all accepted in ${seconds(grouped.burst.doneAt - grouped.burst.t0)} (ungrouped: ${seconds(ungrouped.burst.doneAt - ungrouped.burst.t0)})`;
    const firstMs = (r: Run) => (r.report.first > 0 ? r.report.first - r.burst.t0 : null);
    const ungroupedFirst = firstMs(ungrouped);
    // At most one call per flush: the first digest after group_wait, then one edit per group_interval at most.
    const most = 1 + Math.floor((windowSec - groupWaitSec) / groupIntervalSec);
    const rows = [
      row({
        key: 'grouping.calls', name: `6. Grouping: a burst of ${events.toLocaleString('en-US')} to one Slack channel, chat API calls in ${windowSec} s`, unit: 'calls',
        result: grouped.report.count, ceiling: ungrouped.report.count, ceilingName: 'the same burst ungrouped', note, target: atMost(most, 'calls'),
      }),
      row({
        key: 'grouping.first', name: '6. Grouping: time to the first digest', unit: 's',
        result: firstMs(grouped) === null ? null : firstMs(grouped)! / 1000, ceiling: groupWaitSec, ceilingName: 'group_wait',
        note: `ungrouped, the first message after ${ungroupedFirst === null ? '—' : seconds(ungroupedFirst)}; the rest at Slack's 1/s per channel: ${(events / 3600).toFixed(1)} h`,
      }),
    ];
    // Everything acknowledged must be in the digest, and nothing refused.
    if (accepted(grouped) !== events || counted !== events) rows[0].pass = false;
    return rows;
  } finally {
    await fake.stop();
  }
}
