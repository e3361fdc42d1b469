import { test } from 'node:test';
import { SECRET } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { assertBadInput, scenario } from './bad-input.js';

test('an unknown provider kind names the registered ones', async () => {
  await assertBadInput(
    scenario('postgres_fast', 'postgres://u@127.0.0.1/x'),
    /^stampede: provider "target": unknown kind "postgres_fast" \(registered: postgresql, postgresql_optimized, sqlite, sqlite_memory, supabase\)\n$/,
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
