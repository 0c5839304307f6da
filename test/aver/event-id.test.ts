import { expect } from 'chai';
import { newEventId } from '../../src/aver/event-id.js';

describe('newEventId', () => {
  it('gives 28 hex digits, unique within one millisecond, ordered by time', () => {
    const ids = Array.from({ length: 10_000 }, () => newEventId(1_700_000_000_000));
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{28}$/);
    expect(newEventId(1_700_000_000_001) > newEventId(1_700_000_000_000)).to.equal(true);
  });
});
