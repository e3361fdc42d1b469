import { test } from 'node:test';
import { SECRET } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { assertBadInput, scenario } from './bad-input.js';
import { mysqlDsn } from '../helpers/mariadb.js';

test('an unknown provider kind names the registered ones', async () => {
  await assertBadInput(
    scenario('postgres_fast', 'postgres://u@127.0.0.1/x'),
    /^stampede: provider "target": unknown kind "postgres_fast" \(registered: mariadb, mysql, postgresql, postgresql_optimized, sqlite, sqlite_memory, supabase\)\n$/,
  );
});

for (const kind of ['postgresql', 'postgresql_optimized', 'supabase']) {
  test(`${kind}: a malformed DSN names the field`, async () => {
    await assertBadInput(
      scenario(kind, `postgres://postgres:${SECRET}@127.0.0.1:notaport/x`),
      /^stampede: provider "target": dsn: port "notaport" is not a number\n$/,
    );
    await assertBadInput(
      scenario(kind, 'mysql://u@127.0.0.1/x'),
      /^stampede: provider "target": dsn: must start with postgres:\/\/ or postgresql:\/\/\n$/,
    );
  });

  test(`${kind}: an unreachable host is one clear line`, async () => {
    const port = await freePort();
    await assertBadInput(
      scenario(kind, `postgres://postgres:${SECRET}@127.0.0.1:${port}/x`),
      /^stampede: provider "target": cannot connect at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/,
    );
    await assertBadInput(
      scenario(kind, `postgres://postgres:${SECRET}@no-such-host.invalid:5432/x`),
      /^stampede: provider "target": cannot connect at .*no-such-host\.invalid.*ENOTFOUND/,
    );
  });
}

test('a bad option names the provider and the option', async () => {
  const extra = '    options: { driver: mysql }\n';
  await assertBadInput(
    scenario('postgresql', 'postgres://u@127.0.0.1/x', extra),
    /^stampede: provider "target": options\.driver: must be one of pg, postgres\n$/,
  );
  const typo = '    options: { prepared: true }\n';
  await assertBadInput(
    scenario('postgresql_optimized', 'postgres://u@127.0.0.1/x', typo),
    /^stampede: provider "target": options\.prepared: unknown field \(known: driver, /,
  );
  const noPipeline = '    options: { driver: pg, pipeline: true }\n';
  await assertBadInput(
    scenario('postgresql_optimized', 'postgres://u@127.0.0.1/x', noPipeline),
    /options\.pipeline: node-postgres does not pipeline; use driver: postgres\n$/,
  );
  const contradiction = '    options: { prepare: true }\n';
  await assertBadInput(
    scenario('postgresql_optimized', 'postgres://u@127.0.0.1/x', contradiction),
    /options\.prepare: postgresql_optimized never uses named prepared statements/,
  );
});

for (const kind of ['mysql', 'mariadb']) {
  test(`${kind}: a wrong password, an unknown database, an unreachable host and a malformed DSN are one line each`, async () => {
    await assertBadInput(
      scenario(kind, mysqlDsn('test', { password: SECRET })),
      /^stampede: provider "target": cannot connect at mysql:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/test: Access denied for user 'root'@'[^']+' \(using password: YES\)\n$/,
    );
    await assertBadInput(
      scenario(kind, mysqlDsn('stampede_no_such_database')),
      /^stampede: provider "target": cannot connect at mysql:\/\/root@127\.0\.0\.1:\d+\/stampede_no_such_database: Unknown database 'stampede_no_such_database'\n$/,
    );
    const port = await freePort();
    await assertBadInput(
      scenario(kind, mysqlDsn('test', { port, password: SECRET })),
      /^stampede: provider "target": cannot connect at mysql:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/test: .*ECONNREFUSED/,
    );
    await assertBadInput(
      scenario(kind, `mysql://root:${SECRET}@no-such-host.invalid:3306/test`),
      /^stampede: provider "target": cannot connect at .*no-such-host\.invalid.*ENOTFOUND/,
    );
    await assertBadInput(
      scenario(kind, `postgres://root:${SECRET}@127.0.0.1:3306/test`),
      /^stampede: provider "target": dsn: must start with mysql:\/\/ or mariadb:\/\/\n$/,
    );
    await assertBadInput(
      scenario(kind, mysqlDsn('test', { query: 'ssl-mode=MAYBE' })),
      /^stampede: provider "target": dsn: ssl-mode "MAYBE" is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY\n$/,
    );
    await assertBadInput(
      scenario(kind, mysqlDsn('test', { query: 'ssl-mode=VERIFY_CA&ssl-ca=/nonexistent/ca.pem' })),
      /^stampede: provider "target": ssl-ca: cannot read \/nonexistent\/ca\.pem: ENOENT\n$/,
    );
    await assertBadInput(
      scenario(kind, mysqlDsn('test'), '    options: { protocol: text }\n'),
      /^stampede: provider "target": options\.protocol: unknown field \(known: poolSize, connectTimeoutMs, statementTimeoutMs, prepare, keepAliveSec\)\n$/,
    );
  });
}
