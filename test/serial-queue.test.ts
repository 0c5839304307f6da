import { expect } from 'chai';
import { createSerialQueue } from '../src/serial-queue.js';
import { settle } from './helpers/clock.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createSerialQueue', () => {
  it('starts each task only when the one before has settled, in the order given', async () => {
    const queue = createSerialQueue();
    const log: string[] = [];
    const first = deferred();
    const a = queue.run(async () => {
      log.push('a starts');
      await first.promise;
      log.push('a ends');
    });
    const b = queue.run(async () => {
      log.push('b starts');
    });
    await settle();
    expect(log).to.deep.equal(['a starts']);
    first.resolve();
    await Promise.all([a, b]);
    expect(log).to.deep.equal(['a starts', 'a ends', 'b starts']);
  });

  it('rejects a failed task to its own caller and still runs the next', async () => {
    const queue = createSerialQueue();
    const failed = queue.run(async () => {
      throw new Error('bad file');
    });
    const next = queue.run(async () => 'ran');
    let error: Error | undefined;
    await failed.catch((err: Error) => { error = err; });
    expect(error?.message).to.equal('bad file');
    expect(await next).to.equal('ran');
  });

  it('idle() settles once every task queued so far has settled, failed ones included', async () => {
    const queue = createSerialQueue();
    const gate = deferred();
    let idle = false;
    void queue.run(() => gate.promise).catch(() => undefined);
    void queue.idle().then(() => { idle = true; });
    await settle();
    expect(idle).to.equal(false);
    gate.reject(new Error('failed'));
    await settle();
    expect(idle).to.equal(true);
  });
});
