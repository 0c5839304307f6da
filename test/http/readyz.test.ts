import { expect } from 'chai';
import { createWriteHealth, UNREADY_HOLD_MS, WRITE_FAILURES_UNREADY } from '../../src/http/health.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, startBridge, tempDir, type TestBridge } from '../helpers/bridge.js';
import { fakeClock } from '../helpers/clock.js';
import { MINIMAL_YAML, WEBHOOK_SECRET } from '../helpers/config.js';

/** A real SQLite store whose appends fail while `full.on` is set, as they do on a full disk. */
function fillable(store: Store): { store: Store; full: { on: boolean } } {
  const full = { on: false };
  const proxy = new Proxy(store, {
    get(target, key) {
      if (key === 'appendEvents' && full.on) {
        return async () => { throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }); };
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, full };
}

let seq = 0;
const webhook = (t: TestBridge) => {
  seq += 1;
  const body = { statusMessage: { type: 'LiveCheck', id: `ready-${seq}`, groupId: 'g-1', status: 'Completed' } };
  return postWebhook(`${t.url}/webhooks/aver`, body, { authorization: WEBHOOK_SECRET });
};
const readiness = async (t: TestBridge) => {
  const res = await fetch(`${t.url}/readyz`);
  return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
};

describe('GET /readyz after failed appends (a real bridge)', () => {
  let temp: ReturnType<typeof tempDir>;
  let real: Store;
  let t: TestBridge;
  let full: { on: boolean };
  before(async () => {
    temp = tempDir();
    real = await openStore(`sqlite:${temp.dir}/bridge.db`);
    const fill = fillable(real);
    full = fill.full;
    t = await startBridge(MINIMAL_YAML, { store: fill.store });
  });
  after(async () => {
    await t.stop();
    await real.close();
    temp.cleanup();
  });

  it(`answers 503 store_write_failing once ${WRITE_FAILURES_UNREADY} webhooks in a row could not be stored, and 200 again once one is`, async () => {
    full.on = true;
    for (let i = 0; i < WRITE_FAILURES_UNREADY - 1; i++) expect((await webhook(t)).status).to.equal(500);
    expect(await readiness(t), 'one failure short').to.deep.equal({ status: 200, code: undefined });
    expect((await webhook(t)).status).to.equal(500);
    expect(await readiness(t)).to.deep.equal({ status: 503, code: 'store_write_failing' });

    full.on = false;
    expect((await webhook(t)).status).to.equal(202);
    expect(await readiness(t)).to.deep.equal({ status: 200, code: undefined });
  });

  it('does not count webhooks refused with a 4xx (they never reach the store)', async () => {
    for (let i = 0; i < WRITE_FAILURES_UNREADY + 1; i++) {
      expect((await postWebhook(`${t.url}/webhooks/aver`, '{', { authorization: WEBHOOK_SECRET })).status).to.equal(400);
    }
    expect((await readiness(t)).status).to.equal(200);
  });
});

describe('createWriteHealth', () => {
  it(`is failing after ${WRITE_FAILURES_UNREADY} failures in a row, until an append succeeds`, () => {
    const health = createWriteHealth(fakeClock());
    for (let i = 0; i < WRITE_FAILURES_UNREADY - 1; i++) health.failed();
    health.succeeded();
    health.failed();
    expect(health.failing(), 'a success resets the count').to.equal(false);
    for (let i = 0; i < WRITE_FAILURES_UNREADY; i++) health.failed();
    expect(health.failing()).to.equal(true);
    health.succeeded();
    expect(health.failing()).to.equal(false);
  });

  it('lets a replica no longer sent webhooks be tried again UNREADY_HOLD_MS after its last failure', () => {
    const clock = fakeClock();
    const health = createWriteHealth(clock);
    for (let i = 0; i < WRITE_FAILURES_UNREADY; i++) health.failed();
    clock.advance(UNREADY_HOLD_MS - 1);
    expect(health.failing()).to.equal(true);
    clock.advance(1);
    expect(health.failing()).to.equal(false);
    health.failed();
    expect(health.failing(), 'one more failure, and it is out again').to.equal(true);
  });
});
