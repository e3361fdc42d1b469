import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { pgTarget } from '../../src/providers/pg-target.js';
import { assertBadInput, scenario } from './bad-input.js';

const target = (dsn: string) => pgTarget({ name: 'p', provider: 'postgresql', dsn });

test('a DSN without a host or a database is refused, naming the provider and the field', () => {
  // Drivers would read these as localhost and the database "postgres", and teardown would act there.
  for (const dsn of ['postgres://', 'postgresql://', 'postgres:///app']) {
    assert.throws(
      () => target(dsn),
      (err: Error) => err instanceof UserError && /^provider "p": dsn: names no host \(/.test(err.message),
      dsn,
    );
  }
  for (const dsn of [
    'postgres://db.example',
    'postgres://u@127.0.0.1:5432',
    'postgres://u@127.0.0.1:5432/',
    'postgres://u@h/?sslmode=disable',
  ]) {
    assert.throws(
      () => target(dsn),
      (err: Error) => err instanceof UserError && /^provider "p": dsn: names no database \(/.test(err.message),
      dsn,
    );
  }
});

test('a complete DSN parses into the host, port and database it names', () => {
  assert.deepEqual((({ host, port, database, user }) => ({ host, port, database, user }))(target('postgres://app@[::1]:6000/bench%20db')), {
    host: '::1',
    port: 6000,
    database: 'bench db',
    user: 'app',
  });
  assert.equal(target('postgres://h/d').port, 5432);
});

test('a bare postgres:// DSN on the command line: one line, exit 2, no report', async () => {
  await assertBadInput(
    scenario('postgresql', 'postgres://'),
    /^stampede: provider "target": dsn: names no host \(write postgres:\/\/user@host:5432\/database\)\n$/,
  );
});
