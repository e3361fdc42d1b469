import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { compileOperation } from '../../src/operations/compile.js';
import { countDocuments, registerRun, unregisterRun } from '../../src/operations/documents.js';
import { createProvider } from '../../src/providers/index.js';
import type { DatabaseProvider } from '../../src/providers/types.js';
import { freshMysqlDatabase, MARIADB_PORT } from '../helpers/mariadb.js';
import { aVu } from '../helpers/vu.js';

let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
before(async () => {
  db = await freshMysqlDatabase();
});
after(() => db.drop());

async function withProvider<T>(fn: (p: DatabaseProvider) => Promise<T>): Promise<T> {
  const p = createProvider({ name: 'maria', provider: 'mariadb', dsn: db.dsn });
  await p.initialize();
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

test("the tool's tables on MariaDB: created under GET_LOCK with the index inside CREATE TABLE, ids by LAST_INSERT_ID(), registered twice without error, dropped by the last run", async () => {
  await withProvider(async (p) => {
    const sent: string[] = [];
    const sessions = p.sessionProvider;
    const createSession = sessions.createSession.bind(sessions);
    sessions.createSession = async () => {
      const session = await createSession();
      const query = session.query.bind(session);
      session.query = (sql, params) => (sent.push(sql), query(sql, params));
      return session;
    };
    await registerRun(p, 'run/a', 2000);
    // No CREATE INDEX IF NOT EXISTS, which MySQL 8 lacks: the index is part of the CREATE TABLE.
    assert.ok(!sent.some((sql) => /CREATE INDEX/i.test(sql)), sent.join('\n'));
    assert.ok(
      sent.some((sql) => /CREATE TABLE IF NOT EXISTS stampede_documents[^]*INDEX stampede_documents_dataset \(dataset_id\)/.test(sql)),
    );
    await registerRun(p, 'run/b', 2000);
    await registerRun(p, 'run/b', 2000); // INSERT IGNORE: a second registration of the same run is no error
    const indexes = await p.execute("SHOW INDEX FROM stampede_documents WHERE Key_name = 'stampede_documents_dataset'");
    assert.deepEqual(
      indexes.map((r) => r.Column_name),
      ['dataset_id'],
    );
    const run = compileOperation(p, { type: 'transaction', statements: [{ type: 'insert_document' }, { type: 'update_document' }] }, 0, {
      datasetId: 'run/a',
      source: 'test',
    });
    for (let i = 0; i < 3; i++) await run(aVu());
    const rows = await p.execute("SELECT title FROM stampede_documents WHERE dataset_id = 'run/a' ORDER BY id");
    assert.deepEqual(
      rows.map((r) => r.title),
      ['test#1 (updated)', 'test#2 (updated)', 'test#3 (updated)'],
    );
    assert.equal(await countDocuments(p, 'run/a'), 3);
    assert.deepEqual(await unregisterRun(p, 'run/a', 2000), { tableDropped: false, otherRuns: 1 });
    assert.deepEqual(await unregisterRun(p, 'run/b', 2000), { tableDropped: true, otherRuns: 0 });
    // Released after each transaction: nobody holds the registry lock any more.
    const [free] = await p.execute("SELECT IS_FREE_LOCK('stampede_registry') AS free");
    assert.equal(Number(free!.free), 1);
  });
});

test('a registry lock held by another run: setup waits, then fails in one clear sentence', async () => {
  const other = await mysql.createConnection({ host: '127.0.0.1', port: MARIADB_PORT, user: 'root', database: db.name });
  try {
    await other.query("SELECT GET_LOCK('stampede_registry', 5)");
    await withProvider(async (p) => {
      const started = Date.now();
      await assert.rejects(
        registerRun(p, 'run/c', 1000),
        /the tool's registry lock \(stampede_registry\) was held by another run for 1000 ms/,
      );
      assert.ok(Date.now() - started >= 900);
      await other.query("SELECT RELEASE_LOCK('stampede_registry')");
      await registerRun(p, 'run/c', 1000);
      assert.deepEqual(await unregisterRun(p, 'run/c', 1000), { tableDropped: true, otherRuns: 0 });
    });
  } finally {
    await other.end();
  }
});

test('statementTimeoutMs ends a statement that runs too long, in both protocols', async () => {
  for (const prepare of [true, false]) {
    const p = createProvider({ name: 'slow', provider: 'mysql', dsn: db.dsn, options: { prepare, statementTimeoutMs: 300 } });
    await p.initialize();
    try {
      const started = Date.now();
      await assert.rejects(Promise.resolve(p.prepareQuery('SELECT SLEEP(?) AS s', [3])(aVu())), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
      assert.ok(Date.now() - started < 2500);
      // The pool goes on with a fresh connection.
      const [rows] = (await p.prepareQuery('SELECT 1 AS one', [])(aVu())) as [Record<string, unknown>[]];
      assert.equal(Number(rows[0]!.one), 1);
    } finally {
      await p.close();
    }
  }
});
