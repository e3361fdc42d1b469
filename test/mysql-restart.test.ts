import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../src/report/types.js';
import { startCli, tempDir, writeScenario } from './helpers/cli.js';
import { mysqlAdmin, startMariadb, type ThrowawayMariadb } from './helpers/mariadb.js';

let server: ThrowawayMariadb;
before(async () => {
  server = await startMariadb();
});
after(async () => {
  await server?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a MariaDB going away looks like through mysql2: MySQL's error names, never a bare "Error". */
const CONNECTION_LOSS = /^(ER_SERVER_SHUTDOWN|ER_CONNECTION_KILLED|PROTOCOL_CONNECTION_LOST|ECONNREFUSED|ECONNRESET|EPIPE)$/;
/** Of those, the ones where the request may have reached the server before the connection went. */
const IN_DOUBT = /^(ER_SERVER_SHUTDOWN|ER_CONNECTION_KILLED|PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE)$/;

for (const kind of ['mariadb', 'mysql']) {
  test(`${kind}: a restart and a 2 s outage mid-run; the run ends, errors are classed by MySQL code, the report counts exactly what the database holds`, async (t) => {
    const database = `restart_${kind}`;
    await mysqlAdmin(`CREATE DATABASE ${database}`, [], { port: server.port });
    const out = join(tempDir(), 'report.json');
    const file = writeScenario(`providers:
  - { name: target, provider: ${kind}, dsn: "${server.dsn(database)}", options: { connectTimeoutMs: 2000 } }
workload:
  - { name: insert, type: insert_document, weight: 3 }
  - name: tx
    type: transaction
    statements: [{ type: insert_document }, { type: update_document }]
profile: { type: constant-vus, vus: 4, duration: 20s, thinkTime: 5ms }
`);
    const { child, result } = startCli(['run', file, '--workers', '2', '--out', out, '--keep-data']);
    await new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => /\[\s+1s\]/.test(String(d)) && resolve()));
    const t0 = Date.now();
    await server.halt(); // a normal shutdown: clients are told (1053) or lose their connection
    await server.resume();
    await sleep(1000);
    await server.halt(); // down for 2 s: connections are refused
    await sleep(2000);
    await server.resume();
    // Both outages must be over before the run ends, for the count after it (20 s leaves room on a loaded machine).
    t.diagnostic(`both outages over after ${Date.now() - t0} ms`);
    const r = await result;
    assert.equal(r.code, 0, r.stderr);

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.equal(report.status, 'complete');
    const p = report.providers[0]!;
    const classes = Object.keys(p.total.errors);
    t.diagnostic(JSON.stringify(Object.fromEntries(Object.entries(p.total.errors).map(([k, e]) => [k, e.count]))));
    assert.ok(classes.includes('ECONNREFUSED'), `the outage was seen: ${JSON.stringify(p.total.errors)}`);
    for (const cls of classes) assert.match(cls, CONNECTION_LOSS, JSON.stringify(p.total.errors[cls]));

    // Every ok insert and transaction is a row; a failed one left none, unless its connection was
    // lost after the request left: those are in doubt.
    const ok = (name: string): number => p.operations.find((o) => o.operation === name)!.ok;
    const inDoubt = (name: string): number =>
      Object.entries(p.operations.find((o) => o.operation === name)!.errors)
        .filter(([cls]) => IN_DOUBT.test(cls))
        .reduce((n, [, e]) => n + e.count, 0);
    const doc = p.verification!.documents!;
    assert.equal(doc.reported, ok('insert') + ok('tx'));
    assert.equal(doc.inDoubt ?? 0, inDoubt('insert') + inDoubt('tx'));
    assert.ok(doc.database! >= doc.reported && doc.database! <= doc.reported + (doc.inDoubt ?? 0), JSON.stringify(doc));
    assert.equal(doc.match, true);
    const [rows] = await mysqlAdmin<{ n: number; updated: number }>(
      "SELECT count(*) AS n, coalesce(sum(title LIKE '% (updated)'), 0) AS updated FROM stampede_documents WHERE dataset_id = ?",
      [doc.datasetId],
      { port: server.port, database },
    );
    assert.equal(Number(rows!.n), doc.database);
    // A transaction's rows are updated whenever they are there: it committed as a whole or not at all.
    assert.ok(Number(rows!.updated) >= ok('tx') && Number(rows!.updated) <= ok('tx') + inDoubt('tx'), JSON.stringify(rows));
    // The counters restart with the server: the check cannot vouch, and says why rather than fail.
    assert.equal(p.server?.error, undefined, p.server?.error);
    await mysqlAdmin(`DROP DATABASE ${database}`, [], { port: server.port });
  });
}
