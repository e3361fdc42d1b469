import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EnhancedContainer, LegacyContainer } from '../../src/index.js';
import { freshMysqlDatabase } from '../helpers/mariadb.js';
import { freshDatabase } from '../helpers/pg.js';

let maria: Awaited<ReturnType<typeof freshMysqlDatabase>>;
let pgDb: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  maria = await freshMysqlDatabase();
  pgDb = await freshDatabase();
});
after(async () => {
  await maria.drop();
  await pgDb.drop();
});

test('EnhancedContainer: mysql, mariadb and postgresql side by side; units of work commit and roll back the same way on each', async () => {
  const container = new EnhancedContainer({
    defaultProvider: 'maria',
    providers: {
      maria: { provider: 'mariadb', dsn: maria.dsn },
      text: { provider: 'mysql', dsn: maria.dsn, options: { prepare: false } },
      pg: { provider: 'postgresql', dsn: pgDb.dsn },
    },
  });
  await container.initialize();
  try {
    for (const name of ['maria', 'pg']) await container.getProvider(name).execute('CREATE TABLE uow_t (v varchar(20))');
    for (const name of ['maria', 'text', 'pg']) {
      const p = container.getProvider(name);
      const insert = `INSERT INTO uow_t VALUES (${p.dialect.placeholder(1)})`;
      await container.makeUow(name).run((uow) => uow.query(insert, [`${name}-ok`]));
      await assert.rejects(
        container.makeUow(name).run(async (uow) => {
          await uow.query(insert, [`${name}-thrown`]);
          throw new Error('boom');
        }),
        /boom/,
      );
      const uow = container.makeUow(name);
      await uow.begin();
      await uow.query(insert, [`${name}-rolled`]);
      await uow.rollback();
    }
    const values = async (name: string): Promise<unknown[]> =>
      (await container.getProvider(name).execute('SELECT v FROM uow_t ORDER BY v')).map((r) => r.v);
    assert.deepEqual(await values('maria'), ['maria-ok', 'text-ok']);
    assert.deepEqual(await values('pg'), ['pg-ok']);
  } finally {
    await container.close();
  }
});

test('LegacyContainer over the mariadb kind', async () => {
  const legacy = new LegacyContainer({ name: 'only', provider: 'mariadb', dsn: maria.dsn });
  await legacy.initialize();
  try {
    const n = await legacy.makeUow().run(async (uow) => (await uow.query('SELECT 41 + 1 AS n'))[0]!.n);
    assert.equal(Number(n), 42);
  } finally {
    await legacy.close();
  }
});
