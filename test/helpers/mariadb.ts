import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The shared MariaDB (root, no password): each test file works in a database of its own. */
export const MARIADB_PORT = Number(process.env.STAMPEDE_TEST_MYSQLPORT ?? 3306);

export function mysqlDsn(database: string, opts: { port?: number; password?: string; scheme?: string; query?: string } = {}): string {
  const auth = opts.password === undefined ? 'root' : `root:${encodeURIComponent(opts.password)}`;
  const query = opts.query ? `?${opts.query}` : '';
  return `${opts.scheme ?? 'mysql'}://${auth}@127.0.0.1:${opts.port ?? MARIADB_PORT}/${database}${query}`;
}

/** Runs statements on one connection of their own, as root. */
export async function mysqlAdmin<T = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
  opts: { port?: number; database?: string } = {},
): Promise<T[]> {
  const connection = await mysql.createConnection({
    host: '127.0.0.1',
    port: opts.port ?? MARIADB_PORT,
    user: 'root',
    database: opts.database,
  });
  try {
    const [rows] = await connection.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as T[];
  } finally {
    await connection.end();
  }
}

/** A fresh database on the shared MariaDB (or the server on `port`), dropped by the returned cleanup. */
export async function freshMysqlDatabase(port?: number): Promise<{ name: string; dsn: string; drop: () => Promise<void> }> {
  const name = `stampede_test_${randomBytes(4).toString('hex')}`;
  await mysqlAdmin(`CREATE DATABASE ${name}`, [], { port });
  return {
    name,
    dsn: mysqlDsn(name, { port }),
    drop: () => mysqlAdmin(`DROP DATABASE IF EXISTS ${name}`, [], { port }).then(() => undefined),
  };
}
