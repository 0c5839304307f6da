// The bridge side of the fan-out benchmark, in its own process: a real bridge (createBridge) with one webhook
// receiver per channel (or, for the drain, one slack receiver per channel on the fake Slack API), pacing raised out
// of the way. Jobs are queued through the store API (appendEvents with preRouted jobs, as the chat `test` command
// does) before the worker starts, so only delivery is timed.
import { join } from 'node:path';
import { destination } from 'pino';
import { createBridge } from '../../src/app.js';
import { dedupKey } from '../../src/aver/dedup-key.js';
import { newEventId } from '../../src/aver/event-id.js';
import { entityKey, labelsOf, type AverEvent } from '../../src/model/event.js';
import { parseConfig } from '../../src/config/load.js';
import { destinationLimit } from '../../src/pipeline/schedule-jobs.js';
import { createLogger } from '../../src/logger.js';
import type { NewEvent } from '../../src/store/store.js';
import { childArgs, tell, wallNow, type ChildMessage } from '../processes.js';

interface Args {
  dir: string;
  storageUrl: string;
  fakeUrl: string;
  jobs: number;
  channels: number;
  prefix: string;
  /** Its log's name under AVER_BRIDGE_BENCH_LOGS (else its log goes nowhere). */
  name?: string;
  /** `slack`: slack receivers whose slack.apiUrl is the fake's; otherwise webhook receivers on its /hook/ URLs. */
  kind?: 'webhook' | 'slack';
}

const args = childArgs<Args>();
const names = Array.from({ length: args.channels }, (_, i) => `ch${String(i).padStart(4, '0')}`);

const PACING = 'pacing: { ratePerSecond: 100000, burst: 100000 }';
/** One receiver per channel: a webhook on the fake's /hook/NAME (the plain loop posts to the same URLs), or a slack receiver. */
const receiver = (n: string) => args.kind === 'slack'
  ? `  - { name: ${n}, slack: { channel: C0BENCH${n.slice(2)} }, ${PACING} }`
  : `  - { name: ${n}, webhook: { url: "${args.fakeUrl}/hook/${n}" }, ${PACING} }`;
const yaml = [
  'server: { host: 127.0.0.1, port: 0, shutdownTimeout: 2s }',
  'aver: { webhook: { allowUnauthenticated: true } }',
  `storage: { url: "${args.storageUrl}" }`,
  // As the end-to-end benchmark configures it: the fake answers chat.postMessage; no auth.test at start.
  ...(args.kind === 'slack' ? [`slack: { botToken: xoxb-bench-token, apiUrl: "${args.fakeUrl}/api/", verifyToken: false }`] : []),
  'receivers:',
  ...names.map(receiver),
  `route: { receiver: ${names[0]} }`,
  '',
].join('\n');

async function main() {
  const config = parseConfig(yaml, `${args.dir}/fan-out.yaml`, {});
  const logs = process.env.AVER_BRIDGE_BENCH_LOGS;
  const logger = createLogger(config.log.level, destination({ dest: logs ? join(logs, `${args.name ?? 'fanout-bridge'}.log`) : '/dev/null', sync: true, mkdir: true }));
  const bridge = await createBridge(config, { logger });
  const receivers = bridge.state.receivers;

  const batchSize = 2000;
  const now = Date.now();
  for (let start = 0; start < args.jobs; start += batchSize) {
    const batch: NewEvent[] = [];
    for (let i = start; i < Math.min(args.jobs, start + batchSize); i++) {
      const id = `fan-${args.prefix}-${i}`;
      const event: AverEvent = {
        eventId: newEventId(now), type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed', receivedAt: now,
        unknownType: false, unknownStatus: false, raw: { type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed' },
      };
      const labels = labelsOf(event, {});
      const name = names[i % names.length];
      const destinationKey = receivers.get(name)!.destinationKey({ receiver: name, event, labels });
      batch.push({ event, dedupKey: dedupKey(event), dedupUntil: now + 3_600_000, preRouted: { labels, jobs: [{ receiver: name, entityKey: entityKey(event), destinationKey }] } });
    }
    await bridge.store.appendEvents(batch);
  }
  tell({ type: 'queued', concurrency: config.delivery.concurrency, perDestination: destinationLimit(config.delivery.concurrency) });

  let cpuAtStart = process.cpuUsage();
  process.on('message', (m: ChildMessage) => void onMessage(m));
  async function onMessage(m: ChildMessage) {
    if (m?.type === 'start') {
      const t0 = wallNow();
      cpuAtStart = process.cpuUsage();
      await bridge.start();
      tell({ type: 'started', t0 });
    }
    if (m?.type === 'stop') {
      // The CPU this process spent since the worker started (the runner stops it once the fake has everything).
      const cpu = process.cpuUsage(cpuAtStart);
      await bridge.stop();
      // Exit once the reply is out (a CPU profile is written on exit).
      process.send?.({ type: 'stopped', cpuUs: cpu.user + cpu.system }, () => process.exit(0));
    }
  }
  process.on('SIGTERM', () => process.exit(0));
  tell({ type: 'ready' });
}

main().catch((err) => {
  tell({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
