import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComparisonReport } from '../src/index.js';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';
import { SECRET, useFreshDatabase } from './helpers/pg.js';

const db = useFreshDatabase();

test('stampede run with two providers and --interleave: alternating blocks, exact counts, side-by-side verdicts', async () => {
  const dir = tempDir();
  const out = join(dir, 'report.json');
  const file = writeScenario(`name: pg-vs-sqlite
providers:
  - { name: pg, provider: postgresql, dsn: "\${TEST_DSN}" }
  - { name: lite, provider: sqlite, dsn: ${join(dir, 'lite.db')} }
workload:
  - name: read
    type: query
    sql: SELECT 1
profile: { type: iterations, vus: 2, iterations: 500 }
`);
  const r = await runCli(['run', file, '--workers', '1', '--interleave', '10', '--out', out, '--no-live'], { TEST_DSN: db.dsn });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  for (const p of report.providers) {
    assert.equal(p.total.ok, 500, 'every block of a provider is merged into its one result');
    assert.equal(
      p.sources.reduce((n, s) => n + s.ok, 0),
      500,
    );
    assert.ok(p.windows.length >= 10, 'one window or more per block');
  }
  // A loopback round trip against an in-process call: the paired blocks all agree.
  const [c] = report.comparisons!;
  assert.equal(c!.best, 'lite');
  const d = c!.differences[0]!;
  assert.equal(d.provider, 'pg');
  assert.equal(d.significant, true, d.verdict);
  assert.ok(d.low! > 1, d.verdict);
  assert.equal(d.replicates.baseline, 10, 'one pair per block');
  assert.match(r.stdout, /read: p95 latency \(mean over windows\), ms, lower is better\nprovider +p95 ms +vs best +95 % CI +p +verdict\n/);
  assert.match(r.stdout, /\npg +[\d.]+ +[\d.]+× +[\d.]+–[\d.]+× +[\d.<]+ +slower\n/);
  assert.match(r.stdout, /winner: lite/);
  assert.ok(!r.stdout.includes(SECRET));
});

test('stampede bench <config>: the suite for every provider, compared, saved as a valid comparison report', async () => {
  const out = join(tempDir(), 'bench.json');
  const file = writeScenario(
    `name: bench
providers:
  - { name: pg, provider: postgresql, dsn: "\${TEST_DSN}" }
  - { name: lite, provider: sqlite_memory }
suite: { simpleQueryIterations: 40, transactionIterations: 16, connectionIterations: 8, concurrentWorkers: 2, concurrentIterations: 8 }
options: { workers: 1 }
`,
    'bench.yaml',
  );
  const r = await runCli(['bench', file, '--out', out], { TEST_DSN: db.dsn });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^test +provider +n +avg ms/m);
  assert.match(r.stdout, /simple_query +pg +40 /);
  assert.match(r.stdout, /transaction +lite +16 /);
  const report = ComparisonReport.loadFromFile(out);
  assert.equal(report.benchmarkResults.length, 8);
  assert.equal(report.comparisons.length, 4);

  const bad = writeScenario('providers:\n  - { name: pg, provider: postgresql }\nsuite: { simpleQueryIterations: 0 }\n', 'bad.yaml');
  const failed = await runCli(['bench', bad]);
  assert.equal(failed.code, 2);
  assert.equal(failed.stderr, `stampede: ${bad}:3: suite.simpleQueryIterations: must be a positive integer\n`);
});
