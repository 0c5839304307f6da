import { expect } from 'chai';
import { postWebhook, startBridge, waitFor, type TestBridge } from '../helpers/bridge.js';
import { fakeClock, settle, T0 } from '../helpers/clock.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { usePostgres } from '../helpers/postgres.js';

const yaml = (apiUrl: string) => `
aver: { webhook: { secrets: ["s3cret-value"] } }
slack: { botToken: xoxb-test-token-0000, apiUrl: ${apiUrl}, verifyToken: false }
delivery: { pollInterval: 100ms }
receivers:
  - name: kyc-slack
    slack: { channel: C0123456789 }
route:
  receiver: kyc-slack
  group_by: [groupId, type]
`;

describe('grouping with two replicas on PostgreSQL', () => {
  const db = usePostgres('two replicas grouping');

  it('sends exactly one digest per group, every event in it, whichever replica routed the events', async function () {
    this.timeout(60_000);
    const slack = await startFakeSlack();
    const clock = fakeClock(T0);
    const store = await db().freshStore();
    await store.migrate();
    const other = await db().sibling(store);
    const replicas: TestBridge[] = [];
    try {
      replicas.push(await startBridge(yaml(slack.apiUrl), { clock, store, owner: 'replica-a' }));
      replicas.push(await startBridge(yaml(slack.apiUrl), { clock, store: other, owner: 'replica-b' }));
      const groups = ['grp-1', 'grp-2', 'grp-3'];
      const posts = [];
      for (let i = 0; i < 300; i++) {
        const body = { statusMessage: { type: 'RecurringWatchlistSearch', id: `rws-${i}`, groupId: groups[i % 3], status: 'Completed' } };
        posts.push(postWebhook(`${replicas[i % 2].url}/webhooks/aver`, body, { authorization: 's3cret-value' }));
      }
      expect((await Promise.all(posts)).every((r) => r.status === 202)).to.equal(true);
      await waitFor(async () => (await store.unroutedEvents(1)).length === 0, 'every event routed', 20_000);
      // Several steps of both timer pumps, so each replica tries to flush every due group.
      for (let step = 0; step < 8; step++) {
        clock.advance(step === 0 ? 30_000 : 200);
        await settle();
        await new Promise((r) => setTimeout(r, 50));
      }
      await waitFor(() => slack.calls.filter((c) => c.method === 'chat.postMessage').length >= 3, 'three digests', 10_000);
      await new Promise((r) => setTimeout(r, 300));
      const digests = slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => String(c.body.text));
      expect(digests).to.have.length(3);
      for (const g of groups) expect(digests.filter((d) => d.includes(g))).to.deep.equal([`🟢 ${g} · Recurring watchlist search: 100 events`]);
    } finally {
      for (const r of replicas) await r.stop();
      await other.close();
      await store.close();
      await slack.close();
    }
  });
});
