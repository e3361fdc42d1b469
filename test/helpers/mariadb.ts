import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './ports.js';
import type { Certificates } from './servers.js';
import { requireTool } from './tools.js';

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

export interface ThrowawayMariadb {
  port: number;
  dsn(database?: string, query?: string): string;
  /** What the server's error log says so far (for a failing test's message). */
  log(): string;
  /** A normal shutdown (SIGTERM), keeping the data: clients get 1053 or a lost connection, then ECONNREFUSED. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port and data, and waits until it accepts connections. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private MariaDB on a free port, its own datadir and socket, root without a password over TCP,
 * optionally with TLS. Nothing else uses it, so its global counters move only for the test.
 */
export async function startMariadb(opts: { tls?: Certificates } = {}): Promise<ThrowawayMariadb> {
  const [installDb, mariadbd] = [requireTool('mariadb-install-db'), requireTool('mariadbd')];
  const dir = mkdtempSync(join(tmpdir(), 'stampede-mariadb-'));
  const data = join(dir, 'data');
  execFileSync('chown', ['mysql:mysql', dir]);
  // --no-defaults first: the machine's my.cnf names the shared server's port, socket and datadir.
  execFileSync(
    installDb,
    ['--no-defaults', `--datadir=${data}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    `--socket=${join(dir, 's.sock')}`,
    `--pid-file=${join(dir, 'mariadbd.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--user=mysql',
    // 127.0.0.2 reaches the same server under an address its test certificate does not name.
    '--bind-address=127.0.0.1,127.0.0.2',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=32M',
    '--innodb-log-file-size=16M',
    '--innodb-flush-log-at-trx-commit=2',
    '--max-connections=60',
  ];
  if (opts.tls) {
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    execFileSync('cp', [opts.tls.cert, opts.tls.key, opts.tls.ca, tlsDir]);
    execFileSync('chown', ['-R', 'mysql:mysql', tlsDir]);
    args.push(`--ssl-cert=${join(tlsDir, 'server.crt')}`, `--ssl-key=${join(tlsDir, 'server.key')}`, `--ssl-ca=${join(tlsDir, 'ca.crt')}`);
  }
  execFileSync('chown', ['-R', 'mysql:mysql', dir]);
  const log = (): string => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  };
  const accepts = async (): Promise<boolean> => {
    try {
      await mysqlAdmin('SELECT 1', [], { port });
      return true;
    } catch {
      return false;
    }
  };
  const spawnServer = async (): Promise<ChildProcess> => {
    const child = spawn(mariadbd, args, { stdio: 'ignore' });
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited (${child.exitCode}): ${log()}`);
      if (await accepts()) return child;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`mariadbd did not come up: ${log()}`);
  };
  const halt = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
  let server = await spawnServer();
  await mysqlAdmin('CREATE DATABASE IF NOT EXISTS test', [], { port });
  return {
    port,
    dsn: (database = 'test', query?: string) => mysqlDsn(database, { port, query }),
    log,
    halt: () => halt(server),
    resume: async () => {
      server = await spawnServer();
    },
    stop: async () => {
      await halt(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
