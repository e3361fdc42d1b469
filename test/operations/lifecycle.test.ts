import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';

const scenario = (file: string, setup = 'CREATE TABLE visits (n INTEGER)'): string => `name: lifecycle
providers:
  - name: lite
    provider: sqlite
    dsn: ${file}
setup:
  - ${setup}
  - INSERT INTO visits VALUES (0)
  - SELECT count(*) AS n FROM visits
teardown: DROP TABLE visits
workload:
  - type: query
    sql: INSERT INTO visits (n) VALUES (?)
    params: [{int: [1, 9]}]
profile: {type: iterations, vus: 2, iterations: 50}
`;

test('setup runs once per provider before the load and teardown once after it; --keep-data keeps what setup made', async () => {
  const dir = tempDir();
  const db = join(dir, 'life.db');
  const out = join(dir, 'report.json');
  const r = await runCli(['run', writeScenario(scenario(db)), '--workers', '2', '--out', out, '--no-live'], {});
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.deepEqual(p.setup, { statements: 3, rows: 1 });
  assert.deepEqual(p.scenarioTeardown, { statements: 1 });
  const gone = new Database(db);
  assert.equal((gone.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'visits'").get() as { n: number }).n, 0);
  gone.close();

  const kept = await runCli(['run', writeScenario(scenario(db)), '--workers', '2', '--out', out, '--no-live', '--keep-data'], {});
  assert.equal(kept.code, 0, kept.stderr);
  const rows = new Database(db);
  // Setup's one row, then one per operation ok: setup ran once, not once per worker.
  assert.equal((rows.prepare('SELECT count(*) AS n FROM visits').get() as { n: number }).n, 51);
  assert.equal((rows.prepare('SELECT count(*) AS n FROM visits WHERE n = 0').get() as { n: number }).n, 1);
  rows.close();
});

test('a failing setup statement is one line naming it, exit 2', async () => {
  const dir = tempDir();
  const r = await runCli(
    ['run', writeScenario(scenario(join(dir, 'bad.db'), 'CREATE TABLE visits (n INTEGER')), '--workers', '0', '--no-live'],
    {},
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^stampede: provider "lite": setup\[0\]: incomplete input$/);
});
