import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ycsbKey } from '../../src/operations/builtin/ycsb.js';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { adminQuery, useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();
const OPS = 20_000;

const scenario = (provider: string, workload: string, ops = OPS): string => `name: ycsb
seed: 11
providers:
  - name: db
${provider}
workload: {builtin: ycsb, workload: ${workload}, records: 2000}
profile: {type: iterations, vus: 4, iterations: ${ops}}
`;

/** ok counts by operation, after checking that nothing failed and the total is the plan's. */
async function initAndRun(provider: string, workload: string, env: NodeJS.ProcessEnv, ops = OPS): Promise<Record<string, number>> {
  const file = writeScenario(scenario(provider, workload, ops));
  const init = await runCli(['init', file], env);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /db: ycsb scale 2000: 2,000 rows/);
  const out = join(tempDir(), 'report.json');
  const r = await runCli(['run', file, '--workers', '2', '--out', out, '--no-live'], env);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.equal(p.total.failed, 0, JSON.stringify(p.total.errors));
  assert.equal(p.total.ok, ops);
  return Object.fromEntries(p.operations.map((o) => [o.operation, o.ok]));
}

test('YCSB A on SQLite: reads and updates within 1 % of 50/50', async () => {
  const ok = await initAndRun(`    provider: sqlite\n    dsn: ${join(tempDir(), 'ycsb.db')}`, 'a', {});
  assert.deepEqual(Object.keys(ok), ['read', 'update']);
  assert.ok(Math.abs(ok.read! / OPS - 0.5) < 0.01, `reads ${ok.read} of ${OPS}`);
});

test('YCSB A on PostgreSQL: reads and updates within 1 % of 50/50; D inserts keys no one else took', async () => {
  const provider = '    provider: postgresql\n    dsn: ${TEST_DSN}';
  const ok = await initAndRun(provider, 'a', { TEST_DSN: db.dsn });
  assert.ok(Math.abs(ok.read! / OPS - 0.5) < 0.01, `reads ${ok.read} of ${OPS}`);
  const [loaded] = await adminQuery<{ k: string }>(
    'SELECT ycsb_key AS k FROM usertable WHERE field0 IS NOT NULL ORDER BY ycsb_key LIMIT 1',
    [],
    db.name,
  );
  assert.match(loaded!.k, /^user\d+$/);

  const d = await initAndRun(provider, 'd', { TEST_DSN: db.dsn }, 2000);
  const [rows] = await adminQuery<{ n: string; k: string }>('SELECT count(*) AS n FROM usertable', [], db.name);
  assert.equal(Number(rows!.n), 2000 + d.insert!);
  // The first run-time insert takes key number 2000 (recordcount), hashed as YCSB names it.
  const [first] = await adminQuery<{ n: string }>('SELECT count(*) AS n FROM usertable WHERE ycsb_key = $1', [ycsbKey(2000)], db.name);
  assert.equal(Number(first!.n), d.insert! > 0 ? 1 : 0);
});

test('every YCSB core workload runs on an in-memory SQLite loaded by each worker', async () => {
  for (const w of ['b', 'c', 'e', 'f']) {
    const file = writeScenario(scenario('    provider: sqlite_memory', w, 400));
    const out = join(tempDir(), 'report.json');
    const r = await runCli(['run', file, '--workers', '2', '--out', out, '--no-live'], {});
    assert.equal(r.code, 0, `${w}: ${r.stderr}`);
    const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
    assert.equal(p.total.ok, 400, `${w}: ${JSON.stringify(p.total.errors)}`);
  }
});
