import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ComparisonReport } from '../src/index.js';
import type { Report } from '../src/report/types.js';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { type CliResult, runCli, startCli, tempDir, writeScenario } from './helpers/cli.js';
import { adminQuery, freshDatabase } from './helpers/pg.js';

/** An insert_document workload on one provider, for `seconds` (0: 200 iterations). */
function insertScenario(provider: string, dsn: string, seconds: number): string {
  const profile = seconds > 0 ? `{ type: constant-vus, vus: 2, duration: ${seconds}s }` : '{ type: iterations, vus: 2, iterations: 200 }';
  return writeScenario(`providers:
  - { name: target, provider: ${provider}, dsn: "${dsn}" }
workload:
  - type: insert_document
profile: ${profile}
`);
}

function readReport(out: string): Report {
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

/** The report's count matches, and the database held exactly the rows inserted for the dataset. */
function assertCounted(report: Report): void {
  for (const p of report.providers) {
    const doc = p.verification?.documents;
    const inserts = p.operations.find((o) => o.operation === 'insert_document')!.ok;
    assert.ok(doc?.match && doc.database === inserts, `${p.name}: ${JSON.stringify(doc)}`);
  }
}

/** Starts a run and resolves once its first window is live: it has registered and is inserting. */
async function startedRun(file: string, out: string): Promise<{ child: ChildProcess; result: Promise<CliResult> }> {
  const { child, result } = startCli(['run', file, '--workers', '1', '--out', out]);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => /\[\s+1s\]/.test((stderr += d.toString())) && resolve());
    child.on('close', () => reject(new Error(`the run ended before its first window: ${stderr}`)));
  });
  return { child, result };
}

test('two runs on one PostgreSQL database: both counted exactly; the tool table goes only with the last run', async () => {
  const db = await freshDatabase();
  // The long run's VUs wait on this lock, so it ends when the test says, however slow the machine.
  const holder = new pg.Client({ connectionString: db.dsn });
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(4242)');
    const tables = async (): Promise<string[]> =>
      (
        await adminQuery<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE tablename LIKE 'stampede%' ORDER BY 1", [], db.name)
      ).map((r) => r.t);
    const dir = tempDir();
    const [outLong, outShort] = [join(dir, 'long.json'), join(dir, 'short.json')];
    const long = await startedRun(
      writeScenario(`providers:
  - { name: long, provider: postgresql, dsn: "${db.dsn}" }
workload:
  - { type: insert_document, weight: 50 }
  - { type: query, sql: SELECT pg_advisory_xact_lock_shared(4242) }
profile: { type: constant-vus, vus: 2, duration: 1s }
`),
      outLong,
    );
    const short = await runCli([
      'run',
      insertScenario('postgresql_optimized', db.dsn, 0),
      '--workers',
      '1',
      '--out',
      outShort,
      '--no-live',
    ]);
    assert.equal(short.code, 0, short.stderr);
    const shortReport = readReport(outShort);
    assertCounted(shortReport);
    assert.deepEqual(shortReport.providers[0]!.teardown, { tableDropped: false, otherRuns: 1 });
    assert.equal(long.child.exitCode, null, 'the long run still runs');
    assert.deepEqual(await tables(), ['stampede_documents', 'stampede_runs'], 'the short run left the table to the long one');
    const registered = await adminQuery<{ dataset_id: string }>('SELECT dataset_id FROM stampede_runs', [], db.name);
    assert.equal(registered.length, 1);
    assert.match(registered[0]!.dataset_id, /\/long$/, 'only the long run is registered');
    const shortDataset = shortReport.providers[0]!.verification!.documents!.datasetId;
    const leftover = await adminQuery<{ n: string }>(
      'SELECT count(*) AS n FROM stampede_documents WHERE dataset_id = $1',
      [shortDataset],
      db.name,
    );
    assert.equal(Number(leftover[0]!.n), 0, 'the short run deleted its own rows');

    await holder.query('SELECT pg_advisory_unlock(4242)');
    const longDone = await long.result;
    assert.equal(longDone.code, 0, longDone.stderr);
    const longReport = readReport(outLong);
    assertCounted(longReport);
    assert.deepEqual(longReport.providers[0]!.teardown, { tableDropped: true, otherRuns: 0 });
    assert.deepEqual(await tables(), [], 'the last run out dropped the tables');
  } finally {
    await holder.end();
    await db.drop();
  }
});

test('runs sharing a SQLite file: the table stays while another run or kept data uses it', async () => {
  const dir = tempDir();
  const file = join(dir, 'shared.db');
  const tables = (): unknown[] => {
    const sqlite = new Database(file, { readonly: true });
    try {
      return sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'stampede%' ORDER BY 1").all();
    } finally {
      sqlite.close();
    }
  };
  // Stopped with Ctrl-C once the short run is over: a stopped run tears down too.
  const long = await startedRun(insertScenario('sqlite', file, 60), join(dir, 'long.json'));
  const short = await runCli(['run', insertScenario('sqlite', file, 0), '--workers', '1', '--out', join(dir, 'short.json'), '--no-live']);
  assert.equal(short.code, 0, short.stderr);
  assertCounted(readReport(join(dir, 'short.json')));
  assert.deepEqual(tables(), [{ name: 'stampede_documents' }, { name: 'stampede_runs' }]);
  long.child.kill('SIGINT');
  assert.equal((await long.result).code, 130);
  const longReport = readReport(join(dir, 'long.json'));
  assertCounted(longReport);
  assert.deepEqual(longReport.providers[0]!.teardown, { tableDropped: true, otherRuns: 0 });
  assert.deepEqual(tables(), []);

  // A --keep-data run keeps its registration: a later run deletes only its own rows.
  const kept = await runCli([
    'run',
    insertScenario('sqlite', file, 0),
    '--workers',
    '1',
    '--out',
    join(dir, 'kept.json'),
    '--no-live',
    '--keep-data',
  ]);
  assert.equal(kept.code, 0, kept.stderr);
  const keptReport = readReport(join(dir, 'kept.json'));
  assert.equal(keptReport.providers[0]!.teardown, undefined);
  const later = await runCli(['run', insertScenario('sqlite', file, 0), '--workers', '1', '--out', join(dir, 'later.json'), '--no-live']);
  assert.equal(later.code, 0, later.stderr);
  assertCounted(readReport(join(dir, 'later.json')));
  const sqlite = new Database(file, { readonly: true });
  try {
    const rows = sqlite.prepare('SELECT dataset_id AS d, count(*) AS n FROM stampede_documents GROUP BY dataset_id').all();
    assert.deepEqual(rows, [{ d: keptReport.providers[0]!.verification!.documents!.datasetId, n: 200 }]);
  } finally {
    sqlite.close();
  }
});

test('run --interleave 2 with two providers on one database: each provider counts its own rows, across blocks', async () => {
  const db = await freshDatabase();
  try {
    const out = join(tempDir(), 'report.json');
    const file = writeScenario(`providers:
  - { name: standard, provider: postgresql, dsn: "${db.dsn}" }
  - { name: optimized, provider: postgresql_optimized, dsn: "${db.dsn}" }
workload:
  - type: insert_document
profile: { type: iterations, vus: 2, iterations: 600 }
`);
    const r = await runCli(['run', file, '--workers', '1', '--interleave', '2', '--out', out, '--no-live']);
    assert.equal(r.code, 0, r.stderr);
    const report = readReport(out);
    assertCounted(report);
    assert.doesNotMatch(r.stdout, /MISMATCH/);
    for (const p of report.providers) assert.equal(p.total.ok, 600);
    const tables = await adminQuery("SELECT 1 FROM pg_tables WHERE tablename LIKE 'stampede%'", [], db.name);
    assert.equal(tables.length, 0, 'the provider that ended last dropped the tables');
  } finally {
    await db.drop();
  }
});

test('stampede bench with two providers on one database: every document count matches, no false warning', async () => {
  const db = await freshDatabase();
  try {
    const out = join(tempDir(), 'bench.json');
    const file = writeScenario(
      `providers:
  - { name: standard, provider: postgresql, dsn: "${db.dsn}" }
  - { name: optimized, provider: postgresql_optimized, dsn: "${db.dsn}" }
suite: { simpleQueryIterations: 20, transactionIterations: 40, connectionIterations: 4, concurrentWorkers: 2, concurrentIterations: 4 }
options: { workers: 1, blocks: 2 }
`,
      'bench.yaml',
    );
    const r = await runCli(['bench', file, '--out', out, '--log-level', 'warn']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /different count|could not be counted/);
    const checks = ComparisonReport.loadFromFile(out).benchmarkResults.flatMap((b) =>
      b.databaseCheck ? [[b.providerName, b.databaseCheck] as const] : [],
    );
    assert.deepEqual(checks, [
      ['standard', { reported: 40, database: 40, match: true }],
      ['optimized', { reported: 40, database: 40, match: true }],
    ]);
  } finally {
    await db.drop();
  }
});

test('a teardown that cannot take its lock is recorded: the report is written, the rows and tables stay, exit 1', async () => {
  const db = await freshDatabase();
  const reader = new pg.Client({ connectionString: db.dsn });
  await reader.connect();
  try {
    const out = join(tempDir(), 'report.json');
    const run = await startedRun(insertScenario('postgresql', db.dsn, 2), out);
    // An open transaction that read the table: the DROP waits behind it until the lock wait gives up.
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM stampede_documents');
    const r = await run.result;
    await reader.query('COMMIT');
    assert.equal(r.code, 1, r.stderr);
    const report = readReport(out);
    assert.equal(report.status, 'complete');
    assertCounted(report);
    const p = report.providers[0]!;
    assert.match((p.teardown as { error: string }).error, /^canceling statement due to lock timeout$/);
    assert.match(
      r.stdout,
      /target: TEARDOWN FAILED: canceling statement due to lock timeout; the tool's tables and this run's rows remain/,
    );
    const [left] = await adminQuery<{ n: string; runs: string }>(
      'SELECT (SELECT count(*) FROM stampede_documents WHERE dataset_id = $1) AS n, (SELECT count(*) FROM stampede_runs) AS runs',
      [p.verification!.documents!.datasetId],
      db.name,
    );
    assert.deepEqual([Number(left!.n), Number(left!.runs)], [p.total.ok, 1], 'nothing half-done: the teardown rolled back');
  } finally {
    await reader.end();
    await db.drop();
  }
});
