import { expect } from 'chai';
import type { Receiver } from '../../src/receivers/receiver.js';
import { createTeamsWorkflowReceiver } from '../../src/receivers/teams-workflow/deliver.js';
import { createWebhookReceiver } from '../../src/receivers/webhook/deliver.js';
import { testConfig } from '../helpers/config.js';
import { ctx, event, job } from '../helpers/fixtures.js';
import { silentLogger } from '../helpers/logger.js';

/** A fetch whose answer has `status` and a body that never ends; it records how much of that body was read. */
function endlessAnswer(status: number) {
  const seen = { bytes: 0, cancelled: false };
  const fetchFn = (async () => new Response(new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.bytes += 4096;
      controller.enqueue(new Uint8Array(4096));
    },
    cancel() { seen.cancelled = true; },
  }, { highWaterMark: 0 }), { status })) as typeof fetch;
  return { fetchFn, seen };
}

const receivers: Array<[string, (fetchFn: typeof fetch) => Receiver]> = [
  ['webhook', (fetchFn) => createWebhookReceiver({ name: 'hook', webhook: { url: 'http://hook.test/in', headers: {} } }, { fetch: fetchFn, now: Date.now })],
  ['teamsWorkflow', (fetchFn) => createTeamsWorkflowReceiver({ name: 'flow', teamsWorkflow: { url: 'http://flows.test/in' } }, { fetch: fetchFn, config: testConfig(), logger: silentLogger })],
];

describe('HTTP receivers read answers within a bound', () => {
  for (const [kind, build] of receivers) {
    for (const [status, ok] of [[202, true], [500, false]] as const) {
      it(`${kind}: an endless ${status} answer is read only so far, then dropped; the status decides`, async () => {
        const { fetchFn, seen } = endlessAnswer(status);
        const result = await build(fetchFn).deliver(job(event('Rejected')), ctx());
        expect(result.ok).to.equal(ok);
        expect(seen.cancelled).to.equal(true);
        expect(seen.bytes).to.be.at.most(128 * 1024);
      });
    }
  }
});
