import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../src/index.js';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir, writeScenario } from './helpers/cli.js';
import { PG_HOST, PG_PORT, useFreshDatabase } from './helpers/pg.js';

const db = useFreshDatabase();

test("the guide's option names run as Stampede's, each with a one-line note of the canonical name", async () => {
  const scenario = writeScenario(`providers:
  - name: optimized
    provider: postgresql
    dsn: postgresql+psycopg://postgres@${PG_HOST}:${PG_PORT}/${db.name}
    ssl_config: { sslmode: disable }
    options:
      disable_prepares: true
      connect_args: { tcp_keepalive: true, statement_cache_size: 0 }
workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 2, iterations: 20 }
`);
  const out = join(tempDir(), 'r.json');
  const r = await runCli(['run', scenario, '--workers', '1', '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const notes = r.stderr.split('\n').filter((l) => l.startsWith('stampede: note: '));
  assert.deepEqual(notes, [
    `stampede: note: provider "optimized": dsn postgresql+psycopg:// is the guide's (SQLAlchemy) form of postgresql://`,
    `stampede: note: provider "optimized": options.disable_prepares is the guide's name for options.prepare (its opposite)`,
    `stampede: note: provider "optimized": options.connect_args.tcp_keepalive is the guide's name for options.keepAliveSec (true: 30)`,
    `stampede: note: provider "optimized": options.connect_args.statement_cache_size is the guide's name for options.prepare (0: false)`,
    `stampede: note: provider "optimized": ssl_config.sslmode is the guide's name for sslConfig.mode`,
  ]);
  const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
  assert.equal(p.total.ok, 20);
  assert.equal(p.connection.preparedStatements, false);
  assert.equal(p.connection.keepAliveSec, 30);
  assert.equal(p.connection.sslMode, 'disable');
  assert.match(String(p.connection.dsn), /^postgresql:\/\/postgres@/);
});

test('a connect_args key with no Stampede meaning is still refused by the kind, in one line', async () => {
  const scenario = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: postgresql+psycopg://postgres@${PG_HOST}:${PG_PORT}/${db.name}
    options: { connect_args: { server_side_cursors: true, tcp_keepalive: true } }
workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 1, iterations: 1 }
`);
  const r = await runCli(['run', scenario, '--workers', '1', '--no-live', '--out', join(tempDir(), 'r.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\nstampede: provider "pg": options\.connect_args: unknown field \(known: [^)]*keepAliveSec[^)]*\)\n$/);
});

test("createLogger masks a DSN's password in messages and objects, as the tool's own logs do", () => {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ pretty: false, destination });
  logger.info(
    { dsn: 'postgres://postgres:Sup3rSecret@db.example:5432/app', nested: { url: 'postgresql://u:Sup3rSecret@h/x' } },
    'connecting',
  );
  logger.warn('retrying postgres://postgres:Sup3rSecret@db.example:5432/app');
  assert.ok(written.includes('postgres://postgres:***@db.example:5432/app'), written);
  assert.ok(!written.includes('Sup3rSecret'), written);
  assert.equal(written.trim().split('\n').length, 2);
});
