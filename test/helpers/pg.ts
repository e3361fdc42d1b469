import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';

export const PG_HOST = process.env.STAMPEDE_TEST_PGHOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.STAMPEDE_TEST_PGPORT ?? 5432);
/** The shared server uses trust auth, so a password in the DSN is accepted and ignored: ideal for redaction tests. */
export const SECRET = 'Sup3r-S3cret-pw';

export function dsnFor(database: string, password = SECRET): string {
  return `postgres://postgres:${password}@${PG_HOST}:${PG_PORT}/${database}`;
}

export async function adminQuery<T extends pg.QueryResultRow = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
  database = 'postgres',
): Promise<T[]> {
  const client = new pg.Client({ connectionString: dsnFor(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Waits until no session is left on `database` but the caller's own. A backend publishes its
 * statistics as it exits (while connected, at most once a second, or 10 s after going idle), so
 * the counters read afterwards hold everything the sessions did.
 */
export async function sessionsEnded(database: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await adminQuery<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    if (Number(row!.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`sessions on ${database} still open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh database on the shared server, dropped by the returned cleanup. */
export async function freshDatabase(): Promise<{ name: string; dsn: string; drop: () => Promise<void> }> {
  const name = `stampede_test_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    dsn: dsnFor(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined),
  };
}

/** A fresh database for the test file: made before its tests, dropped after them. */
export function useFreshDatabase(): { readonly name: string; readonly dsn: string } {
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  before(async () => {
    db = await freshDatabase();
  });
  after(async () => {
    await db?.drop();
  });
  return {
    get name() {
      return db!.name;
    },
    get dsn() {
      return db!.dsn;
    },
  };
}
