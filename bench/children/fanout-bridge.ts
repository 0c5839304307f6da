// The bridge side of the fan-out benchmark, in its own process: a real bridge (createBridge) with one webhook
// receiver per channel, pacing raised out of the way. Jobs are queued through the store API (appendEvents with
// preRouted jobs, as the chat `test` command does) before the worker starts, so only delivery is timed.
import { destination } from 'pino';
import { createBridge } from '../../src/app.js';
import { dedupKey } from '../../src/aver/dedup-key.js';
import { newEventId } from '../../src/aver/event-id.js';
import { entityKey, labelsOf, type AverEvent } from '../../src/model/event.js';
import { parseConfig } from '../../src/config/load.js';
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
}

const args = childArgs<Args>();
const names = Array.from({ length: args.channels }, (_, i) => `ch${String(i).padStart(4, '0')}`);

/** The YAML for one webhook receiver per channel; exported for the plain loop to post to the same URLs. */
const yaml = [
  'server: { host: 127.0.0.1, port: 0, shutdownTimeout: 2s }',
  'aver: { webhook: { allowUnauthenticated: true } }',
  `storage: { url: "${args.storageUrl}" }`,
  'receivers:',
  ...names.map((n) => `  - { name: ${n}, webhook: { url: "${args.fakeUrl}/hook/${n}" }, pacing: { ratePerSecond: 100000, burst: 100000 } }`),
  `route: { receiver: ${names[0]} }`,
  '',
].join('\n');

async function main() {
  const config = parseConfig(yaml, `${args.dir}/fan-out.yaml`, {});
  const logger = createLogger(config.log.level, destination({ dest: '/dev/null', sync: true }));
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
  tell({ type: 'queued', concurrency: config.delivery.concurrency });

  process.on('message', (m: ChildMessage) => void onMessage(m));
  async function onMessage(m: ChildMessage) {
    if (m?.type === 'start') {
      const t0 = wallNow();
      await bridge.start();
      tell({ type: 'started', t0 });
    }
    if (m?.type === 'stop') {
      await bridge.stop();
      // Exit once the reply is out (a CPU profile is written on exit).
      process.send?.({ type: 'stopped' }, () => process.exit(0));
    }
  }
  process.on('SIGTERM', () => process.exit(0));
  tell({ type: 'ready' });
}

main().catch((err) => {
  tell({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exit(1);
});
