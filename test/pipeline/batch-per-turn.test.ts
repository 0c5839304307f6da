import { expect } from 'chai';
import type { AverEvent } from '../../src/model/event.js';
import { batchPerTurn } from '../../src/store/batch-per-turn.js';
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
    const batch = batchPerTurn(m.run, 2);
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
  const event = (id: string) => ({ event: { eventId: id } as AverEvent, dedupKey: id, dedupUntil: 0 });

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
