import { after, before } from 'node:test';
import { join } from 'node:path';
import { freshDatabase, SECRET } from '../helpers/pg.js';
import { tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { providerContract } from './contract.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let deadPort: number;
before(async () => {
  db = await freshDatabase();
  deadPort = await freePort();
});
after(() => db.drop());

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
