import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { BenchContext } from './context.js';
import { runId } from './context.js';
import { ingestBridge } from './ingest.js';
import { skippedRow, type Row } from './table.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} is unreachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs `fn` with a storage.url on PostgreSQL in a schema of its own (dropped afterwards); returns `skip(reason)`'s
 * rows instead when the store or the server is missing.
 */
export async function onPostgres<T>(ctx: BenchContext, skip: (reason: string) => T, fn: (storageUrl: string) => Promise<T>): Promise<T> {
  if (!existsSync(join(root, 'src', 'store', 'postgres.ts'))) return skip('src/store/postgres.ts does not exist yet');
  const problem = await reachable(ctx.postgresUrl);
  if (problem) return skip(problem);
  const schema = `aver_bench_${runId()}`;
  try {
    return await fn(`${ctx.postgresUrl}${ctx.postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`);
  } finally {
    const client = new pg.Client({ connectionString: ctx.postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

/**
 * Benchmark 5: benchmark 1 with storage.url on PostgreSQL, in a schema of its
 * own (dropped afterwards) so it cannot disturb other users of the database.
 */
export async function ingestPostgres(ctx: BenchContext): Promise<Row[]> {
  const skip = (reason: string) => [
    skippedRow('ingest.postgres.rps', '5. Ingest: bridge on PostgreSQL, req/s', 'req/s', '≥ 0.5 of ceiling', reason),
    skippedRow('ingest.postgres.p99', '5. Ingest: bridge on PostgreSQL, p99', 'ms', '≤ 10 ms', reason),
  ];
  return onPostgres(ctx, skip, (storageUrl) => ingestBridge(ctx, { label: 'PostgreSQL', keyPrefix: 'postgres', storageUrl, memoryRow: false, number: '5' }));
}
