import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { Report } from '../src/report/types.js';
import { startCli, tempDir, writeScenario } from './helpers/cli.js';
import { startPostgres, type ThrowawayPostgres } from './helpers/servers.js';

let server: ThrowawayPostgres;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

async function query<T>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.dsn(database) });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a server going away looks like to each driver: its own SQLSTATE or connection code, never a bare "Error". */
const CONNECTION_LOSS = /^(SQLSTATE 57P0[13]|ECONNREFUSED|ECONNRESET|EPIPE|CONNECTION_CLOSED|CONNECTION_ENDED)$/;
/** Of those, the ones where the request may have reached the server before the connection went. */
const IN_DOUBT = /^(SQLSTATE 57P01|ECONNRESET|EPIPE|CONNECTION_CLOSED|CONNECTION_ENDED)$/;

for (const kind of ['postgresql', 'postgresql_optimized']) {
  test(`${kind}: a fast restart and a 2 s outage mid-run; the run ends, its report counts exactly what the database holds`, async () => {
    const database = `restart_${kind}`;
    await query('postgres', `CREATE DATABASE ${database}`);
    const out = join(tempDir(), 'report.json');
    const file = writeScenario(`providers:
  - { name: target, provider: ${kind}, dsn: "${server.dsn(database)}" }
workload:
  - { name: insert, type: insert_document, weight: 3 }
  - name: tx
    type: transaction
    statements: [{ type: insert_document }, { type: update_document }]
profile: { type: constant-vus, vus: 4, duration: 12s }
`);
    const { child, result } = startCli(['run', file, '--workers', '2', '--out', out, '--keep-data']);
    await new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => /\[\s+1s\]/.test(String(d)) && resolve()));
    await server.halt(); // pg_ctl restart -m fast
    await server.resume();
    await sleep(1000);
    await server.halt(); // down for 2 s: connections are refused
    await sleep(2000);
    await server.resume();
    // The faults are over before the planned end even when pg_ctl is slow on a loaded machine:
    // the end-of-run count needs the server back.
    assert.equal(child.exitCode, null, 'the run was still going when the server came back');
    const r = await result;
    assert.equal(r.code, 0, r.stderr);

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.equal(report.status, 'complete');
    const p = report.providers[0]!;
    const classes = Object.keys(p.total.errors);
    assert.ok(classes.includes('ECONNREFUSED'), `the outage was seen: ${JSON.stringify(p.total.errors)}`);
    for (const cls of classes) assert.match(cls, CONNECTION_LOSS, JSON.stringify(p.total.errors[cls]));

    // Every ok insert and transaction is a row. A failed one left none, unless its connection was
    // lost after the request left (its commit's acknowledgement never came back): those are in doubt.
    const ok = (name: string): number => p.operations.find((o) => o.operation === name)!.ok;
    const inDoubt = (name: string): number =>
      Object.entries(p.operations.find((o) => o.operation === name)!.errors)
        .filter(([cls]) => IN_DOUBT.test(cls))
        .reduce((n, [, e]) => n + e.count, 0);
    const doc = p.verification!.documents!;
    assert.equal(doc.datasetId, `${report.runId}/target`);
    assert.equal(doc.reported, ok('insert') + ok('tx'));
    assert.equal(doc.inDoubt ?? 0, inDoubt('insert') + inDoubt('tx'));
    assert.ok(doc.database! >= doc.reported && doc.database! <= doc.reported + (doc.inDoubt ?? 0), JSON.stringify(doc));
    assert.equal(doc.match, true);
    const [rows] = await query<{ n: string; updated: string }>(
      database,
      "SELECT count(*) AS n, count(*) FILTER (WHERE title LIKE '% (updated)') AS updated FROM stampede_documents WHERE dataset_id = $1",
      [doc.datasetId],
    );
    assert.equal(Number(rows!.n), doc.database);
    // A transaction's rows are updated whenever they are there: it committed as a whole or not at all.
    assert.ok(Number(rows!.updated) >= ok('tx') && Number(rows!.updated) <= ok('tx') + inDoubt('tx'), JSON.stringify(rows));
    assert.equal(p.server?.error, undefined);
    assert.ok(p.server?.check?.match, JSON.stringify(p.server?.check));
    await query('postgres', `DROP DATABASE ${database} WITH (FORCE)`);
  });
}
