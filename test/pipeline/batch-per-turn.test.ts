import { expect } from 'chai';
import { BridgeError } from '../../src/errors.js';
import type { AverEvent } from '../../src/model/event.js';
import { batchPerTurn, runIsolated, type Fault } from '../../src/store/batch-per-turn.js';
import { createGroupCommit } from '../../src/store/group-commit.js';
import type { AppendResult, NewEvent } from '../../src/store/store.js';
import { deferred, settle } from './fakes.js';

/** A batch function the test answers by hand, recording each batch and how many ran at once. */
function manual<I, R>() {
  const batches: I[][] = [];
  const answers: Array<ReturnType<typeof deferred<R[]>>> = [];
  let running = 0;
  let mostAtOnce = 0;
  const run = (items: I[]) => {
    batches.push(items);
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    const d = deferred<R[]>();
    answers.push(d);
    return d.promise.finally(() => running--);
  };
  return { run, batches, answers, get mostAtOnce() { return mostAtOnce; } };
}

describe('batchPerTurn', () => {
  it('runs the calls of one turn as one batch, in order, and gives each caller its own result', async () => {
    const m = manual<number, string>();
    const batch = batchPerTurn(m.run);
    const results = [1, 2, 3].map((n) => batch.add(n));
    expect(m.batches, 'nothing before the turn ends').to.deep.equal([]);
    expect(batch.pending).to.equal(3);
    await settle(1);
    expect(m.batches).to.deep.equal([[1, 2, 3]]);
    expect(batch.pending).to.equal(0);
    m.answers[0].resolve(['one', 'two', 'three']);
    expect(await Promise.all(results)).to.deep.equal(['one', 'two', 'three']);
  });

  it('runs one batch at a time: calls made while one runs form the next, which starts as soon as it ends', async () => {
    const m = manual<number, number>();
    const batch = batchPerTurn(m.run);
    const first = [batch.add(1), batch.add(2)];
    await settle();
    const second = [batch.add(3)];
    await settle();
    const third = [batch.add(4)];
    await settle();
    expect(m.batches, 'the others wait for the running batch').to.deep.equal([[1, 2]]);
    expect(batch.pending).to.equal(2);
    m.answers[0].resolve([10, 20]);
    await settle();
    expect(m.batches).to.deep.equal([[1, 2], [3, 4]]);
    m.answers[1].resolve([30, 40]);
    expect(await Promise.all([...first, ...second, ...third])).to.deep.equal([10, 20, 30, 40]);
    expect(m.mostAtOnce).to.equal(1);
  });

  it('takes at most maxBatch items per batch', async () => {
    const m = manual<number, number>();
    const batch = batchPerTurn(m.run, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => batch.add(n));
    await settle();
    m.answers[0].resolve([1, 2]);
    await settle();
    m.answers[1].resolve([3, 4]);
    await settle();
    m.answers[2].resolve([5]);
    expect(await Promise.all(all)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(m.batches).to.deep.equal([[1, 2], [3, 4], [5]]);
  });

  it('fails every call of a failed batch with its error, and runs the next batch all the same', async () => {
    let calls = 0;
    const batch = batchPerTurn(async (items: number[]) => {
      if (calls++ === 0) throw new Error('disk full');
      return items.map((n) => n * 10);
    });
    const failed = [batch.add(1), batch.add(2)].map((p) => p.then(() => 'resolved', (err: Error) => err.message));
    const after = batch.add(3); // joins the same turn's batch
    expect(await Promise.all(failed)).to.deep.equal(['disk full', 'disk full']);
    await after.then(() => expect.fail('joined the failed batch'), (err: Error) => expect(err.message).to.equal('disk full'));
    expect(await batch.add(4)).to.equal(40);
  });

  it('fails the batch’s calls when the batch function throws instead of rejecting', async () => {
    const batch = batchPerTurn<number, number>(() => { throw new Error('not open'); });
    const err = await batch.add(1).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('not open');
  });
});

describe('createGroupCommit', () => {
  const event = (id: string) => ({
    event: { eventId: id, type: 'LiveCheck', id, groupId: 'g', status: 'Completed', receivedAt: 1, unknownType: false, unknownStatus: false, raw: {} } satisfies AverEvent,
    dedupKey: id,
    dedupUntil: 2,
  });

  it('appends a turn’s events in one store call and answers each append only once that commit is done', async () => {
    const calls: NewEvent[][] = [];
    const commit = deferred();
    const inbox = createGroupCommit({
      appendEvents: async (batch) => {
        calls.push(batch);
        await commit.promise;
        return batch.map((b, i): AppendResult => (i === 1 ? { duplicate: true, eventId: 'earlier' } : { duplicate: false, eventId: b.event.eventId }));
      },
    });
    let answered = 0;
    const results = ['e1', 'e2', 'e3'].map((id) => inbox.append(event(id)).then((r) => (answered++, r)));
    expect(inbox.pending).to.equal(3);
    await settle();
    expect(calls.map((b) => b.map((e) => e.dedupKey))).to.deep.equal([['e1', 'e2', 'e3']]);
    expect(answered, 'no answer (no 202) before the commit').to.equal(0);
    commit.resolve();
    expect(await Promise.all(results)).to.deep.equal([
      { duplicate: false, eventId: 'e1' }, { duplicate: true, eventId: 'earlier' }, { duplicate: false, eventId: 'e3' },
    ]);
  });

  it('commits at most 512 events at once, one commit at a time', async () => {
    const sizes: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const inbox = createGroupCommit({
      appendEvents: async (batch) => {
        sizes.push(batch.length);
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await settle(1);
        running--;
        return batch.map((b) => ({ duplicate: false, eventId: b.event.eventId }));
      },
    });
    await Promise.all(Array.from({ length: 1100 }, (_, i) => inbox.append(event(`e${i}`))));
    expect(sizes).to.deep.equal([512, 512, 76]);
    expect(mostAtOnce).to.equal(1);
  });
});

describe('batchPerTurn with refuse and isolate (one bad item never costs another)', () => {
  /** Data errors are the item's fault; errors with a system code are the store's; anything else is unknown. */
  const faultOf = (err: unknown): Fault => ((err as Error).message === 'bad data' ? 'item' : (err as { code?: string }).code ? 'store' : 'unknown');
  const refusal = (err: unknown, item: number) => new Error(`refused ${item}: ${(err as Error).message}`);
  const outcome = (p: Promise<number>) => p.then((v) => v, (e: Error) => e.message);

  it('refuses an item as it is added, alone: it never joins a batch, the others are run together', async () => {
    const calls: number[][] = [];
    const batch = batchPerTurn(async (items: number[]) => (calls.push(items), items.map((n) => n * 10)), {
      refuse: (n) => (n === 2 ? new Error('two is refused') : undefined),
    });
    expect(await Promise.all([1, 2, 3].map((n) => outcome(batch.add(n))))).to.deep.equal([10, 'two is refused', 30]);
    expect(calls).to.deep.equal([[1, 3]]);
  });

  it('runs a failed batch again item by item, in order: only the item at fault gets an error (its refusal), the others their results', async () => {
    const calls: number[][] = [];
    const batch = batchPerTurn(async (items: number[]) => {
      calls.push(items);
      if (items.includes(3)) throw new Error('bad data');
      return items.map((n) => n * 10);
    }, { isolate: { faultOf, refusal } });
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => outcome(batch.add(n))))).to.deep.equal([10, 20, 'refused 3: bad data', 40, 50]);
    expect(calls).to.deep.equal([[1, 2, 3, 4, 5], [1], [2], [3], [4], [5]]);
  });

  it('a failing store fails every call with its own error (no refusal), and stops trying items alone after two', async () => {
    const calls: number[][] = [];
    let pinged = 0;
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const batch = batchPerTurn(async (items: number[]): Promise<number[]> => {
      calls.push(items);
      throw down;
    }, { isolate: { faultOf, refusal, ping: async () => { pinged++; } } });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batch.add(n).then(() => undefined, (e: unknown) => e)));
    expect(results.every((e) => e === down), 'each call gets the store\'s error').to.equal(true);
    expect(calls).to.deep.equal([[1, 2, 3, 4], [1], [2]]);
    expect(pinged, 'a store error is taken at its word').to.equal(0);
  });

  it('an error no one can place is the item\'s when the store works: it is tried once more alone, then refused', async () => {
    const calls: number[][] = [];
    const batch = batchPerTurn(async (items: number[]) => {
      calls.push(items);
      if (items.includes(2)) throw new TypeError('cannot bind that');
      return items.map((n) => n * 10);
    }, { isolate: { faultOf, refusal, ping: async () => undefined } });
    expect(await Promise.all([1, 2, 3].map((n) => outcome(batch.add(n))))).to.deep.equal([10, 'refused 2: cannot bind that', 30]);
    expect(calls).to.deep.equal([[1, 2, 3], [1], [2], [3], [2]]);
  });

  it('an error no one can place, in a batch of one, with a store that does not answer: the error itself, not a refusal', async () => {
    const calls: number[][] = [];
    const batch = batchPerTurn(async (items: number[]): Promise<number[]> => {
      calls.push(items);
      throw new TypeError('the database connection is not open');
    }, { isolate: { faultOf, refusal, ping: async () => { throw new TypeError('the database connection is not open'); } } });
    expect(await outcome(batch.add(1))).to.equal('the database connection is not open');
    expect(calls).to.deep.equal([[1]]);
  });

  it('an error no one can place that does not happen again is not blamed on the item: the retry\'s result is its answer', async () => {
    let failures = 1;
    const batch = batchPerTurn(async (items: number[]) => {
      if (failures-- > 0) throw new Error('connection reset');
      return items.map((n) => n * 10);
    }, { isolate: { faultOf, refusal, ping: async () => undefined } });
    expect(await outcome(batch.add(7))).to.equal(70);
  });
});

describe('runIsolated', () => {
  it('never rejects: a batch function that throws gives each item its error', async () => {
    const err = new Error('bad data');
    const outcomes = await runIsolated([1, 2], () => { throw err; }, { faultOf: () => 'item' });
    expect(outcomes).to.deep.equal([{ ok: false, error: err, fault: 'item' }, { ok: false, error: err, fault: 'item' }]);
  });
});

describe('createGroupCommit: one bad webhook never costs another', () => {
  const event = (id: string, raw: Record<string, unknown> = {}) => ({
    event: { eventId: id, type: 'LiveCheck', id, groupId: 'g', status: 'Completed', receivedAt: 1, unknownType: false, unknownStatus: false, raw } satisfies AverEvent,
    dedupKey: id,
    dedupUntil: 2,
  });
  const stored = (batch: NewEvent[]) => batch.map((b): AppendResult => ({ duplicate: false, eventId: b.event.eventId }));
  const answer = (p: Promise<AppendResult>) => p.then((r) => r.eventId, (e: BridgeError) => `${e.status} ${e.code}`);

  it('refuses with 422, before it joins a commit, an event the store cannot hold; the others are committed together', async () => {
    const calls: string[][] = [];
    const inbox = createGroupCommit({ kind: 'postgres', appendEvents: async (batch) => (calls.push(batch.map((b) => b.event.eventId)), stored(batch)) });
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const answers = await Promise.all([
      event('good-1'), event('nul', { note: 'a\u0000b' }), event('deep', { extra: deep }), event('good-2'),
    ].map((e) => answer(inbox.append(e))));
    expect(answers).to.deep.equal(['good-1', '422 unstorable_text', '422 nesting_too_deep', 'good-2']);
    expect(calls).to.deep.equal([['good-1', 'good-2']]);
  });

  it('when a commit fails all the same, appends each event alone: only the one the store refuses gets 422, the others are stored', async () => {
    const calls: string[][] = [];
    const inbox = createGroupCommit({
      kind: 'sqlite',
      appendEvents: async (batch) => {
        calls.push(batch.map((b) => b.event.eventId));
        if (batch.some((b) => b.event.eventId === 'poison')) throw Object.assign(new Error('value too long'), { code: 'SQLITE_TOOBIG' });
        return stored(batch);
      },
    });
    const ids = ['e1', 'e2', 'poison', 'e3'];
    expect(await Promise.all(ids.map((id) => answer(inbox.append(event(id)))))).to.deep.equal(['e1', 'e2', '422 event_unstorable', 'e3']);
    expect(calls).to.deep.equal([ids, ['e1'], ['e2'], ['poison'], ['e3']]);
  });
});
