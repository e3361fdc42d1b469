import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';
import { adminQuery, freshDatabase, SECRET, sessionsEnded } from './helpers/pg.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  db = await freshDatabase();
});
after(async () => {
  await db.drop();
});

test('PostgreSQL: report ok = sum over workers = rows inserted = commits the server counted', async () => {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`name: pg
providers:
  - name: local
    provider: postgresql
    dsn: \${TEST_DSN}
workload:
  - name: insert
    type: insert_document
    weight: 1
  - name: lookup
    type: query
    weight: 1
    sql: SELECT id FROM stampede_documents WHERE dataset_id = $1 LIMIT 1
    params: [nothing]
profile:
  type: iterations
  vus: 6
  iterations: 3000
`);
  const before = await adminQuery<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [db.name]);
  const r = await runCli(['run', file, '--workers', '2', '--out', out, '--keep-data', '--no-live', '--log-level', 'debug'], {
    TEST_DSN: db.dsn,
  });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const p = report.providers[0]!;
  assert.equal(p.total.ok, 3000);
  const inserted = await adminQuery<{ n: string }>(
    'SELECT count(*) AS n FROM stampede_documents WHERE dataset_id = $1',
    [`${report.runId}/local`],
    db.name,
  );
  const insertOk = p.operations.find((o) => o.operation === 'insert')!.ok;
  assert.equal(Number(inserted[0]!.n), insertOk);
  assert.equal(
    p.sources.reduce((n, s) => n + s.ok, 0),
    3000,
  );

  // Each autocommit statement is one transaction: the server's commit counter moved by at least
  // the operations the report counts (plus the tool's own setup and checks).
  await sessionsEnded(db.name);
  const afterRun = await adminQuery<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [db.name]);
  const delta = Number(afterRun[0]!.n) - Number(before[0]!.n);
  assert.ok(delta >= 3000 && delta < 3000 + 100, `server saw ${delta} commits for 3000 operations`);

  // The DSN password is in no report, log line or output.
  for (const text of [readFileSync(out, 'utf8'), r.stdout, r.stderr]) assert.ok(!text.includes(SECRET));
  assert.match(readFileSync(out, 'utf8'), /postgres:\/\/postgres:\*\*\*@/);
  assert.match(r.stderr, /"dsn":"postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/, 'the debug log names the target, masked');
});

test('an unreachable host and a bad DSN are one clear line, exit 2, no password, no report', async () => {
  const dir = tempDir();
  const out = join(dir, 'report.json');
  const scenario = (dsn: string): string =>
    writeScenario(`providers:
  - name: gone
    provider: postgresql
    dsn: ${dsn}
    options: { connectTimeoutMs: 2000 }
workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 1, iterations: 1 }
`);
  const dead = await runCli(['run', scenario(`postgres://postgres:${SECRET}@127.0.0.1:1/x`), '--out', out]);
  assert.equal(dead.code, 2);
  assert.match(
    dead.stderr,
    /^stampede: provider "gone": cannot connect at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED.*\n$/,
  );
  assert.ok(!dead.stderr.includes(SECRET));

  const malformed = await runCli(['run', scenario(`postgres://postgres:${SECRET}@127.0.0.1:notaport/x`), '--out', out]);
  assert.equal(malformed.code, 2);
  assert.equal(malformed.stderr.split('\n').length, 2, malformed.stderr);
  assert.ok(!malformed.stderr.includes(SECRET));
  assert.throws(() => readFileSync(out), 'no report is written for bad input');
});
