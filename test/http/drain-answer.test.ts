import { expect } from 'chai';
import { ANSWER_READ_LIMIT, drainAnswer } from '../../src/http/drain-answer.js';

/** An answer body of `chunks` chunks of 1 KiB (endless when Infinity) that counts what was read and whether it was cancelled. */
function counted(chunks: number) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled >= chunks) return controller.close();
      seen.pulled += 1;
      controller.enqueue(new Uint8Array(1024));
    },
    cancel() { seen.cancelled = true; },
  }, { highWaterMark: 0 });
  return { res: { body }, seen };
}

describe('drainAnswer (bounded answer reads for HTTP receivers)', () => {
  it('reads a small answer to its end', async () => {
    const { res, seen } = counted(3);
    await drainAnswer(res);
    expect(seen).to.deep.equal({ pulled: 3, cancelled: false });
  });

  it('gives up on an endless answer after the limit, cancelling it', async () => {
    const { res, seen } = counted(Infinity);
    await drainAnswer(res);
    expect(seen.cancelled).to.equal(true);
    expect(seen.pulled * 1024).to.be.greaterThan(ANSWER_READ_LIMIT).and.at.most(ANSWER_READ_LIMIT + 2048);
  });

  it('takes no body, and a broken one, in its stride', async () => {
    await drainAnswer({ body: null });
    const broken = new ReadableStream<Uint8Array>({ pull(controller) { controller.error(new Error('reset')); } });
    await drainAnswer({ body: broken });
  });
});
