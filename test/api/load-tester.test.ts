import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DatabaseBenchmark,
  type LoadTestResult,
  LoadTester,
  type LoadTesterOptions,
  type OperationConfig,
  PerformanceComparator,
} from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
import { assertOneConnectionSetup, sampleBackends } from '../helpers/backends.js';
import { useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

function assertLoadFields(r: LoadTestResult, phase: string, users: number): void {
  assert.equal(r.phase, phase);
  assert.equal(r.concurrentUsers, users);
  assert.ok(r.successfulRequests > 0);
  assert.equal(r.totalRequests, r.successfulRequests + r.failedRequests);
  assert.equal(r.failedRequests, 0);
  assert.equal(r.errorRatePercent, 0);
  assert.ok(r.requestsPerSecond > 0 && r.durationSeconds > 0);
  assert.ok(Math.abs(r.requestsPerSecond - r.successfulRequests / r.durationSeconds) < 1, 'requests/s is what ran over how long');
  assert.ok(r.minMs > 0 && r.minMs <= r.p95Ms && r.p95Ms <= r.p99Ms && r.p99Ms <= r.maxMs && r.avgMs <= r.maxMs);
  assert.equal(
    r.windows.reduce((n, w) => n + w.ok, 0),
    r.successfulRequests,
  );
}

/**
 * The steps of a test are one run: one run id, each step's windows right after the step before
 * (no gap, no second start), and the database holds exactly the rows the steps inserted.
 */
function assertOneRun(results: readonly LoadTestResult[]): void {
  assert.equal(new Set(results.map((r) => r.runId)).size, 1, 'one run id');
  for (let k = 1; k < results.length; k++) {
    assert.equal(results[k]!.windows[0]!.window, results[k - 1]!.windows.at(-1)!.window + 1, `${results[k]!.phase} follows on`);
  }
  const ok = results.reduce((n, r) => n + r.successfulRequests, 0);
  for (const r of results) assert.deepEqual(r.databaseCheck, { reported: ok, database: ok, match: true });
}

test('constant, ramp-up and spike load on PostgreSQL: one continuous run each, one result per step and phase, counts as the database saw', async () => {
  const load = new LoadTester({ name: 'local', provider: 'postgresql', dsn: db.dsn }, { workers: 1, windowMs: 250 });
  const operation = load.createDocumentOperation(64);
  const constant = await load.runConstantLoadTest({ testName: 'constant_load', durationSeconds: 1, concurrentUsers: 3, operation });
  assertLoadFields(constant, 'constant', 3);
  assertOneRun([constant]);
  assert.equal(constant.concurrentUserCapacity, 3);
  assert.equal(constant.knee, null, 'one step has no knee');
  assert.ok(constant.windows.length >= 3, 'short windows give replicates');

  const ramped = await sampleBackends(db.name, () =>
    load.runRampUpTest({ testName: 'ramp_up', maxUsers: 4, rampUpDuration: 1, testDuration: 0.5, steps: 2, operation }),
  );
  const ramp = ramped.result;
  assert.deepEqual(
    ramp.map((r) => r.phase),
    ['ramp:2', 'ramp:4', 'hold:4'],
  );
  ramp.forEach((r) => assertLoadFields(r, r.phase, r.phase === 'ramp:2' ? 2 : 4));
  assertOneRun(ramp);
  assertOneConnectionSetup(ramped.samples, 1500, 'ramp');
  assert.ok(ramp.every((r) => r.concurrentUserCapacity === 4 && r.withinSlo === true && r.sloP95Ms === 500));

  const spiked = await sampleBackends(db.name, () =>
    load.runSpikeTest({ testName: 'spike', normalUsers: 1, spikeUsers: 3, spikeDuration: 0.5, totalDuration: 1.5, operation }),
  );
  const spike = spiked.result;
  assert.deepEqual(
    spike.map((r) => [r.phase, r.concurrentUsers]),
    [
      ['before-spike', 1],
      ['spike', 3],
      ['recovery', 1],
    ],
  );
  spike.forEach((r) => assertLoadFields(r, r.phase, r.concurrentUsers));
  assertOneRun(spike);
  assertOneConnectionSetup(spiked.samples, 1500, 'spike');
  assert.ok(spike.every((r) => r.recoveryMs !== undefined && r.knee === undefined));
});

test('a ramp and a spike serialized by a lock: the knee, capacity and recovery time are the ones their windows show', async () => {
  // Every operation holds one advisory lock for 10 ms: throughput cannot grow with users, and
  // the spike's users queue behind each other.
  const serialized = (options: LoadTesterOptions): LoadTester =>
    new LoadTester({ name: 'locked', provider: 'postgresql', dsn: db.dsn }, { workers: 1, windowMs: 250, ...options });
  const operation: OperationConfig = { type: 'query', sql: 'SELECT pg_advisory_xact_lock(1), pg_sleep(0.01)' };

  const ramp = await serialized({}).runRampUpTest({
    testName: 'locked_ramp',
    maxUsers: 4,
    rampUpDuration: 1,
    testDuration: 0.5,
    steps: 2,
    operation,
  });
  assert.ok(
    ramp.every((r) => r.concurrentUserCapacity === 4),
    'p95 stays far under 500 ms',
  );
  const [two, four] = ramp as [LoadTestResult, LoadTestResult];
  const knee =
    four.requestsPerSecond < two.requestsPerSecond * 1.05 ? { phase: 'ramp:2', users: 2, requestsPerSecond: two.requestsPerSecond } : null;
  for (const r of ramp) assert.deepEqual(r.knee, knee, r.phase);

  const strict = await serialized({ p95SloMs: 5 }).runRampUpTest({
    testName: 'locked_ramp',
    maxUsers: 4,
    rampUpDuration: 1,
    testDuration: 0,
    steps: 2,
    operation,
  });
  assert.ok(
    strict.every((r) => r.concurrentUserCapacity === 0 && r.withinSlo === false && r.p95Ms >= 10),
    'every operation sleeps 10 ms',
  );
  assert.match(
    new PerformanceComparator().addLoadTestResults(strict).generateComparisonReport().recommendations.join('\n'),
    /^locked leaves the objective at 2 users in locked_ramp ramp:2 \(p95 [\d.]+ ms, errors 0\.0 %; objective: p95 under 5\.00 ms, errors under 1 %\): capacity ≈ 0 users$/m,
  );

  const spike = await serialized({}).runSpikeTest({
    testName: 'locked_spike',
    normalUsers: 1,
    spikeUsers: 3,
    spikeDuration: 0.5,
    totalDuration: 2.5,
    operation,
  });
  const [before, during, after] = spike as [LoadTestResult, LoadTestResult, LoadTestResult];
  assert.ok(during.p95Ms > 1.5 * before.p95Ms, `the spike's users wait for each other: p95 ${during.p95Ms} vs ${before.p95Ms} ms`);
  // From the end of the spike to the end of the first window whose p95 is back within 20 %.
  const spikeEndMs = 1000 + 500;
  const thresholdUs = Math.round(Math.round(before.p95Ms * 1000) * 1.2);
  const back = after.windows.find((w) => w.window * 250 >= spikeEndMs && w.ok > 0 && Math.round(w.p95Ms * 1000) <= thresholdUs);
  const recoveryMs = back ? (back.window + 1) * 250 - spikeEndMs : null;
  assert.ok(
    spike.every((r) => r.recoveryMs === recoveryMs),
    `recovery ${spike[0]!.recoveryMs} ms, windows say ${recoveryMs}`,
  );
});

test('SQLite: every benchmark method and a document load, counts matching the database', async () => {
  const file = join(tempDir(), 'bench.db');
  const bench = new DatabaseBenchmark({ name: 'lite', provider: 'sqlite', dsn: file });
  const simple = await bench.runSimpleQueryTest({ iterations: 50 });
  const tx = await bench.runTransactionTest({ iterations: 20 });
  const conn = await bench.runConnectionTest({ iterations: 10 });
  const conc = await bench.runConcurrentQueryTest({ concurrentCount: 2, iterationsPerWorker: 10 });
  for (const [r, n] of [
    [simple, 50],
    [tx, 20],
    [conn, 10],
    [conc, 20],
  ] as const) {
    assert.equal(r.providerKind, 'sqlite');
    assert.equal(r.iterations, n);
    assert.equal(r.successRate, 1);
    assert.ok(r.minMs <= r.p50Ms && r.p50Ms <= r.p95Ms && r.p95Ms <= r.p99Ms && r.p99Ms <= r.maxMs && r.maxMs > 0, JSON.stringify(r));
    assert.equal(
      r.windows.reduce((sum, w) => sum + w.ok, 0),
      n,
      'the per-window samples hold every operation',
    );
  }
  assert.deepEqual(tx.databaseCheck, { reported: 20, database: 20, match: true });
  assert.ok(conn.parts?.connect && conn.parts.query);

  // Four users' transactions on one SQLite handle take turns: none fails, every row is there.
  const lite = new LoadTester({ name: 'lite', provider: 'sqlite', dsn: file }, { workers: 1 });
  const transaction: OperationConfig = { type: 'transaction', statements: [{ type: 'insert_document' }, { type: 'update_document' }] };
  const tx4 = await lite.runConstantLoadTest({ testName: 'tx', durationSeconds: 0.5, concurrentUsers: 4, operation: transaction });
  assertLoadFields(tx4, 'constant', 4);
  assertOneRun([tx4]);

  const memory = new LoadTester({ name: 'mem', provider: 'sqlite_memory' }, { workers: 2 });
  const r = await memory.runConstantLoadTest({
    testName: 'docs',
    durationSeconds: 1,
    concurrentUsers: 2,
    operation: memory.createDocumentOperation(),
  });
  assertLoadFields(r, 'constant', 2);
  assertOneRun([r]);
});
