import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { registerRun } from '../../src/operations/documents.js';
import { createProvider } from '../../src/providers/index.js';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { adminQuery, freshDatabase, SECRET, sessionsEnded } from '../helpers/pg.js';
import { type ThrowawayPgBouncer, startPgBouncer } from '../helpers/servers.js';
import { aVu } from '../helpers/vu.js';

// PgBouncer in transaction mode hands each transaction to any of its two server connections:
// a statement prepared by name on one is missing (or already there) on the next.
let db: Awaited<ReturnType<typeof freshDatabase>>;
let bouncer: ThrowawayPgBouncer;
let dsn: string;
before(async () => {
  db = await freshDatabase();
  bouncer = await startPgBouncer({ port: Number(new URL(db.dsn).port) }, 2);
  dsn = `postgres://postgres:${SECRET}@127.0.0.1:${bouncer.port}/${db.name}`;
});
after(async () => {
  await bouncer?.stop();
  await db?.drop();
});

/** Runs `callers` concurrent loops of `each` queries; returns the errors they met. */
async function hammer(kind: string, options: Record<string, unknown>, callers = 12, each = 40): Promise<string[]> {
  const p = createProvider({ name: kind, provider: kind, dsn, options: { poolSize: callers, ...options } });
  await p.initialize();
  const errors: string[] = [];
  try {
    const queries = ['SELECT $1::int AS n', 'SELECT $1::int + 1 AS n', 'SELECT $1::int * 2 AS n'].map((sql) => p.prepareQuery(sql, [21]));
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let i = 0; i < each; i++) {
          try {
            await queries[(c + i) % queries.length]!(aVu(c, callers));
          } catch (err) {
            errors.push((err as Error).message);
          }
        }
      }),
    );
  } finally {
    await p.close();
  }
  return errors;
}

test('named prepared statements through PgBouncer in transaction mode fail', { timeout: 30_000 }, async () => {
  const errors = await hammer('postgresql', { driver: 'pg', prepare: true });
  assert.ok(errors.length > 0, 'named statements should break through a transaction pooler');
  assert.match(errors[0]!, /prepared statement "stampede_\d+" (does not exist|already exists)/);
});

for (const options of [{ driver: 'postgres' }, { driver: 'postgres', pipeline: false }, { driver: 'pg' }]) {
  test(
    `postgresql_optimized ${JSON.stringify(options)} through PgBouncer: every query succeeds under concurrency`,
    { timeout: 30_000 },
    async () => {
      assert.deepEqual(await hammer('postgresql_optimized', options), []);
    },
  );
}

test('a run through PgBouncer: exact counts, the pooler detected, the server agrees', { timeout: 60_000 }, async () => {
  const out = join(tempDir(), 'report.json');
  const file = writeScenario(`providers:
  - name: bounced
    provider: postgresql_optimized
    dsn: \${TEST_DSN}
workload:
  - name: insert
    type: insert_document
  - name: read
    type: query
    sql: SELECT count(*) FROM stampede_documents WHERE dataset_id = $1
    params: [x]
profile: { type: iterations, vus: 16, iterations: 2000 }
`);
  // The tool's tables are made beforehand (a registered run of their own keeps them), their catalog
  // rows published (sessions ended): the run's setup then inserts one row, its registration, and
  // every other row the server counts is a document.
  const setup = createProvider({ name: 'setup', provider: 'postgresql', dsn: db.dsn });
  await setup.initialize();
  await registerRun(setup, 'pgbouncer-test-setup', 5000);
  await setup.close();
  await sessionsEnded(db.name);
  const inserted = async (): Promise<number> =>
    Number((await adminQuery<{ n: string }>('SELECT tup_inserted AS n FROM pg_stat_database WHERE datname = $1', [db.name]))[0]!.n);
  const insertedBefore = await inserted();
  const r = await runCli(['run', file, '--workers', '2', '--out', out, '--no-live'], { TEST_DSN: dsn });
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.equal(p.total.ok, 2000);
  assert.equal(p.total.failed, 0);
  assert.equal(p.verification?.documents?.match, true);
  assert.equal(p.connection.preparedStatements, false);
  assert.equal(p.connection.pipelining, true);
  assert.equal(p.server?.before?.server.poolerDetected, true);
  assert.equal(p.server?.check?.match, true, JSON.stringify(p.server?.check));
  assert.ok(p.server.check.server >= 2000);
  // The run's only inserts are its documents and its registration: once every session has ended
  // and published its statistics, the server counted exactly those rows. (A table's counts may
  // reach pg_stat_database after the commits do, so the report's own delta can only trail them.)
  const expected = p.operations.find((o) => o.operation === 'insert')!.ok + 1;
  await sessionsEnded(db.name);
  let counted = (await inserted()) - insertedBefore;
  for (const deadline = Date.now() + 15_000; counted < expected && Date.now() < deadline; counted = (await inserted()) - insertedBefore) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(counted, expected);
  assert.ok(p.server.delta!.tup_inserted! <= expected, `the report's delta ${p.server.delta!.tup_inserted} exceeds ${expected}`);
  assert.match(String(p.server.after!.server.version), /^15\./);
  assert.match(r.stdout, /bounced: the server counted [\d,]+ xact_commit for 2,000 ok operations/);
});
