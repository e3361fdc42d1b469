import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { ProviderConfig } from '../../src/providers/config.js';
import { createProvider } from '../../src/providers/index.js';
import type { DatabaseProvider } from '../../src/providers/types.js';
import { SqlUnitOfWork } from '../../src/uow/unit-of-work.js';
import { SECRET } from '../helpers/pg.js';

export interface ContractCase {
  label: string;
  config: () => ProviderConfig;
  /** The same provider pointed at a port nothing listens on; undefined for file databases. */
  dead?: () => ProviderConfig;
  /** A config whose DSN holds SECRET, for the masking check, when `config` cannot hold one (default: `config`). */
  info?: () => ProviderConfig;
}

/**
 * What every provider kind must do: sessions, commit visible, rollback invisible, a health check
 * that says yes when the database answers and no (without throwing or hanging) when it does not,
 * and connection info that never shows the password.
 */
export function providerContract(c: ContractCase): void {
  const table = `stampede_contract_${randomBytes(3).toString('hex')}`;
  const withProvider = async (fn: (p: DatabaseProvider) => Promise<void>): Promise<void> => {
    const p = createProvider(c.config());
    await p.initialize();
    try {
      await fn(p);
    } finally {
      await p.close();
    }
  };
  const count = async (p: DatabaseProvider, v: string): Promise<number> =>
    Number((await p.execute(`SELECT count(*) AS n FROM ${table} WHERE v = '${v}'`))[0]!.n);

  test(`${c.label}: health check, sessions, commit visible, rollback invisible`, { timeout: 20_000 }, async () => {
    await withProvider(async (p) => {
      assert.equal(await p.healthCheck(), true);
      await p.execute(`CREATE TABLE IF NOT EXISTS ${table} (id integer, v text)`);
      try {
        const sessions = p.sessionProvider;
        const session = await sessions.createSession();
        assert.deepEqual(
          (await session.query('SELECT 1 AS one')).map((r) => Number(r.one)),
          [1],
        );
        await sessions.beginTransaction(session);
        await session.query(`INSERT INTO ${table} VALUES (1, 'committed')`);
        await sessions.commitTransaction(session);
        await sessions.beginTransaction(session);
        await session.query(`INSERT INTO ${table} VALUES (2, 'rolled-back')`);
        await sessions.rollbackTransaction(session);
        await sessions.closeSession(session);
        assert.equal(await count(p, 'committed'), 1);
        assert.equal(await count(p, 'rolled-back'), 0);

        // The unit of work: run() commits on success and rolls back on a throw.
        await new SqlUnitOfWork(p).run(async (uow) => {
          await uow.query(`INSERT INTO ${table} VALUES (3, 'uow-ok')`);
        });
        await assert.rejects(
          new SqlUnitOfWork(p).run(async (uow) => {
            await uow.query(`INSERT INTO ${table} VALUES (4, 'uow-thrown')`);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await count(p, 'uow-ok'), 1);
        assert.equal(await count(p, 'uow-thrown'), 0);
      } finally {
        await p.execute(`DROP TABLE IF EXISTS ${table}`);
      }
    });
  });

  test(`${c.label}: server metrics name the version and give numeric counters`, async () => {
    await withProvider(async (p) => {
      const m = await p.getPerformanceMetrics();
      assert.match(String(m.server.version), /^\d+\.\d+/);
      assert.ok(Object.keys(m.counters).length > 0);
      for (const [k, v] of Object.entries(m.counters)) assert.ok(Number.isFinite(v), `${k} = ${v}`);
      if (p.dialect.name === 'postgresql') {
        assert.equal(m.operationCounter, 'xact_commit');
        assert.ok(Number((m.server.settings as Record<string, string>).max_connections) > 0);
      } else if (p.dialect.name === 'mysql') {
        assert.equal(m.operationCounter, 'Questions');
        const settings = m.server.settings as Record<string, string>;
        for (const s of ['innodb_buffer_pool_size', 'innodb_flush_log_at_trx_commit', 'max_connections', 'sync_binlog'])
          assert.match(String(settings[s]), /^\d+$/, s);
        assert.ok(Number(m.server.connections) >= 1);
        for (const c of ['Com_commit', 'Com_select', 'Questions', 'Handler_write']) assert.ok(c in m.counters, c);
      } else assert.match(String(m.server.journalMode), /^(memory|wal)$/);
    });
  });

  test(`${c.label}: connection info names the kind and never the password`, async () => {
    const config = (c.info ?? c.config)();
    const p = createProvider(config);
    const info = p.getConnectionInfo();
    assert.equal(info.provider, config.provider);
    assert.equal(info.name, config.name);
    assert.ok(!JSON.stringify(info).includes(SECRET), JSON.stringify(info));
    if (config.dsn?.includes(SECRET)) assert.match(String(info.dsn), /:\*\*\*@/);
  });

  test(`${c.label}: health check is false, not a throw or a hang, when the database is gone`, { timeout: 15_000 }, async () => {
    const p = createProvider(c.dead ? c.dead() : c.config());
    await p.initialize();
    if (!c.dead) await p.close(); // a file database is "gone" once its handle is closed
    assert.equal(await p.healthCheck(), false);
    await p.close();
  });
}
