import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../bench/table.js';
import { tempDir } from './helpers/bridge.js';

const EXPECTED_KEYS = [
  'ingest.bare.rps',
  'ingest.sqlite.rps', 'ingest.sqlite.p99', 'memory.ingest.peak',
  'ingest.postgres.rps', 'ingest.postgres.p99',
  'e2e.p50', 'e2e.p99', 'e2e.max',
  'e2e.postgres.p50', 'e2e.postgres.p99', 'e2e.postgres.max',
  'fanout.rate', 'fanout.postgres.rate', 'drain.sqlite.rate', 'drain.postgres.rate',
  'burst.bare.rps', 'burst.sqlite.rps', 'burst.sqlite.last', 'burst.postgres.rps', 'burst.postgres.last',
  'memory.queued',
  'grouping.calls', 'grouping.first',
  'failover.sqlite.last', 'failover.postgres.last',
];

describe('npm run bench (tiny mode, so the scripts cannot rot)', function () {
  // Starts about a dozen processes; no timing is asserted, only that every benchmark ran and reported.
  this.timeout(240_000);
  let rows: Row[];
  let markdown: string;
  let stderr = '';
  let code: number | null;

  before(async () => {
    const out = tempDir('aver-bridge-bench-test-');
    try {
      const pg = process.env.AVER_BRIDGE_TEST_POSTGRES_URL;
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--tiny', '--out', out.dir, ...(pg ? ['--postgres-url', pg] : [])], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      code = await new Promise((r) => child.on('exit', r));
      rows = JSON.parse(readFileSync(join(out.dir, 'latest.json'), 'utf8')).rows;
      markdown = readFileSync(join(out.dir, 'latest.md'), 'utf8');
    } finally {
      out.cleanup();
    }
  });

  it('finishes without a benchmark failing to run', () => {
    expect(code, stderr).to.equal(0);
  });

  it('reports every expected row, in order', () => {
    expect(rows.map((r) => r.key)).to.deep.equal(EXPECTED_KEYS);
  });

  it('measured every row it did not skip, beside its ceiling, with the ratio of the two', () => {
    for (const r of rows) {
      if (r.skipped) {
        // Only PostgreSQL's rows (no server) and the burst's (no wrk) may be skipped.
        expect(r.key, `${r.key} skipped: ${r.skipped}`).to.match(/postgres|^burst\./);
        expect(r.skipped).to.match(/unreachable|does not exist|wrk is not installed/);
        continue;
      }
      // A failover row may be 0: everything acknowledged was in before the kill (a slow restart saw no more).
      if (/^failover\./.test(r.key)) expect(r.result, r.key).to.be.a('number').and.be.at.least(0);
      else expect(r.result, r.key).to.be.a('number').and.be.greaterThan(0);
      if (/\.bare\./.test(r.key)) continue;
      expect(r.ceiling, r.key).to.be.a('number').and.be.greaterThan(0);
      expect(r.ratio, r.key).to.be.closeTo(r.result! / r.ceiling!, 1e-9);
    }
  });

  it('gives a verdict on every target', () => {
    const targeted = rows.filter((r) => r.target !== '—' && !r.skipped);
    expect(targeted.map((r) => r.key)).to.include.members(['ingest.sqlite.rps', 'ingest.sqlite.p99', 'e2e.p99', 'fanout.rate', 'memory.ingest.peak', 'memory.queued', 'grouping.calls']);
    for (const r of targeted) expect(r.pass, r.key).to.be.a('boolean');
  });

  it('delivers everything it measures: no errors under load, every fan-out job, every end-to-end event', () => {
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect(byKey.get('ingest.sqlite.rps')!.note).to.not.match(/non-2xx|errors/);
    expect(byKey.get('fanout.rate')!.note).to.match(/(\d+) of \1 delivered/);
    expect(byKey.get('e2e.p50')!.note).to.match(/(\d+) of \1 delivered/).and.match(/slack receiver|FALLBACK webhook receiver/);
    expect(byKey.get('memory.queued')!.note).to.match(/still pending/);
    // Every event of the burst acknowledged and counted in its digest.
    expect(byKey.get('grouping.calls')!.note).to.match(/([\d,]+) of \1 counted in the digest/);
    for (const key of ['fanout.postgres.rate', 'drain.sqlite.rate', 'drain.postgres.rate', 'e2e.postgres.p50']) {
      if (!byKey.get(key)!.skipped) expect(byKey.get(key)!.note, key).to.match(/(\d+) of \1 delivered/);
    }
    for (const key of ['burst.sqlite.last', 'burst.postgres.last', 'failover.sqlite.last', 'failover.postgres.last']) {
      if (!byKey.get(key)!.skipped) expect(byKey.get(key)!.note, key).to.match(/(\d+) of \1 acknowledged delivered/);
    }
  });

  it('writes the markdown table with one line per row', () => {
    expect(markdown).to.include('| Benchmark | Result | Ceiling (same run) | Ratio | Target | Pass |');
    for (const r of rows) expect(markdown).to.include(`| ${r.name} |`);
  });
});
