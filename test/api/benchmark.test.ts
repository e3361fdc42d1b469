import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchmarkResult, DatabaseBenchmark, LoadTester } from '../../src/index.js';
import { adminQuery, SECRET, sessionsEnded, useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

/** Commits and sessions the server counted while `run` ran, read once its sessions have ended. */
async function serverSaw<T>(run: () => Promise<T>): Promise<{ result: T; commits: number; sessions: number }> {
  const read = async (): Promise<{ c: number; s: number }> => {
    const [row] = await adminQuery<{ c: string; s: string }>(
      'SELECT xact_commit AS c, sessions AS s FROM pg_stat_database WHERE datname = $1',
      [db.name],
    );
    return { c: Number(row!.c), s: Number(row!.s) };
  };
  const before = await read();
  const result = await run();
  await sessionsEnded(db.name);
  const afterRun = await read();
  return { result, commits: afterRun.c - before.c, sessions: afterRun.s - before.s };
}

function assertFields(r: BenchmarkResult, test: string, iterations: number): void {
  assert.equal(r.testName, test);
  assert.equal(r.providerName, 'local');
  assert.equal(r.providerKind, 'postgresql');
  assert.equal(r.iterations, iterations);
  assert.equal(r.successRate, 1);
  assert.equal(r.errorCount, 0);
  assert.deepEqual(r.errorMessages, []);
  assert.ok(r.minMs > 0 && r.minMs <= r.p50Ms && r.p50Ms <= r.p95Ms && r.p95Ms <= r.p99Ms && r.p99Ms <= r.maxMs, JSON.stringify(r));
  // In ms like the rest (a µs figure would break the bound): a spread no wider than half the range.
  assert.ok(r.avgMs >= r.minMs && r.avgMs <= r.maxMs && r.stddevMs > 0 && r.stddevMs <= (r.maxMs - r.minMs) / 2, JSON.stringify(r));
  assert.equal(
    r.windows.reduce((n, w) => n + w.ok, 0),
    iterations,
    'the per-window samples hold every operation',
  );
}

test('simple and concurrent query tests: documented fields, and the server ran exactly the counted queries', async () => {
  const bench = new DatabaseBenchmark({ name: 'local', provider: 'postgresql', dsn: db.dsn });
  // Every session costs the server one commit at its start plus the tool's one check before the
  // start; every query is one more commit. So commits - 2 × sessions is the queries the tool ran.
  const simple = await serverSaw(() => bench.runSimpleQueryTest({ iterations: 60 }));
  assertFields(simple.result, 'simple_query', 60);
  assert.ok(simple.result.windows.length >= 3, 'interleaved blocks give replicates');
  assert.equal(simple.commits - 2 * simple.sessions, 60, JSON.stringify(simple));

  const concurrent = await serverSaw(() => bench.runConcurrentQueryTest({ concurrentCount: 4, iterationsPerWorker: 10 }));
  assertFields(concurrent.result, 'concurrent_query', 40);
  assert.equal(concurrent.commits - 2 * concurrent.sessions, 40, JSON.stringify(concurrent));
});

test('transaction test: begin, insert, update, commit; the database holds one updated row per transaction', async () => {
  const bench = new DatabaseBenchmark({ name: 'local', provider: 'postgresql', dsn: db.dsn });
  const r = await bench.runTransactionTest({ iterations: 30 });
  assertFields(r, 'transaction', 30);
  assert.deepEqual(r.databaseCheck, { reported: 30, database: 30, match: true });
});

test('connection test: a new connection per iteration, connect and query timed apart', async () => {
  const bench = new DatabaseBenchmark({ name: 'local', provider: 'postgresql', dsn: db.dsn });
  const { result: r, commits, sessions } = await serverSaw(() => bench.runConnectionTest({ iterations: 12 }));
  assertFields(r, 'connection', 12);
  const { connect, query } = r.parts!;
  assert.ok(connect!.minMs > 0 && query!.minMs > 0);
  assert.ok(connect!.avgMs + query!.avgMs <= r.avgMs, 'the parts fit inside the whole operation');
  // 12 one-off sessions (plus each block's pooled ones), each running exactly one statement.
  assert.ok(sessions >= 12 + 2, `server saw ${sessions} sessions`);
  assert.equal(commits, 2 * sessions);
});

test('errors are counted and deduplicated, with the password masked', async () => {
  const load = new LoadTester({ name: 'local', provider: 'postgresql', dsn: db.dsn }, { workers: 1 });
  const r = await load.runConstantLoadTest({
    testName: 'broken',
    durationSeconds: 0.5,
    concurrentUsers: 2,
    operation: load.createQueryOperation('SELECT * FROM no_such_table'),
  });
  assert.equal(r.successfulRequests, 0);
  assert.ok(r.failedRequests > 0);
  assert.equal(r.totalRequests, r.failedRequests);
  assert.equal(r.errorRatePercent, 100);
  assert.equal(r.concurrentUserCapacity, 0);
  assert.equal(r.errorMessages.length, 1);
  assert.equal(r.errorMessages[0]!.class, 'SQLSTATE 42P01');
  assert.equal(r.errorMessages[0]!.count, r.failedRequests);
  assert.ok(!JSON.stringify(r).includes(SECRET));
});
