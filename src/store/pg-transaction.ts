import pg from 'pg';

/**
 * The queue's own bookkeeping (claims, completions, retries, send slots, routing, timers) commits with
 * synchronous_commit off: the commit returns before its WAL is flushed. Only a crash of the PostgreSQL server or its
 * machine can lose such a commit (never a crash of the bridge), and it is lost whole, with every later one, so the
 * database stays consistent: a lease, a completion or a routing comes back as it was before, which costs at most a
 * resend or a re-route, as on SQLite (synchronous=NORMAL). Everything else keeps the server's setting (see
 * openPostgresStore).
 */
const BEGIN_BOOKKEEPING = 'BEGIN; SET LOCAL synchronous_commit TO off';

export interface TransactionOptions {
  /** Commit without waiting for the WAL flush (see BEGIN_BOOKKEEPING); only for writes that are safe to lose that way. */
  bookkeeping?: boolean;
}

/**
 * Runs `fn` in one transaction on a connection of the pool: COMMIT when it resolves, ROLLBACK when it throws. A
 * connection whose ROLLBACK failed is released as broken, so the pool does not hand it out again.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>, o: TransactionOptions = {}): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    // One simple query for both statements: no round trip more than a plain BEGIN.
    await c.query(o.bookkeeping ? BEGIN_BOOKKEEPING : 'BEGIN');
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

/**
 * Runs one bookkeeping statement with synchronous_commit off (see BEGIN_BOOKKEEPING) in one round trip: SET LOCAL
 * and the statement go together as a simple query, which PostgreSQL runs as one implicit transaction. A simple query
 * takes no parameters, so `values` are written into the text as quoted literals. They are untyped there, as the
 * driver's own parameters are, so the statement's casts and context type them the same way. Returns the
 * statement's result.
 */
export async function bookkeepingQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: pg.Pool, text: string, values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const inlined = text.replace(/\$(\d+)/g, (_, n: string) => {
    if (Number(n) < 1 || Number(n) > values.length) throw new RangeError(`bookkeepingQuery: no value for $${n}`);
    return literal(values[Number(n) - 1]);
  });
  const results = (await pool.query(`SET LOCAL synchronous_commit TO off;\n${inlined}`)) as unknown as pg.QueryResult<R>[];
  return results[1];
}

/** A value as the driver would send it (text; arrays in PostgreSQL's array syntax), quoted as a literal. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return pg.escapeLiteral(`{${v.map(arrayElement).join(',')}}`);
  return pg.escapeLiteral(scalar(v));
}

function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return `"${scalar(v).replace(/[\\"]/g, '\\$&')}"`;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  // JSON goes in as text the statement casts (::jsonb), as the store's other statements pass it.
  throw new TypeError(`bookkeepingQuery: cannot write a ${typeof v} as a literal`);
}
