import type pg from 'pg';

/**
 * Runs `fn` in one transaction on a connection of the pool: COMMIT when it resolves, ROLLBACK when it throws. A
 * connection whose ROLLBACK failed is released as broken, so the pool does not hand it out again.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (err) {
    await c.query('ROLLBACK').catch((e: Error) => { broken = e; });
    throw err;
  } finally {
    c.release(broken);
  }
}
