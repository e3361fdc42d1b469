import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createProvider } from '../src/providers/index.js';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';
import { mysqlAdmin, startMariadb, type ThrowawayMariadb } from './helpers/mariadb.js';
import { type Agent, startAgent, startNats, stopAgents, type ThrowawayNats, uniquePrefix } from './helpers/nats.js';

// A MariaDB of the test's own: its global counters move for this file's runs alone, so the
// server's figures can be held to the client's exactly.
let server: ThrowawayMariadb;
let nats: ThrowawayNats;
before(async () => {
  server = await startMariadb();
  nats = await startNats();
});
after(async () => {
  await server?.stop();
  await nats?.stop();
});

const VUS = 4;
const ITERATIONS = 600;

function scenario(kind: string, database: string, prepare: boolean): string {
  return writeScenario(`providers:
  - { name: target, provider: ${kind}, dsn: "${server.dsn(database)}", options: { prepare: ${prepare} } }
workload:
  - { name: insert, type: insert_document, weight: 3 }
  - name: tx
    type: transaction
    statements: [{ type: insert_document }, { type: update_document }]
  - name: read
    type: query
    sql:
      postgresql: SELECT id FROM stampede_documents WHERE dataset_id = $1 LIMIT 1
      mysql: SELECT id FROM stampede_documents WHERE dataset_id = ? LIMIT 1
      sqlite: SELECT id FROM stampede_documents WHERE dataset_id = ? LIMIT 1
    params: [nothing]
profile: { type: iterations, vus: ${VUS}, iterations: ${ITERATIONS} }
`);
}

/** Statements each operation sends: a transaction is BEGIN, INSERT, SELECT LAST_INSERT_ID(), UPDATE, COMMIT. */
const STATEMENTS = { insert: 1, tx: 5, read: 1 };

async function runAndCheck(kind: string, prepare: boolean, sites: string[], connections: number): Promise<void> {
  const database = `counts_${kind}_${prepare ? 'execute' : 'query'}_${sites.length}`;
  await mysqlAdmin(`CREATE DATABASE ${database}`, [], { port: server.port });
  const out = join(tempDir(), 'report.json');
  const r = await runCli(['run', scenario(kind, database, prepare), ...sites, '--out', out, '--keep-data', '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const p = report.providers[0]!;
  const ok = (name: keyof typeof STATEMENTS): number => p.operations.find((o) => o.operation === name)!.ok;
  assert.equal(p.total.ok, ITERATIONS);
  assert.deepEqual(p.total.errors, {});

  // ok count = rows the database holds = rows the server counted as inserted.
  const inserted = ok('insert') + ok('tx');
  const doc = p.verification!.documents!;
  assert.deepEqual([doc.reported, doc.database, doc.match], [inserted, inserted, true]);
  const [row] = await mysqlAdmin<{ n: number; updated: number }>(
    "SELECT count(*) AS n, sum(title LIKE '% (updated)') AS updated FROM stampede_documents WHERE dataset_id = ?",
    [doc.datasetId],
    { port: server.port, database },
  );
  assert.deepEqual([Number(row!.n), Number(row!.updated)], [inserted, ok('tx')]);
  const delta = p.server!.delta!;
  assert.equal(delta.Com_insert, inserted, JSON.stringify(delta));
  assert.equal(delta.Handler_write, inserted, JSON.stringify(delta));
  assert.equal(delta.Com_commit, ok('tx'));
  assert.equal(delta.Com_update, ok('tx'));
  assert.equal(delta.Com_select, ok('read') + ok('tx'));
  assert.equal((delta.Com_stmt_execute ?? 0) > 0, prepare, `protocol: ${JSON.stringify(delta)}`);

  // The ok count against Questions: every statement sent, and nothing of the tool's own reads. The
  // excess is what a closing connection sends (COM_QUIT counts as a Question) and an agent's
  // preparation (its table check: two statements and a quit).
  const check = p.server!.check!;
  assert.equal(check.counter, 'Questions');
  assert.equal(check.clientOk, ITERATIONS);
  assert.equal(check.match, true);
  const sent = ok('insert') * STATEMENTS.insert + ok('tx') * STATEMENTS.tx + ok('read') * STATEMENTS.read;
  const excess = check.server - sent;
  assert.ok(excess >= 0 && excess <= connections, `Questions ${check.server}, statements sent ${sent}, connections ${connections}`);
  await mysqlAdmin(`DROP DATABASE ${database}`, [], { port: server.port });
}

for (const kind of ['mysql', 'mariadb']) {
  test(`${kind}: 2 workers, execute: ok count = rows held = the server's Com_insert and Handler_write; Questions account for every statement`, async () => {
    await runAndCheck(kind, true, ['--workers', '2'], VUS);
  });
}

test('mariadb: 2 workers, query (text protocol): the same counts, no prepared statement executed', async () => {
  await runAndCheck('mariadb', false, ['--workers', '2'], VUS);
});

test("mariadb: a local worker and an agent's worker: the same exact counts", async () => {
  const prefix = uniquePrefix();
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent(['--nats', nats.url, '--prefix', prefix, '--name', 'a1', '--workers', '1']));
    await runAndCheck('mariadb', true, ['--workers', '1', '--nats', nats.url, '--prefix', prefix, '--agents', 'a1'], VUS + 3);
  } finally {
    await stopAgents(agents);
  }
});

test("the tool's own reads of the server's figures are not in the Questions it reports", async () => {
  const p = createProvider({ name: 'quiet', provider: 'mariadb', dsn: server.dsn() });
  await p.initialize();
  try {
    const first = await p.getPerformanceMetrics();
    const second = await p.getPerformanceMetrics();
    const third = await p.getPerformanceMetrics();
    assert.equal(second.counters.Questions! - first.counters.Questions!, 0);
    assert.equal(third.counters.Questions! - second.counters.Questions!, 0);
    await p.execute('SELECT 1');
    const fourth = await p.getPerformanceMetrics();
    assert.equal(fourth.counters.Questions! - third.counters.Questions!, 1);
  } finally {
    await p.close();
  }
});
