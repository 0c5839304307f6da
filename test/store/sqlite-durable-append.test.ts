import { expect } from 'chai';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers/bridge.js';
import { event } from '../helpers/fixtures.js';

/** FileHandle's prototype, reached through a handle of our own: the store syncs its write-ahead log through it. */
async function fileHandlePrototype(path: string): Promise<{ datasync: () => Promise<void> }> {
  const fh = await open(path, 'r');
  const proto = Object.getPrototypeOf(fh) as { datasync: () => Promise<void> };
  await fh.close();
  return proto;
}

describe('SQLite store: an append is on disk before it resolves', () => {
  const temp = tempDir();
  after(() => temp.cleanup());

  it('resolves only after the write-ahead log was fsynced (datasync) past the commit', async () => {
    const path = join(temp.dir, 'durable.db');
    const store = await openSqliteStore(path);
    await store.migrate();
    const proto = await fileHandlePrototype(path);
    const original = proto.datasync;
    let release: () => void = () => undefined;
    const synced: string[] = [];
    proto.datasync = function (this: unknown) {
      synced.push('wal');
      return new Promise<void>((resolve) => { release = resolve; }).then(() => original.call(this));
    };
    try {
      let resolved = false;
      const e = event({ id: 'chk-durable' });
      const appended = store.appendEvents([{ event: e, dedupKey: 'k-durable', dedupUntil: e.receivedAt + 1000 }]).then((r) => { resolved = true; return r; });
      await new Promise((r) => setTimeout(r, 20));
      expect(synced, 'the log is being synced').to.deep.equal(['wal']);
      expect(resolved, 'not resolved while the sync is under way').to.equal(false);
      // Committed already (the sync only makes it durable): a reader sees it.
      expect((await store.getEvent(e.eventId))?.event.id).to.equal('chk-durable');
      release();
      expect((await appended)[0]).to.deep.equal({ duplicate: false, eventId: e.eventId });
    } finally {
      proto.datasync = original;
      await store.close();
    }
  });

  it('fails the append (so the webhook gets no 2xx) when the log cannot be synced', async () => {
    const path = join(temp.dir, 'failing.db');
    const store = await openSqliteStore(path);
    await store.migrate();
    const proto = await fileHandlePrototype(path);
    const original = proto.datasync;
    proto.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    try {
      const e = event({ id: 'chk-eio' });
      const err = await store.appendEvents([{ event: e, dedupKey: 'k-eio', dedupUntil: e.receivedAt + 1000 }]).then(() => null, (x: Error) => x);
      expect(err?.message).to.match(/EIO/);
    } finally {
      proto.datasync = original;
      await store.close();
    }
  });
});
