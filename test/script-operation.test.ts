import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LoadTester } from '../src/api/load-tester.js';
import { runPlan } from '../src/engine/engine.js';
import { silentLogger } from '../src/log.js';
import { inlineScript, type ScriptContext } from '../src/operations/script.js';
import { libraryPlan } from '../src/plan/library.js';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir } from './helpers/cli.js';
import { type Agent, startAgent, startNats, stopAgents, uniquePrefix } from './helpers/nats.js';
import { adminQuery, useFreshDatabase } from './helpers/pg.js';

const db = useFreshDatabase();

/**
 * A checkout in TypeScript: one transaction of three statements, two of them timed as parts. Every
 * tenth call of a VU throws before touching the database, with a code of its own. Each row keeps
 * the VU's `state` count beside its iteration, so the test sees both carried from call to call.
 */
const CHECKOUT = `import type { ScriptContext } from 'stampede';

interface Cart { calls?: number }

export async function checkout(ctx: ScriptContext<unknown, Cart>): Promise<void> {
  ctx.state.calls = (ctx.state.calls ?? 0) + 1;
  if (ctx.iteration % 10 === 9) throw Object.assign(new Error('out of stock'), { code: 'OUT_OF_STOCK' });
  await ctx.tx(async (t) => {
    await ctx.time('insert', () =>
      t.query('INSERT INTO orders (tag, vu, iteration, calls) VALUES ($1, $2, $3, $4)', [process.env.TAG ?? 'cli', ctx.vu, ctx.iteration, ctx.state.calls]),
    );
    await ctx.time('stock', () => t.query('UPDATE stock SET qty = qty - 1 WHERE id = $1', [ctx.vu % 4]));
    await t.query('SELECT qty FROM stock WHERE id = $1', [ctx.vu % 4]);
  });
}
`;

async function tables(): Promise<void> {
  await adminQuery(
    `CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, tag text, vu int, iteration int, calls int);
     CREATE TABLE IF NOT EXISTS stock (id int PRIMARY KEY, qty bigint);
     INSERT INTO stock SELECT g, 1000000 FROM generate_series(0, 3) g ON CONFLICT DO NOTHING`,
    [],
    db.name,
  );
}

/** A scenario in its own directory, with the module beside it; `iterations` fixes the count. */
function scenarioDir(module = './checkout.ts', exportName = 'checkout'): { dir: string; scenario: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'checkout.ts'), CHECKOUT);
  writeFileSync(join(dir, 'providers.yaml'), `providers:\n  - name: pg\n    provider: postgresql\n    dsn: ${db.dsn}\n`);
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(
    scenario,
    `providers:
  - name: pg
    provider: postgresql
    dsn: ${db.dsn}
workload:
  - type: script
    module: ${module}
    export: ${exportName}
profile: { type: iterations, vus: 4, iterations: 200 }
`,
  );
  return { dir, scenario };
}

async function rowsTagged(tag: string): Promise<Array<{ iteration: number; calls: number }>> {
  return adminQuery<{ iteration: number; calls: number }>('SELECT iteration, calls FROM orders WHERE tag = $1', [tag], db.name);
}

function checkReport(report: Report, rows: Array<{ iteration: number; calls: number }>): void {
  const p = report.providers[0]!;
  const op = p.operations.find((o) => o.operation === 'checkout')!;
  assert.equal(op.ok + op.failed, 200, 'the iterations budget counts every call');
  assert.equal(op.ok, rows.length, 'each ok call committed exactly one row');
  assert.ok(op.failed > 0);
  assert.deepEqual(Object.keys(op.errors), ['OUT_OF_STOCK'], 'a thrown error is classified by its code, as a driver error is');
  assert.equal(op.errors.OUT_OF_STOCK!.count, op.failed);
  // The parts have their own histograms: one sample per committed call each.
  assert.equal(op.partsUs?.insert?.count, op.ok);
  assert.equal(op.partsUs?.stock?.count, op.ok);
  assert.ok(op.partsUs.insert.p99 > 0 && op.partsUs.stock.p50 > 0);
  // The whole call is the operation: it takes longer than either part.
  assert.ok(op.latencyUs.p50 > op.partsUs.insert.p50);
  for (const r of rows) assert.equal(r.calls, r.iteration + 1, 'state is the VU own, kept across its calls');
}

test('a script operation (TypeScript) runs its transaction on 2 worker threads: ok = rows inserted, parts timed apart', async () => {
  await tables();
  const { dir, scenario } = scenarioDir();
  const out = join(dir, 'report.json');
  const r = await runCli(['run', scenario, '--workers', '2', '--out', out, '--no-live'], { TAG: 'workers' });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.equal(report.providers[0]!.sources.length, 2);
  checkReport(report, await rowsTagged('workers'));
});

test('a script operation runs on an agent, which imports the module from its own directory', async () => {
  await tables();
  const nats = await startNats();
  const { dir, scenario } = scenarioDir();
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...common, '--workers', '2', '--providers', join(dir, 'providers.yaml')], { TAG: 'agent' }));
    const out = join(dir, 'report.json');
    const r = await runCli(['run', scenario, ...common, '--agents', '1', '--no-local', '--out', out, '--no-live']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.deepEqual(
      report.providers[0]!.sites.map((s) => s.site === 'local'),
      [false],
    );
    checkReport(report, await rowsTagged('agent'));
  } finally {
    await stopAgents(agents);
    await nats.stop();
  }
});

test('a missing module or export is one line naming the operation, exit 2, before any load', async () => {
  const missing = scenarioDir('./ops/nope.ts');
  const r1 = await runCli(['run', missing.scenario, '--workers', '2', '--no-live', '--out', join(missing.dir, 'r.json')]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /^stampede: workload\[0\]\.module: cannot load \.\/ops\/nope\.ts: no such file .*nope\.ts\n$/);

  const noExport = scenarioDir('./checkout.ts', 'refund');
  const r2 = await runCli(['run', noExport.scenario, '--workers', '2', '--no-live', '--out', join(noExport.dir, 'r.json')]);
  assert.equal(r2.code, 2);
  assert.equal(r2.stderr, 'stampede: workload[0].export: ./checkout.ts has no exported function "refund" (its functions: checkout)\n');
});

test('LoadTester runs a function in-process, a module reference on workers, and says why a function cannot go to workers', async () => {
  await tables();
  const provider = { name: 'pg', provider: 'postgresql', dsn: db.dsn };
  let calls = 0;
  const direct = async (ctx: ScriptContext): Promise<void> => {
    calls++;
    await ctx.time('select', () => ctx.query('SELECT $1::int AS vu', [ctx.vu]));
  };
  const inProcess = await new LoadTester(provider).runConstantLoadTest({
    testName: 'direct',
    durationSeconds: 0.5,
    concurrentUsers: 2,
    operation: direct,
  });
  assert.ok(inProcess.successfulRequests > 0);
  assert.equal(inProcess.successfulRequests + inProcess.failedRequests, calls, 'the function ran in this thread');

  await assert.rejects(
    new LoadTester(provider, { workers: 2 }).runConstantLoadTest({
      testName: 'direct',
      durationSeconds: 0.5,
      concurrentUsers: 2,
      operation: direct,
    }),
    /a function given directly runs only in this thread: run with workers: 0, or name its module/,
  );

  const { dir } = scenarioDir();
  const tester = new LoadTester(provider, { workers: 2, baseDir: dir });
  const onWorkers = await tester.runConstantLoadTest({
    testName: 'module',
    durationSeconds: 0.5,
    concurrentUsers: 2,
    operation: tester.createScriptOperation('./checkout.ts', 'checkout'),
  });
  assert.ok(onWorkers.successfulRequests > 0);
  const [{ n }] = (await adminQuery<{ n: string }>("SELECT count(*) AS n FROM orders WHERE tag = 'cli'", [], db.name)) as [{ n: string }];
  assert.equal(Number(n), onWorkers.successfulRequests);
});

test('under an arrival rate the arrivals of one loop run as its VU (one seeded stream, whatever the timing): iterations counted from 0, in order', async () => {
  const seen = new Map<number, number[]>();
  const record = async (ctx: ScriptContext): Promise<void> => {
    const mine = seen.get(ctx.vu) ?? [];
    seen.set(ctx.vu, [...mine, ctx.iteration]);
    await new Promise((resolve) => setTimeout(resolve, 2));
  };
  const plan = libraryPlan(
    {
      name: 'open',
      providers: [{ name: 'mem', provider: 'sqlite_memory' }],
      workload: [inlineScript(record)],
      profile: { type: 'constant-arrival-rate', rate: 200, duration: '1s', preAllocatedVUs: 2, maxVUs: 4 },
    },
    { workers: 0 },
  );
  const result = await runPlan(plan, { logger: silentLogger() });
  assert.equal(result.status, 'complete');
  const calls = [...seen.values()].reduce((n, its) => n + its.length, 0);
  assert.equal(calls, result.providers[0]!.figures.total.ok);
  assert.ok(calls > 0);
  for (const [vu, iterations] of seen) {
    assert.equal(vu, 0, 'one arrival loop on one worker: VU 0');
    assert.deepEqual(
      iterations,
      iterations.map((_, i) => i),
      `VU ${vu}`,
    );
  }
});
