import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir } from './helpers/cli.js';
import { writeFileSync } from 'node:fs';

function scenario(dir: string, profile: string): string {
  const file = join(dir, 'sqlite.yaml');
  writeFileSync(
    file,
    `name: counts
providers:
  - name: file
    provider: sqlite
    dsn: ${join(dir, 'db.sqlite')}
workload:
  - name: read
    weight: 3
    type: query
    sql: SELECT count(*) FROM stampede_documents
  - name: insert
    weight: 1
    type: insert_document
profile:
${profile}
`,
  );
  return file;
}

function rowsInDb(dir: string, datasetId: string): number {
  const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM stampede_documents WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
  } finally {
    db.close();
  }
}

for (const workers of [2, 0]) {
  test(`iterations on a shared SQLite file, ${workers} workers: report = sum over workers = rows in the database`, async () => {
    const dir = tempDir();
    const out = join(dir, 'report.json');
    const file = scenario(dir, '  type: iterations\n  vus: 5\n  iterations: 4001');
    const r = await runCli(['run', file, '--workers', String(workers), '--out', out, '--keep-data', '--no-live']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'complete');
    assert.equal(p.total.ok, 4001, 'exactly the requested iterations');
    assert.equal(p.total.failed, 0);
    const insert = p.operations.find((o) => o.operation === 'insert')!;
    const datasetId = `${report.runId}/file`;
    assert.equal(rowsInDb(dir, datasetId), insert.ok);
    assert.deepEqual(p.verification?.documents, { datasetId, reported: insert.ok, database: insert.ok, match: true });
    assert.equal(p.sources.length, Math.max(1, workers));
    assert.equal(
      p.sources.reduce((n, s) => n + s.ok, 0),
      p.total.ok,
    );
    for (const s of p.sources) assert.equal(s.workerOk, s.ok, `${s.source} counted the same on both sides`);
    assert.equal(
      p.windows.reduce((n, w) => n + w.ok, 0),
      p.total.ok,
    );
    assert.equal(p.total.latencyUs.count, 4001, 'every operation is in the latency histogram');
    assert.match(r.stdout, /provider\s+operation\s+ok\s+errors\s+ops\/s/);
  });
}

test('constant-vus runs for its duration with one snapshot per window, and teardown drops the table', async () => {
  const dir = tempDir();
  const out = join(dir, 'report.json');
  const r = await runCli([
    'run',
    scenario(dir, '  type: constant-vus\n  vus: 3\n  duration: 10s'),
    '--duration',
    '2s',
    '--workers',
    '2',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const p = report.providers[0]!;
  // 2 s, not the file's 10 s: two windows, and a third only for operations in flight at the stop.
  assert.ok(p.durationSec >= 1.9 && p.durationSec < 6, `ran ${p.durationSec}s`);
  assert.ok(p.windows.length >= 2 && p.windows.length <= 3, `${p.windows.length} windows`);
  // The last window is cut by the stop: a worker that stopped on its boundary sends nothing for it.
  assert.ok(
    p.windows.slice(0, -1).every((w) => w.complete && w.activeVUs === 3),
    JSON.stringify(p.windows),
  );
  assert.ok(p.verification?.documents?.match);
  assert.match(r.stderr, /\[\s+1s\] file: vus 3, [\d,]+ ops\/s, p95 [\d.]+ (µs|ms), errors 0/);
  const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
  const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'stampede_documents'").get();
  db.close();
  assert.equal(table, undefined, 'the tool dropped its own table');
});

test('SELECT 1 on in-memory SQLite is measured below the microsecond: fractional µs figures, printed as such, never 0 µs', async () => {
  const dir = tempDir();
  const out = join(dir, 'report.json');
  const file = join(dir, 'select1.yaml');
  writeFileSync(
    file,
    `name: select1
providers: [{ name: mem, provider: sqlite_memory }]
workload: [{ name: one, type: query, sql: SELECT 1 }]
profile: { type: iterations, vus: 1, iterations: 20000 }
options: { workers: 1 }
`,
  );
  const r = await runCli(['run', file, '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const l = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.operations[0]!.latencyUs;
  assert.equal(l.count, 20000);
  assert.ok(l.p50 > 0 && l.min > 0, `nothing rounds to 0: ${JSON.stringify(l)}`);
  // An order of magnitude, not a timing: a unit slip (ns read as µs) would put the mean far above it.
  assert.ok(l.mean < 1000, `mean ${l.mean} µs`);
  const figures = [l.min, l.mean, l.p50, l.p90, l.p95, l.p99];
  assert.ok(
    figures.some((x) => !Number.isInteger(x)),
    `figures finer than whole µs: ${figures.join(', ')}`,
  );
  const row = r.stdout.split('\n').find((line) => /^mem +one /.test(line)) ?? assert.fail(r.stdout);
  assert.match(row, /\d\.\d+ µs/, 'a fractional µs figure');
  assert.doesNotMatch(row, /(^|\s)0 µs/, 'never 0 µs');
});
