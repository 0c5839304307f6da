// The ceiling for fan-out: a plain fetch loop with the bridge's delivery concurrency, posting the same kind of
// JSON to the same fake receiver URLs, in its own process.
import { childArgs, tell, wallNow, type ChildMessage } from '../processes.js';

interface Args {
  fakeUrl: string;
  jobs: number;
  channels: number;
  concurrency: number;
  prefix: string;
}

const args = childArgs<Args>();

async function run() {
  let next = 0;
  let failed = 0;
  const t0 = wallNow();
  tell({ type: 'started', t0 });
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= args.jobs) return;
      const id = `fan-${args.prefix}-${i}`;
      const body = JSON.stringify({
        event: { eventId: `${i}`, type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed', receivedAt: Date.now(), unknownType: false, unknownStatus: false, raw: { type: 'LiveCheck', id, groupId: 'bench-group', status: 'Completed' } },
        labels: { type: 'LiveCheck', status: 'Completed', groupId: 'bench-group', group: 'bench-group', id },
        attempt: 1,
      });
      const res = await fetch(`${args.fakeUrl}/hook/ch${String(i % args.channels).padStart(4, '0')}`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'aver-bridge' }, body,
      });
      await res.arrayBuffer();
      if (!res.ok) failed++;
    }
  }
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  tell({ type: 'done', elapsedMs: wallNow() - t0, failed });
}

process.on('message', (m: ChildMessage) => {
  if (m?.type === 'run') run().catch((err) => tell({ type: 'error', message: (err as Error).message }));
});
tell({ type: 'ready' });
