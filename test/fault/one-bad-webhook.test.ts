import { expect } from 'chai';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, tempDir, waitFor, type TestBridge } from '../helpers/bridge.js';
import { usePostgres, type TestPostgres } from '../helpers/postgres.js';
import { postgresError, refusingStore } from '../helpers/refusing-store.js';

// Issue 13, finding 1: webhooks that arrive together were stored in one transaction, and one that failed it cost
// every other its event (30 of 30 got 500 on SQLite, 20 of 20 on PostgreSQL). Replayed here against a real bridge.

const SECRET = 's3cret-value';
const GOOD = 30;

/** A status message as raw JSON text, so the poisons reach the bridge exactly as the attack run sent them. */
function body(id: string, fields: { type?: string; status?: string; extra?: string } = {}): string {
  const type = fields.type ?? '"LiveCheck"';
  const status = fields.status ?? '"Completed"';
  return `{"statusMessage":{"type":${type},"id":"${id}","groupId":"grp-1","status":${status}${fields.extra ? `,"extra":${fields.extra}` : ''}}}`;
}

/** Each trigger of the finding: the poisoned webhook's body for an entity id. */
const POISONS: Array<{ what: string; body: (id: string) => string }> = [
  { what: 'type "constructor"', body: (id) => body(id, { type: '"constructor"' }) },
  { what: 'type "__proto__"', body: (id) => body(id, { type: '"__proto__"' }) },
  { what: 'status "constructor"', body: (id) => body(id, { status: '"constructor"' }) },
  { what: 'status "__proto__"', body: (id) => body(id, { status: '"__proto__"' }) },
  { what: 'an extra field nested 5,000 deep', body: (id) => body(id, { extra: `${'['.repeat(5000)}1${']'.repeat(5000)}` }) },
  { what: 'a \\u0000 in an extra field', body: (id) => body(id, { extra: '{"note":"before\\u0000after"}' }) },
  { what: 'a lone surrogate in an extra field', body: (id) => body(id, { extra: '{"note":"half \\ud800 a pair"}' }) },
];

const YAML = `
aver:
  webhook: { secrets: ["${SECRET}"] }
delivery: { pollInterval: 20ms }
receivers:
  - name: ops
    console: {}
route:
  receiver: ops
`;

function replay(name: string, storage: () => Promise<string>): void {
  describe(`30 good webhooks sent together with one poisoned one (${name})`, function () {
    this.timeout(60_000);
    let t: TestBridge;
    before(async () => {
      t = await startBridge(`${YAML}${await storage()}`);
    });
    after(async () => {
      await t?.stop();
    });

    for (const [k, poison] of POISONS.entries()) {
      it(`${poison.what}: all 30 get 202 and are delivered; the poisoned one gets a 4xx, or 202 and is delivered`, async () => {
        const ids = Array.from({ length: GOOD }, (_, i) => `good-${k}-${i}`);
        const poisonId = `poison-${k}`;
        const bodies = [...ids.slice(0, 15).map((id) => body(id)), poison.body(poisonId), ...ids.slice(15).map((id) => body(id))];
        const answers = await Promise.all(bodies.map((b) => postWebhook(`${t.url}/webhooks/aver`, b, { authorization: SECRET })));
        const poisoned = answers[15];
        const good = answers.filter((_, i) => i !== 15);
        expect(good.map((a) => a.status), 'the 30 good webhooks').to.deep.equal(Array(GOOD).fill(202));
        expect(poisoned.status, `the poisoned one: ${JSON.stringify(poisoned.json)}`).to.be.oneOf([202, 400, 413, 422]);
        const expected = poisoned.status === 202 ? [...ids, poisonId] : ids;
        const delivered = () => new Set(t.consoleLines.map((l) => l.id as string));
        await waitFor(() => expected.every((id) => delivered().has(id)), `${expected.length} deliveries`, 20_000);
        if (poisoned.status !== 202) expect(delivered().has(poisonId), 'a refused webhook is not delivered').to.equal(false);
        expect(t.logs.records().filter((r) => r.level >= 50), 'no error logged for a client\'s webhook').to.deep.equal([]);
      });
    }
  });
}

/**
 * The second line of defence, end to end: a webhook that passes every check at ingest but that the store refuses
 * when it writes the batch (as a NUL in jsonb, or nesting too deep for JSON.stringify, did). Only it gets a 422,
 * whether it shared a commit with others or not (the old code gave it a 500, and every webhook in its commit too).
 */
function storeRefusesOne(name: string, open: () => Promise<{ store: Store; url: string }>, dataError: () => Error): void {
  it(`a webhook the store refuses in a commit (${name}): the 30 beside it get 202 and are delivered, it gets 422 and is not stored`, async function () {
    this.timeout(60_000);
    const { store, url } = await open();
    const refusing = refusingStore(store, { appendEvents: (batch) => (batch.some((b) => b.event.id === 'store-refuses') ? dataError() : undefined) });
    const t = await startBridge(`${YAML}storage: { url: "${url}" }\n`, { store: refusing });
    try {
      const ids = Array.from({ length: GOOD }, (_, i) => `beside-${i}`);
      const all = [...ids.slice(0, 15), 'store-refuses', ...ids.slice(15)];
      const answers = await Promise.all(all.map((id) => postWebhook(`${t.url}/webhooks/aver`, body(id), { authorization: SECRET })));
      expect(answers[15].status).to.equal(422);
      expect(answers[15].json.error.code).to.equal('event_unstorable');
      expect(answers.filter((_, i) => i !== 15).map((a) => a.status)).to.deep.equal(Array(GOOD).fill(202));
      const delivered = () => new Set(t.consoleLines.map((l) => l.id as string));
      await waitFor(() => ids.every((id) => delivered().has(id)), '30 deliveries', 20_000);
      expect(delivered().has('store-refuses')).to.equal(false);
      expect(await store.entityHistory('store-refuses')).to.deep.equal([]);
    } finally {
      await t.stop();
      await store.close();
    }
  });
}

describe('fault: one bad webhook never costs another (issue 13, finding 1)', () => {
  describe('on SQLite', () => {
    replay('SQLite', async () => '');
    const temp = tempDir();
    after(() => temp.cleanup());
    let k = 0;
    storeRefusesOne('SQLite', async () => {
      const url = `sqlite:${join(temp.dir, `refusing-${++k}.db`)}`;
      return { store: await openStore(url), url };
    }, () => new RangeError('Maximum call stack size exceeded'));
  });

  describe('on PostgreSQL', () => {
    const db = usePostgres('finding 1 on PostgreSQL');
    let pg: TestPostgres;
    before(() => { pg = db(); });
    replay('PostgreSQL', async () => `storage: { url: "${pg.urlFor(await pg.freshSchema())}" }\n`);
    storeRefusesOne('PostgreSQL', async () => {
      const url = pg.urlFor(await pg.freshSchema());
      return { store: await openStore(url), url };
    }, () => postgresError('22P05', 'unsupported Unicode escape sequence'));
  });
});
