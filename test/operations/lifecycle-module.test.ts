import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { adminQuery, useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

/** Setup makes the tables and returns the ids it chose; teardown drops them. */
const DATA = `import type { LifecycleContext } from 'stampede';

export async function seed(ctx: LifecycleContext): Promise<{ ids: number[]; provider: string }> {
  await ctx.tx(async (t) => {
    await t.query('CREATE TABLE items (id int PRIMARY KEY)');
    await t.query('INSERT INTO items SELECT g FROM generate_series(101, 105) g');
  });
  await ctx.query('CREATE TABLE picks (item int, provider text)');
  const rows = await ctx.query('SELECT id FROM items ORDER BY id');
  return { ids: rows.map((r) => Number(r.id)), provider: ctx.provider };
}

export async function drop(ctx: LifecycleContext): Promise<void> {
  await ctx.query('DROP TABLE picks, items');
}

export const dated = (): unknown => ({ at: new Date() });

export function fails(): never {
  throw new Error('no teardown today');
}
`;

/** Each call inserts one row carrying an id from setup's data. */
const PICK = `import type { ScriptContext } from 'stampede';

export async function pick(ctx: ScriptContext<{ ids: number[]; provider: string }>): Promise<void> {
  const { ids, provider } = ctx.data;
  await ctx.query('INSERT INTO picks (item, provider) VALUES ($1, $2)', [ids[(ctx.vu + ctx.iteration) % ids.length], provider]);
}
`;

function scenarioDir(setup: string, teardown: string): { dir: string; scenario: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'data.ts'), DATA);
  writeFileSync(join(dir, 'pick.ts'), PICK);
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    `providers:
  - name: pg
    provider: postgresql
    dsn: ${db.dsn}
setup: ${setup}
teardown: ${teardown}
workload:
  - type: script
    module: ./pick.ts
    export: pick
profile: { type: iterations, vus: 4, iterations: 120 }
`,
  );
  return { dir, scenario };
}

const exists = async (table: string): Promise<boolean> =>
  (await adminQuery<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table], db.name))[0]!.t !== null;

test('a setup function returns data every script call sees on 2 workers; a teardown function drops what setup made', async () => {
  const { dir, scenario } = scenarioDir('{ module: ./data.ts, export: seed }', '{ module: ./data.ts, export: drop }');
  const out = join(dir, 'report.json');
  const kept = await runCli(['run', scenario, '--workers', '2', '--out', out, '--no-live', '--keep-data']);
  assert.equal(kept.code, 0, kept.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.deepEqual(p.setup, { function: './data.ts#seed' });
  assert.equal(p.scenarioTeardown, undefined, '--keep-data keeps what setup made');
  assert.equal(p.sources.length, 2);
  const op = p.operations.find((o) => o.operation === 'pick')!;
  assert.equal(op.ok, 120);
  const rows = await adminQuery<{ item: number; provider: string }>('SELECT item, provider FROM picks', [], db.name);
  assert.equal(rows.length, op.ok, 'one row per ok call');
  for (const r of rows) assert.ok(r.item >= 101 && r.item <= 105 && r.provider === 'pg', `row ${JSON.stringify(r)} from setup's data`);
  assert.equal(new Set(rows.map((r) => r.item)).size, 5, "every id of setup's data was used");

  // Setup runs once per run: the second one needs the tables gone, and its teardown removes them.
  await adminQuery('DROP TABLE picks, items', [], db.name);
  const r = await runCli(['run', scenario, '--workers', '2', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.scenarioTeardown, { function: './data.ts#drop' });
  assert.equal(await exists('picks'), false);
  assert.equal(await exists('items'), false);
});

test('a missing export or a return value that is not JSON is one line naming setup, exit 2; a throwing teardown exits 1', async () => {
  const missing = scenarioDir('{ module: ./data.ts, export: nope }', '{ module: ./data.ts, export: drop }');
  const r1 = await runCli(['run', missing.scenario, '--workers', '2', '--no-live', '--out', join(missing.dir, 'r.json')]);
  assert.equal(r1.code, 2);
  assert.equal(r1.stderr, 'stampede: setup.export: ./data.ts has no exported function "nope" (its functions: dated, drop, fails, seed)\n');

  const dated = scenarioDir('{ module: ./data.ts, export: dated }', 'SELECT 1');
  const r2 = await runCli(['run', dated.scenario, '--workers', '0', '--no-live', '--out', join(dated.dir, 'r.json')]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /^stampede: provider "pg": setup: its return value must be plain JSON to reach every VU: [^\n]+\n$/);

  const failing = scenarioDir('{ module: ./data.ts, export: seed }', '{ module: ./data.ts, export: fails }');
  const out = join(failing.dir, 'r.json');
  const r3 = await runCli(['run', failing.scenario, '--workers', '0', '--no-live', '--out', out]);
  assert.equal(r3.code, 1, r3.stderr);
  assert.deepEqual((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.scenarioTeardown, {
    error: 'teardown: no teardown today',
  });
});
