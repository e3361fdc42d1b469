import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOperation } from '../../src/operations/compile.js';
import { countDocuments, createDocumentsTable, registerRun, unregisterRun } from '../../src/operations/documents.js';
import type { OperationConfig } from '../../src/operations/schema.js';
import type { ProviderConfig } from '../../src/providers/config.js';
import { createProvider, mysqlDialect, postgresqlDialect, registerProvider, sqliteDialect } from '../../src/providers/index.js';
import { SqliteMemoryProvider } from '../../src/providers/sqlite.js';
import type { DatabaseProvider, SqlDialect } from '../../src/providers/types.js';
import { aVu } from '../helpers/vu.js';

let kinds = 0;

/** Every statement run on a session of the test's kinds, in order. */
const sessionLog: string[] = [];

/** A new kind: SQLite in memory, declaring whatever dialect the test gives it (built from the instance). */
function kindDeclaring(dialect: (provider: SqliteMemoryProvider & { inTransaction(): boolean }) => unknown): string {
  const kind = `sqlite_dialect_${++kinds}`;
  registerProvider(
    kind,
    class extends SqliteMemoryProvider {
      constructor(config: ProviderConfig) {
        super(config);
        (this as { dialect: unknown }).dialect = dialect(this);
        const sessions = this.sessionProvider;
        const createSession = sessions.createSession.bind(sessions);
        sessions.createSession = async () => {
          const session = await createSession();
          return { query: (sql, params) => (sessionLog.push(sql), session.query(sql, params)) };
        };
      }
      inTransaction(): boolean {
        return this.database.inTransaction;
      }
    },
  );
  return kind;
}

async function withProvider<T>(kind: string, fn: (p: DatabaseProvider) => Promise<T>): Promise<T> {
  const provider = createProvider({ name: 'mem', provider: kind });
  await provider.initialize();
  try {
    return await fn(provider);
  } finally {
    await provider.close();
  }
}

const insertThenUpdate: OperationConfig = { type: 'transaction', statements: [{ type: 'insert_document' }, { type: 'update_document' }] };
const context = { datasetId: 'run/mem', source: 'test' };

test('a kind that names a built-in dialect gets that dialect, none gets PostgreSQL; an unknown name, a wrong type or missing facts is one clear line', () => {
  assert.equal(createProvider({ name: 'named', provider: kindDeclaring(() => 'sqlite') }).dialect, sqliteDialect);
  assert.equal(createProvider({ name: 'named', provider: kindDeclaring(() => 'mysql') }).dialect, mysqlDialect);
  assert.equal(createProvider({ name: 'none', provider: kindDeclaring(() => undefined) }).dialect, postgresqlDialect);
  const refused = (declared: unknown, problem: RegExp): void =>
    assert.throws(
      () => createProvider({ name: 'mine', provider: kindDeclaring(() => declared) }),
      (err: Error) => {
        assert.equal(err.name, 'UserError');
        assert.match(err.message, /^provider "mine" \(kind sqlite_dialect_\d+\): dialect: /);
        assert.match(err.message, problem);
        assert.match(err.message, /declare a SqlDialect .* or a built-in dialect's name \(postgresql, mysql, sqlite\)$/);
        return true;
      },
    );
  refused('oracle', /dialect: "oracle" is not a built-in dialect;/);
  refused(42, /dialect: neither a SqlDialect nor a name;/);
  const partial = Object.fromEntries(
    Object.entries(sqliteDialect).filter(([fact]) => fact !== 'lockRegistry' && fact !== 'insertIgnoring'),
  );
  refused(partial, /dialect: missing insertIgnoring, lockRegistry;/);
});

test('without RETURNING, a transaction reads the new row id with the query the dialect declares', async () => {
  const kind = kindDeclaring((): SqlDialect => ({ ...sqliteDialect, insertedId: { query: 'SELECT last_insert_rowid() AS id' } }));
  await withProvider(kind, async (p) => {
    await createDocumentsTable(p);
    const run = compileOperation(p, insertThenUpdate, 0, context);
    sessionLog.length = 0;
    for (let i = 0; i < 3; i++) await run(aVu());
    assert.equal(sessionLog.filter((sql) => sql === 'SELECT last_insert_rowid() AS id').length, 3);
    assert.ok(!sessionLog.some((sql) => /RETURNING/i.test(sql)), sessionLog.join('\n'));
    const rows = await p.execute('SELECT id, title FROM stampede_documents ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.title),
      ['test#1 (updated)', 'test#2 (updated)', 'test#3 (updated)'],
    );
    assert.equal(await countDocuments(p, context.datasetId), 3);
  });
});

test('one worker’s transactions take turns exactly when the dialect says its sessions share one connection', async () => {
  const concurrently = (kind: string): Promise<PromiseSettledResult<unknown>[]> =>
    withProvider(kind, async (p) => {
      await createDocumentsTable(p);
      const run = compileOperation(p, insertThenUpdate, 0, context);
      return Promise.allSettled([run(aVu()), run(aVu()), run(aVu())]);
    });
  const shared = await concurrently(kindDeclaring(() => sqliteDialect));
  assert.deepEqual(
    shared.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled'],
  );
  // The same handle declared as if each session had a connection of its own: the transactions interleave and fail.
  const interleaved = await concurrently(kindDeclaring((): SqlDialect => ({ ...sqliteDialect, oneConnectionPerHandle: false })));
  const failed = interleaved.filter((r) => r.status === 'rejected');
  assert.ok(failed.length > 0);
  assert.match(String((failed[0] as PromiseRejectedResult).reason), /cannot start a transaction within a transaction/);
});

test('the registry lock is released once the transaction has ended, after a failed setup too', async () => {
  const events: string[] = [];
  const spying = (types: SqlDialect['types']) =>
    kindDeclaring((provider): SqlDialect => ({
      ...sqliteDialect,
      types,
      async lockRegistry(session, waitMs) {
        const release = await sqliteDialect.lockRegistry(session, waitMs);
        events.push(provider.inTransaction() ? 'locked in the transaction' : 'locked outside it');
        return async () => {
          events.push(provider.inTransaction() ? 'released in the transaction' : 'released after it');
          await release();
        };
      },
    }));
  await withProvider(spying(sqliteDialect.types), async (p) => {
    await registerRun(p, 'run/mem', 1000);
    assert.deepEqual(await unregisterRun(p, 'run/mem', 1000), { tableDropped: true, otherRuns: 0 });
  });
  assert.deepEqual(events, ['locked in the transaction', 'released after it', 'locked in the transaction', 'released after it']);

  events.length = 0;
  await withProvider(spying({ ...sqliteDialect.types, key: 'TEXT CHECK (' }), async (p) => {
    await assert.rejects(registerRun(p, 'run/mem', 1000), /syntax error/);
  });
  assert.deepEqual(events, ['locked in the transaction', 'released after it']);
});
