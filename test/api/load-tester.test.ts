import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatabaseBenchmark, type LoadTestResult, LoadTester, type OperationConfig } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
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
  // Every request inserted one document: the database holds exactly as many rows.
  assert.equal(r.databaseCheck?.match, true, JSON.stringify(r.databaseCheck));
  assert.equal(r.databaseCheck?.database, r.successfulRequests);
}

test('constant, ramp-up and spike load on PostgreSQL: one result per step and phase, counts as the database saw', async () => {
  const load = new LoadTester({ name: 'local', provider: 'postgresql', dsn: db.dsn }, { workers: 1 });
  const operation = load.createDocumentOperation(64);
  const constant = await load.runConstantLoadTest({ testName: 'constant_load', durationSeconds: 1, concurrentUsers: 3, operation });
  assertLoadFields(constant, 'constant', 3);
  assert.equal(constant.concurrentUserCapacity, 3);
  assert.ok(constant.windows.length >= 3, 'short windows give replicates');

  const ramp = await load.runRampUpTest({ testName: 'ramp_up', maxUsers: 4, rampUpDuration: 1, testDuration: 0.5, steps: 2, operation });
  assert.deepEqual(
    ramp.map((r) => r.phase),
    ['ramp:2', 'ramp:4', 'hold:4'],
  );
  ramp.forEach((r) => assertLoadFields(r, r.phase, r.phase === 'ramp:2' ? 2 : 4));
  assert.ok(ramp.every((r) => r.concurrentUserCapacity === 4));

  const spike = await load.runSpikeTest({
    testName: 'spike',
    normalUsers: 1,
    spikeUsers: 3,
    spikeDuration: 0.5,
    totalDuration: 1.5,
    operation,
  });
  assert.deepEqual(
    spike.map((r) => [r.phase, r.concurrentUsers]),
    [
      ['before-spike', 1],
      ['spike', 3],
      ['recovery', 1],
    ],
  );
  spike.forEach((r) => assertLoadFields(r, r.phase, r.concurrentUsers));
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
  assertLoadFields(
    await lite.runConstantLoadTest({ testName: 'tx', durationSeconds: 0.5, concurrentUsers: 4, operation: transaction }),
    'constant',
    4,
  );

  const memory = new LoadTester({ name: 'mem', provider: 'sqlite_memory' }, { workers: 2 });
  const r = await memory.runConstantLoadTest({
    testName: 'docs',
    durationSeconds: 1,
    concurrentUsers: 2,
    operation: memory.createDocumentOperation(),
  });
  assertLoadFields(r, 'constant', 2);
});
