import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { postWebhook, waitFor } from '../helpers/bridge.js';
import { startFakeHttp, type FakeAnswer, type FakeHttp, type RecordedRequest } from '../helpers/fake-http.js';
import { usePostgres } from '../helpers/postgres.js';
import type { LogRecord } from '../helpers/logger.js';
import { killServer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const SECRET = 'replica-webhook-s3cret';
const HOOK = '/webhooks/aver';

/** A webhook body as Aver sends it. */
function statusMessage(id: string, status = 'Completed', groupId = 'g-replicas', type = 'LiveCheck') {
  return { statusMessage: { type, id, groupId, status } };
}

/** Writes one config file both replicas read: same store (schema), same receivers. */
function writeConfig(dir: string, storageUrl: string, delivery: string, receivers: string, route: string): string {
  const file = join(dir, 'aver-bridge.yaml');
  writeFileSync(file, `
server: { host: 127.0.0.1, port: 0, shutdownTimeout: 2s }
aver:
  webhook:
    secrets: ["${SECRET}"]
storage: { url: "${storageUrl}" }
delivery:
${delivery}
receivers:
${receivers}
route:
${route}
`);
  return file;
}

/** Starts two replicas of one config at the same moment (their migrations race for the advisory lock). */
async function startReplicas(file: string): Promise<[ServerProcess, ServerProcess]> {
  const started = await Promise.allSettled([startServerProcess(file), startServerProcess(file)]);
  const ok = started.filter((s): s is PromiseFulfilledResult<ServerProcess> => s.status === 'fulfilled').map((s) => s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map(killServer));
    throw failed.reason;
  }
  return [ok[0], ok[1]];
}

/** The JSON log lines a replica wrote with this message. */
function logged(p: ServerProcess, msg: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of p.lines) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try {
      out.push(JSON.parse(line) as LogRecord);
    } catch {
      // not a JSON line
    }
  }
  return out;
}

/** Jobs not yet done or dead, for every receiver. */
async function pendingJobs(store: Store): Promise<number> {
  return (await store.queueStats(Date.now())).reduce((n, s) => n + s.pending, 0);
}

/** Polls `check` every 100 ms until it holds or `ms` pass; the assertions after it say what did not happen. */
async function settle(check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'aver-bridge-replicas-'));
}

describe('replicas: two bridge processes on one PostgreSQL', function () {
  this.timeout(60_000);
  const db = usePostgres('two-replica tests (real bridge processes on PostgreSQL)');

  describe('SIGKILL of one replica in the middle of a load', () => {
    const EVENTS = 5000;
    const KILL_AFTER_ACKS = 2500;
    const PARALLEL = 32;
    const CONCURRENCY = 16;
    let dir: string | undefined;
    let fake: FakeHttp | undefined;
    let replicas: ServerProcess[] = [];
    let store: Store | undefined;

    afterEach(async () => {
      await Promise.all(replicas.map(killServer));
      await store?.close();
      await fake?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`delivers every one of ${EVENTS} acknowledged events; duplicates, beyond retries of logged timeouts, only from the killed replica's leases and at most delivery.concurrency`, async function () {
      // Close to a minute on a busy two-core machine; the limit only stops a hung run (nothing here is timed).
      this.timeout(120_000);
      const schema = await db().freshSchema();
      // A few milliseconds per answer, so the killed replica has deliveries in flight when it dies.
      fake = await startFakeHttp(() => ({ status: 200, delayMs: 2 }));
      dir = tempDir();
      // Five channels (by the id's last digit): each channel's shared pacing row is taken by one delivery at a
      // time, so spreading the load lets the replicas fill all their delivery.concurrency slots.
      const channels = [0, 1, 2, 3, 4];
      const file = writeConfig(dir, db().urlFor(schema), `
  concurrency: ${CONCURRENCY}
  # A dead replica's leases run out after max(leaseTime, timeout + 2s) = 6s. The fake answers in 2 ms, but the
  # first requests of a cold process on a crowded machine can take seconds: a timeout is retried, and that copy
  # is an at-least-once repeat the test counts apart from the kill's.
  timeout: 4s
  leaseTime: 6s
  pollInterval: 50ms
  backoff: { base: 50ms, factor: 2, cap: 500ms }`, channels.map((c) => `
  - name: hooks-${c}
    webhook: { url: "${fake!.url}/hook-${c}" }
    pacing: { ratePerSecond: 100000, burst: 100000 }`).join(''), `
  receiver: hooks-0
  routes:${channels.slice(1).map((c) => `
    - matchers: ['id =~ ".*[${2 * c}${2 * c + 1}]"']
      receiver: hooks-${c}`).join('')}`);
      replicas = await startReplicas(file);
      const [victim, survivor] = replicas;
      store = await openPostgresStore(db().urlFor(schema), { poolSize: 2 });

      const acked = new Set<string>();
      const ackedBy = { victim: 0, survivor: 0 };
      let reposted = 0;
      let killed = false;
      let next = 0;

      /** Posts one event; true on a 2xx. A refused connection or a reset is not an acknowledgement. */
      async function post(to: ServerProcess, id: string): Promise<boolean> {
        try {
          const res = await fetch(`${to.url}${HOOK}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: SECRET },
            body: JSON.stringify(statusMessage(id)),
          });
          await res.text();
          return res.status >= 200 && res.status < 300;
        } catch {
          return false;
        }
      }

      // Events alternate between the replicas, as a balancer would spread them; once one is gone, everything goes
      // to the survivor, and what the dead one did not acknowledge is posted again there (as a balancer retries).
      const agent = async () => {
        while (next < EVENTS) {
          const i = next++;
          const id = `kill-${i}`;
          const first = !killed && i % 2 === 0 ? victim : survivor;
          let ok = await post(first, id);
          if (ok) ackedBy[first === victim ? 'victim' : 'survivor']++;
          if (!ok && first === victim) {
            reposted++;
            ok = await post(survivor, id);
            if (ok) ackedBy.survivor++;
          }
          if (ok) acked.add(id);
        }
      };
      const load = Promise.all(Array.from({ length: PARALLEL }, agent));

      await waitFor(() => acked.size >= KILL_AFTER_ACKS, 'half of the events acknowledged', 40_000);
      const deliveredBeforeKill = new Set(fake.requests.map((r) => r.body.event.id)).size;
      victim.child.kill('SIGKILL');
      killed = true;
      await victim.exited;
      const deadAt = Date.now();
      const ackedBeforeKill = acked.size;
      await load;

      // Done when every acknowledged event has arrived and no job is left (the dead replica's leases ran out and
      // the survivor finished them), so every duplicate that can happen has happened.
      const arrived = new Set<string>();
      let seen = 0;
      const allArrived = () => {
        for (; seen < fake!.requests.length; seen++) arrived.add(fake!.requests[seen].body.event.id);
        return arrived.size >= acked.size && [...acked].every((id) => arrived.has(id));
      };
      await settle(async () => allArrived() && (await pendingJobs(store!)) === 0, 45_000);
      const arrivals = new Map<string, number[]>();
      for (const r of fake.requests) arrivals.set(r.body.event.id, [...(arrivals.get(r.body.event.id) ?? []), r.at]);
      const missing = [...acked].filter((id) => !arrivals.has(id));
      // A delivery that timed out is retried, and the first copy may still have arrived: each logged timeout
      // explains one copy. Every other copy beyond the first comes from the kill.
      const timeouts = new Map<string, number>();
      for (const l of [...victim.logs(), ...survivor.logs()]) {
        if (l.msg === 'delivery failed; will retry' && l.code === 'timeout' && l.eventId) timeouts.set(l.eventId, (timeouts.get(l.eventId) ?? 0) + 1);
      }
      const eventIdOf = new Map(fake.requests.map((r) => [r.body.event.id as string, r.body.event.eventId as string]));
      const repeats = [...arrivals].filter(([, at]) => at.length > 1).map(([id, at]) => {
        const afterTimeouts = Math.min(at.length - 1, timeouts.get(eventIdOf.get(id)!) ?? 0);
        return { id, at, afterTimeouts, fromKill: at.length - 1 - afterTimeouts };
      });
      const fromKill = repeats.filter((r) => r.fromKill > 0);
      const duplicates = fromKill.reduce((n, r) => n + r.fromKill, 0);
      const afterTimeouts = repeats.reduce((n, r) => n + r.afterTimeouts, 0);
      const deliveredBySurvivor = logged(survivor, 'delivered').length;
      const list = (rs: typeof repeats) => (rs.length ? ` (${rs.slice(0, 8).map((r) => `${r.id}×${r.at.length}`).join(', ')}${rs.length > 8 ? ', …' : ''})` : '');
      console.log(
        `      two-replica kill report: posted ${EVENTS}, acknowledged ${acked.size} (${ackedBeforeKill} before SIGKILL; ` +
          `victim ${ackedBy.victim}, survivor ${ackedBy.survivor}; ${reposted} posted again to the survivor), ` +
          `delivered before the kill ${deliveredBeforeKill}, delivered ${arrivals.size} distinct in ${fake.requests.length} requests ` +
          `(survivor logged ${deliveredBySurvivor}), duplicates from the kill ${duplicates}/${CONCURRENCY} allowed${list(fromKill)}, ` +
          `repeats after a logged timeout ${afterTimeouts}${list(repeats.filter((r) => r.afterTimeouts > 0))}, ` +
          `missing ${missing.length}, pending ${await pendingJobs(store)}`,
      );

      expect(ackedBeforeKill, 'the kill came in the middle of the load').to.be.within(KILL_AFTER_ACKS, EVENTS - 1000);
      expect(acked.size, 'every event acknowledged by one replica or the other').to.equal(EVENTS);
      expect(ackedBy.victim, 'the killed replica took its share').to.be.at.least(1000);
      expect(deliveredBeforeKill, 'deliveries were under way when the replica died').to.be.above(0);
      expect(missing, 'acknowledged but never delivered').to.deep.equal([]);
      expect(await pendingJobs(store), 'jobs left in the queue').to.equal(0);
      expect(duplicates, "duplicates beyond the killed replica's in-flight deliveries").to.be.at.most(CONCURRENCY);
      // A duplicate from the kill is a delivery the dead replica made and could not record: its first copy arrived
      // before the death.
      for (const { id, at } of fromKill) expect(Math.min(...at), `first copy of ${id}`).to.be.at.most(deadAt);
    });
  });

  describe('shared dedup, pacing and order', () => {
    let dir: string | undefined;
    let replicas: ServerProcess[] = [];
    let store: Store | undefined;
    const fakes: Record<'dedup' | 'paced' | 'ordered', FakeHttp | undefined> = { dedup: undefined, paced: undefined, ordered: undefined };
    /**
     * The ordered receiver holds each check's first status for 300 ms, so its later statuses are queued (on both
     * replicas) while it is in flight, and answers the rest after 0–20 ms: deliveries overtake each other unless
     * order is enforced.
     */
    const jitter = (req: RecordedRequest): FakeAnswer => ({ status: 200, delayMs: req.body.event.status === 'Created' ? 300 : Math.floor(Math.random() * 20) });

    before(async () => {
      const schema = await db().freshSchema();
      fakes.dedup = await startFakeHttp();
      fakes.paced = await startFakeHttp();
      fakes.ordered = await startFakeHttp(jitter);
      dir = tempDir();
      const file = writeConfig(dir, db().urlFor(schema), `
  concurrency: 16
  timeout: 2s
  leaseTime: 3s
  pollInterval: 50ms
  backoff: { base: 50ms, factor: 2, cap: 500ms }`, `
  - name: dedup
    webhook: { url: "${fakes.dedup.url}/dedup" }
    pacing: { ratePerSecond: 100000, burst: 100000 }
  - name: paced
    webhook: { url: "${fakes.paced.url}/paced" }
    pacing: { ratePerSecond: 5, burst: 1 }
  - name: ordered
    webhook: { url: "${fakes.ordered.url}/ordered" }
    pacing: { ratePerSecond: 100000, burst: 100000 }`, `
  receiver: dedup
  routes:
    - matchers: ['groupId = "g-paced"']
      receiver: paced
    - matchers: ['groupId = "g-ordered"']
      receiver: ordered`);
      replicas = await startReplicas(file);
      store = await openPostgresStore(db().urlFor(schema), { poolSize: 2 });
    });

    after(async () => {
      await Promise.all(replicas.map(killServer));
      await store?.close();
      for (const f of Object.values(fakes)) await f?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('stores the same webhook posted to both replicas at once once: one 202, one 200 duplicate, delivered once', async () => {
      const [a, b] = replicas;
      const N = 20;
      const ids = Array.from({ length: N }, (_, i) => `dup-${i}`);
      for (const id of ids) {
        const body = statusMessage(id, 'Rejected', 'g-dedup');
        const answers = await Promise.all([a, b].map((r) => postWebhook(`${r.url}${HOOK}`, body, { authorization: SECRET })));
        expect(answers.map((x) => x.status).sort(), id).to.deep.equal([200, 202]);
        expect(answers.find((x) => x.status === 200)!.json, id).to.include({ duplicate: true });
        expect(answers[0].json.eventId, `${id}: both answers name the stored event`).to.equal(answers[1].json.eventId);
      }
      await waitFor(async () => new Set(fakes.dedup!.requests.map((r) => r.body.event.id)).size === N && (await pendingJobs(store!)) === 0,
        'every webhook delivered and the queue empty', 20_000);
      for (const id of ids) {
        expect(await store!.entityHistory(id, 'LiveCheck'), `${id} stored`).to.have.length(1);
        expect(fakes.dedup!.requests.filter((r) => r.body.event.id === id), `${id} delivered`).to.have.length(1);
      }
    });

    it('keeps two replicas together within one channel\'s pacing (5/s, burst 1), every sliding second', async () => {
      const [a, b] = replicas;
      const N = 24;
      const RATE = 5;
      const BURST = 1;
      const answers = await Promise.all(Array.from({ length: N }, (_, i) =>
        postWebhook(`${[a, b][i % 2].url}${HOOK}`, statusMessage(`paced-${i}`, 'Completed', 'g-paced'), { authorization: SECRET })));
      expect(answers.map((x) => x.status)).to.deep.equal(Array(N).fill(202));
      await waitFor(() => fakes.paced!.requests.length >= N, `${N} paced deliveries`, 30_000);
      await waitFor(async () => (await pendingJobs(store!)) === 0, 'the queue empty', 5_000);

      const at = fakes.paced!.requests.map((r) => r.at).sort((x, y) => x - y);
      let busiest = 0;
      for (let i = 0; i < at.length; i++) busiest = Math.max(busiest, at.filter((t) => t >= at[i] && t < at[i] + 1000).length);
      const byReplica = [a, b].map((r) => logged(r, 'delivered').filter((l) => l.receiver === 'paced').length);
      console.log(`      pacing report: ${at.length} delivered in ${at[at.length - 1] - at[0]} ms, busiest second ${busiest} (limit ${RATE + BURST}), by replica ${byReplica.join(' + ')}`);

      expect(new Set(fakes.paced!.requests.map((r) => r.body.event.id)).size, 'distinct events delivered').to.equal(N);
      expect(at, 'no event delivered twice').to.have.length(N);
      expect(byReplica.every((n) => n > 0), 'both replicas delivered to the channel').to.equal(true);
      expect(busiest, 'messages in the busiest sliding second').to.be.at.most(RATE + BURST);
    });

    it('delivers the statuses of one entity in the order they arrived, though posted alternately to both replicas', async () => {
      const [a, b] = replicas;
      const ENTITIES = 8;
      const STATUSES = ['Created', 'AwaitingUser', 'AwaitingReview', 'InReview', 'Rejected', 'Completed'];
      // Each entity's statuses are posted one after the other (each acknowledged before the next), alternating
      // replicas; the entities go in parallel.
      await Promise.all(Array.from({ length: ENTITIES }, async (_, e) => {
        for (const [k, status] of STATUSES.entries()) {
          const res = await postWebhook(`${[a, b][(e + k) % 2].url}${HOOK}`, statusMessage(`order-${e}`, status, 'g-ordered'), { authorization: SECRET });
          expect(res.status, `order-${e} ${status}`).to.equal(202);
        }
      }));
      const total = ENTITIES * STATUSES.length;
      await waitFor(() => fakes.ordered!.requests.length >= total, `${total} ordered deliveries`, 20_000);
      await waitFor(async () => (await pendingJobs(store!)) === 0, 'the queue empty', 5_000);

      const byReplica = [a, b].map((r) => logged(r, 'delivered').filter((l) => l.receiver === 'ordered').length);
      console.log(`      order report: ${fakes.ordered!.requests.length} delivered for ${ENTITIES} entities × ${STATUSES.length} statuses, by replica ${byReplica.join(' + ')}`);
      expect(fakes.ordered!.requests, 'no status delivered twice').to.have.length(total);
      for (let e = 0; e < ENTITIES; e++) {
        const got = fakes.ordered!.requests.filter((r) => r.body.event.id === `order-${e}`).map((r) => r.body.event.status);
        expect(got, `order-${e}`).to.deep.equal(STATUSES);
      }
      expect(byReplica.every((n) => n > 0), 'both replicas delivered to the channel').to.equal(true);
    });
  });
});
