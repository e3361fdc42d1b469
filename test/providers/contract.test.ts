import { after, before } from 'node:test';
import { join } from 'node:path';
import { freshDatabase, SECRET } from '../helpers/pg.js';
import { freshMysqlDatabase, mysqlDsn } from '../helpers/mariadb.js';
import { tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { providerContract } from './contract.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let mysqlDb: Awaited<ReturnType<typeof freshMysqlDatabase>>;
let deadPort: number;
before(async () => {
  db = await freshDatabase();
  mysqlDb = await freshMysqlDatabase();
  deadPort = await freePort();
});
after(async () => {
  await db.drop();
  await mysqlDb.drop();
});

providerContract({ label: 'sqlite_memory', config: () => ({ name: 'mem', provider: 'sqlite_memory' }) });
const file = join(tempDir(), 'contract.db');
providerContract({ label: 'sqlite', config: () => ({ name: 'file', provider: 'sqlite', dsn: file }) });

for (const [kind, driver] of [
  ['postgresql', 'pg'],
  ['postgresql', 'postgres'],
  ['postgresql_optimized', 'postgres'],
  ['postgresql_optimized', 'pg'],
] as const) {
  const options = { driver, connectTimeoutMs: 2000 };
  providerContract({
    label: `${kind} (driver ${driver})`,
    config: () => ({ name: `${kind}-${driver}`, provider: kind, dsn: db.dsn, options }),
    dead: () => ({ name: 'dead', provider: kind, dsn: `postgres://postgres:${SECRET}@127.0.0.1:${deadPort}/x`, options }),
  });
}

// Both MySQL-family kinds run against the shared MariaDB (there is no MySQL server on the test
// machines), over each protocol: execute (server-side prepared) and query (text).
for (const kind of ['mysql', 'mariadb']) {
  for (const prepare of [true, false]) {
    const options = { prepare, connectTimeoutMs: 2000 };
    providerContract({
      label: `${kind} (${prepare ? 'execute' : 'query'})`,
      config: () => ({ name: `${kind}-${prepare}`, provider: kind, dsn: mysqlDb.dsn, options }),
      dead: () => ({ name: 'dead', provider: kind, dsn: mysqlDsn('x', { port: deadPort, password: SECRET }), options }),
      // The shared MariaDB's root has no password: the masking is shown on a DSN that is never connected.
      info: () => ({ name: kind, provider: kind, dsn: mysqlDsn('x', { password: SECRET }) }),
    });
  }
}
