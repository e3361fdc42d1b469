import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type DatabaseProvider,
  EnhancedContainer,
  LegacyContainer,
  type PerformanceMetrics,
  registerProvider,
  registeredKinds,
  sqliteDialect,
  validateManagerConfig,
} from '../../src/index.js';
import type { ProviderConfig } from '../../src/providers/config.js';
import { tempDir } from '../helpers/cli.js';
import { freshDatabase, SECRET } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  db = await freshDatabase();
});
after(() => db.drop());

test('EnhancedContainer: every provider initialized and usable by name, the default one without', async () => {
  const file = join(tempDir(), 'c.db');
  const container = new EnhancedContainer({
    defaultProvider: 'optimized',
    providers: {
      primary: { provider: 'postgresql', dsn: db.dsn, description: 'node-postgres' },
      optimized: { provider: 'postgresql_optimized', dsn: db.dsn },
      local: { provider: 'sqlite', dsn: file },
    },
  });
  await container.initialize();
  try {
    assert.deepEqual(container.providerNames, ['primary', 'optimized', 'local']);
    assert.equal(container.getProvider().providerName, 'postgresql_optimized');
    assert.equal(container.getProvider('local').providerName, 'sqlite');
    await container.getProvider().execute('CREATE TABLE uow_t (v text)');
    await container.makeUow().run((uow) => uow.query(`INSERT INTO uow_t VALUES ('default')`));
    await container.makeUow('primary').run((uow) => uow.query(`INSERT INTO uow_t VALUES ('primary')`));
    const rows = await container.getProvider('primary').execute('SELECT v FROM uow_t ORDER BY v');
    assert.deepEqual(
      rows.map((r) => r.v),
      ['default', 'primary'],
    );
    assert.throws(() => container.getProvider('nope'), /unknown provider "nope" \(configured: primary, optimized, local\)/);

    // begin/commit/rollback by hand, and misuse said plainly.
    const uow = container.makeUow('local');
    await assert.rejects(uow.commit(), /not active: call begin\(\) first/);
    await uow.begin();
    await uow.query('CREATE TABLE t (v text)');
    await uow.rollback();
    assert.equal(uow.active, false);
    assert.deepEqual(await container.getProvider('local').execute(`SELECT name FROM sqlite_master WHERE name = 't'`), []);
  } finally {
    await container.close();
  }
});

test('EnhancedContainer: a failing provider is named, and the others are closed', async () => {
  const closed: string[] = [];
  // A kind registered with the decorator form, observing its own close().
  @registerProvider('observed_sqlite_memory')
  class Observed implements DatabaseProvider {
    readonly providerName = 'observed_sqlite_memory';
    readonly dialect = sqliteDialect;
    readonly sharedAcrossInstances = false;
    readonly sessionProvider = null as never;
    constructor(readonly config: ProviderConfig) {}
    async initialize(): Promise<void> {}
    async close(): Promise<void> {
      closed.push(this.config.name);
    }
    async healthCheck(): Promise<boolean> {
      return true;
    }
    getConnectionInfo() {
      return { name: this.config.name, provider: this.providerName, driver: 'none' };
    }
    async getPerformanceMetrics(): Promise<PerformanceMetrics> {
      return { server: {}, counters: {} };
    }
    prepareQuery() {
      return () => undefined;
    }
    async execute() {
      return [];
    }
  }
  assert.ok(registeredKinds().includes('observed_sqlite_memory') && Observed);
  assert.throws(() => registerProvider('observed_sqlite_memory', Observed), /provider kind "observed_sqlite_memory" is already registered/);

  const port = await freePort();
  const container = new EnhancedContainer({
    providers: [
      { name: 'fine', provider: 'observed_sqlite_memory' },
      {
        name: 'gone',
        provider: 'postgresql',
        dsn: `postgres://postgres:${SECRET}@127.0.0.1:${port}/x`,
        options: { connectTimeoutMs: 1000 },
      },
    ],
  });
  await assert.rejects(container.initialize(), (err: Error) => {
    assert.equal(err.name, 'UserError');
    assert.match(err.message, /^provider "gone": .*ECONNREFUSED/);
    assert.ok(!err.message.includes(SECRET));
    return true;
  });
  assert.deepEqual(closed, ['fine']);
  assert.throws(() => container.getProvider('fine'), /not initialized/);
});

test('LegacyContainer: the single-database API over the same container', async () => {
  const legacy = new LegacyContainer({ name: 'only', provider: 'sqlite_memory' });
  await legacy.initialize();
  try {
    assert.equal(legacy.provider.providerName, 'sqlite_memory');
    const n = await legacy.makeUow().run(async (uow) => (await uow.query('SELECT 41 + 1 AS n'))[0]!.n);
    assert.equal(n, 42);
  } finally {
    await legacy.close();
  }
});

test('DatabaseManagerConfig: errors name the provider and the field', () => {
  const bad = (config: unknown, message: RegExp): void => assert.throws(() => validateManagerConfig(config), message);
  bad({ providers: { a: { provider: 'sqlite', dsn: 3 } } }, /^UserError: provider "a": dsn: /);
  // A field of the wrong type is not a missing one.
  bad(
    { providers: { a: { provider: 'sqlite', dsn: 3 } } },
    /^UserError: provider "a": dsn: Invalid input: expected string, received number$/,
  );
  bad({ providers: { a: { dsn: 'x' } } }, /^UserError: provider "a": provider: is required/);
  bad(
    { providers: { a: { provider: 'sqlite', sslConfig: { mode: 'sometimes' } } } },
    /^UserError: provider "a": sslConfig\.mode: must be one of disable, require, verify-ca, verify-full/,
  );
  bad({ providers: { a: { provider: 'sqlite', dns: 'x' } } }, /^UserError: provider "a": dns: unknown field/);
  bad({ providers: { a: { name: 'b', provider: 'sqlite' } } }, /^UserError: provider "a": name: "b" differs from its key/);
  bad(
    {
      providers: [
        { name: 'a', provider: 'sqlite' },
        { name: 'a', provider: 'sqlite' },
      ],
    },
    /^UserError: provider "a": name: two providers have this name/,
  );
  bad(
    { defaultProvider: 'z', providers: { a: { provider: 'sqlite' } } },
    /^UserError: database config: defaultProvider: "z" is not one of a/,
  );
  bad({ providers: {} }, /^UserError: database config: providers: must list at least one provider/);
  bad({ providers: { a: { provider: 'sqlite' } }, extra: 1 }, /^UserError: database config: extra: unknown field/);
  const ok = validateManagerConfig({ providers: { a: { provider: 'sqlite_memory' }, b: { provider: 'sqlite_memory' } } });
  assert.equal(ok.defaultProvider, 'a');
  assert.deepEqual(
    ok.providers.map((p) => p.name),
    ['a', 'b'],
  );
});
