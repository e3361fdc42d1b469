import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createProvider } from '../../src/providers/index.js';
import { tpcbConsistency, tpcbSums } from '../../src/operations/builtin/tpcb.js';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { adminQuery, freshDatabase, PG_HOST, PG_PORT } from '../helpers/pg.js';

let ours: Awaited<ReturnType<typeof freshDatabase>>;
let theirs: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  ours = await freshDatabase();
  theirs = await freshDatabase();
});
after(async () => {
  await ours.drop();
  await theirs.drop();
});

const scenario = (script = 'tpcb-like'): string => `name: tpcb
seed: 7
providers:
  - name: pg
    provider: postgresql
    dsn: \${TEST_DSN}
workload: {builtin: tpcb, scale: 2, script: ${script}}
profile:
  type: iterations
  vus: 4
  iterations: 2000
`;

/** What two loads must agree on: per table, its rows and a digest of every row in key order. */
async function digest(database: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = {
    pgbench_branches: 'bid',
    pgbench_tellers: 'tid',
    pgbench_accounts: 'aid',
    pgbench_history: 'tid',
  };
  for (const [table, key] of Object.entries(tables)) {
    const [row] = await adminQuery<{ n: string; d: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY ${key})) AS d FROM ${table} t`,
      [],
      database,
    );
    out[table] = `${row!.n}:${row!.d}`;
  }
  const keys = await adminQuery<{ c: string }>(
    "SELECT string_agg(conrelid::regclass || ':' || pg_get_constraintdef(oid), ', ' ORDER BY conrelid::regclass::text) AS c FROM pg_constraint WHERE contype = 'p'",
    [],
    database,
  );
  out.keys = keys[0]!.c;
  const columns = await adminQuery<{ c: string }>(
    "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', ''), ', ' ORDER BY table_name, ordinal_position) AS c FROM information_schema.columns WHERE table_name LIKE 'pgbench_%'",
    [],
    database,
  );
  out.columns = columns[0]!.c;
  return out;
}

test('stampede init at scale 2 loads what pgbench -i -s 2 loads: the same tables, keys, rows and balances', async () => {
  const r = await runCli(['init', writeScenario(scenario()), '--parallel', '2'], { TEST_DSN: ours.dsn });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pg: tpcb scale 2: 200,022 rows in [\d.]+ s \([\d,]+ rows\/s\)/);
  execFileSync('pgbench', ['-i', '-s', '2', '-q', '-h', PG_HOST, '-p', String(PG_PORT), '-U', 'postgres', theirs.name], { stdio: 'pipe' });
  assert.deepEqual(await digest(ours.name), await digest(theirs.name));
});

test('a TPC-B run is consistent: accounts moved as history says, one history row per transaction ok', async () => {
  const out = join(tempDir(), 'report.json');
  const r = await runCli(['run', writeScenario(scenario()), '--workers', '2', '--out', out, '--no-live'], { TEST_DSN: ours.dsn });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.equal(p.total.ok + p.total.failed, 2000);
  const c = p.consistency!;
  assert.equal(c.ok, true, c.error);
  assert.equal(c.transactionsOk, p.total.ok);
  assert.equal(c.historyRows, p.total.ok);
  assert.equal(c.accountsDelta, c.historyDelta);
  const [row] = await adminQuery<{ n: string }>('SELECT count(*) AS n FROM pgbench_history', [], ours.name);
  assert.equal(Number(row!.n), p.total.ok);
  assert.match(r.stdout, /pg: consistent: accounts moved by/);
});

test('the consistency check fails on a table changed behind the run', async () => {
  const provider = createProvider({ name: 'pg', provider: 'postgresql', dsn: ours.dsn });
  await provider.initialize();
  try {
    const before = await tpcbSums(provider);
    // A transaction's writes, but the account is off by one: the corruption the check exists for.
    await provider.execute('UPDATE pgbench_accounts SET abalance = abalance + 101 WHERE aid = 5');
    await provider.execute('UPDATE pgbench_tellers SET tbalance = tbalance + 100 WHERE tid = 1');
    await provider.execute('UPDATE pgbench_branches SET bbalance = bbalance + 100 WHERE bid = 1');
    await provider.execute('INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 5, 100, now())');
    const corrupted = tpcbConsistency(before, await tpcbSums(provider), { ok: 1, inDoubt: 0, onlyTpcbLike: true });
    assert.equal(corrupted.ok, false);
    assert.match(corrupted.error!, /accounts moved by 101, history by 100/);
    // The same writes with the account right add up; a history row the report never counted does not.
    await provider.execute('UPDATE pgbench_accounts SET abalance = abalance - 1 WHERE aid = 5');
    assert.equal(tpcbConsistency(before, await tpcbSums(provider), { ok: 1, inDoubt: 0, onlyTpcbLike: true }).ok, true);
    const uncounted = tpcbConsistency(before, await tpcbSums(provider), { ok: 0, inDoubt: 0, onlyTpcbLike: true });
    assert.match(uncounted.error!, /history gained 1 rows for 0 transactions counted ok/);
  } finally {
    await provider.close();
  }
});

test('a run refuses tables not loaded at its scale, naming the command to run', async () => {
  const file = writeScenario(scenario().replace('scale: 2', 'scale: 3'));
  const r = await runCli(['run', file, '--workers', '0', '--no-live'], { TEST_DSN: ours.dsn });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr.trim(),
    `stampede: provider "pg": pgbench tables are not initialised at scale 3 (they hold scale 2); run: stampede init ${file}`,
  );
  const fresh = await freshDatabase();
  try {
    const missing = await runCli(['run', file, '--workers', '0', '--no-live'], { TEST_DSN: fresh.dsn });
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /pgbench tables are not initialised at scale 3 \(pgbench_branches cannot be read: relation "pgbench_branches" does not exist\); run: stampede init/,
    );
  } finally {
    await fresh.drop();
  }
});

test('TPC-B on SQLite: init loads in batched transactions, a run is consistent', async () => {
  const dir = tempDir();
  const file = writeScenario(
    scenario()
      .replace('provider: postgresql', 'provider: sqlite')
      .replace('${TEST_DSN}', join(dir, 'tpcb.db'))
      .replace('scale: 2', 'scale: 1'),
  );
  const init = await runCli(['init', file], {});
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /pg: tpcb scale 1: 100,011 rows/);
  const out = join(dir, 'report.json');
  const r = await runCli(['run', file, '--workers', '2', '--out', out, '--no-live'], {});
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.equal(p.total.ok, 2000);
  assert.equal(p.consistency?.ok, true, p.consistency?.error);
  assert.equal(p.consistency?.historyRows, 2000);
});
