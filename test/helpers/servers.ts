import { freePort, portOpen } from './ports.js';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { requireTool } from './tools.js';

/** initdb, postgres and pgbouncer refuse to run as root: they run as the postgres user. */
let user: { uid: number; gid: number } | undefined;
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return (user ??= { uid: id('-u'), gid: id('-g') });
}

/** A directory the postgres user owns, removed by the caller. */
export function postgresOwnedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-pg-'));
  const { uid, gid } = postgresUser();
  chownSync(dir, uid, gid);
  return dir;
}

function chownTree(path: string): void {
  const { uid, gid } = postgresUser();
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(path, entry.name));
    else chownSync(join(path, entry.name), uid, gid);
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${log()}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up: ${log()}`);
}

function spawnAsPostgres(cmd: string, args: string[]): { child: ChildProcess; log: () => string } {
  let out = '';
  const child = spawn(cmd, args, { ...postgresUser(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, log: () => out.slice(-2000) };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface Certificates {
  dir: string;
  ca: string;
  /** A CA that did not sign the server's certificate. */
  otherCa: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate for 127.0.0.1 and localhost, made with openssl. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-tls-'));
  const f = (name: string): string => join(dir, name);
  const openssl = requireTool('openssl');
  const ssl = (...args: string[]): void => void execFileSync(openssl, args, { stdio: 'ignore' });
  for (const ca of ['ca', 'other-ca']) {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=stampede test ${ca}`,
      '-keyout',
      f(`${ca}.key`),
      '-out',
      f(`${ca}.crt`),
    );
  }
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('server.crt'),
  );
  return { dir, ca: f('ca.crt'), otherCa: f('other-ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

export interface ThrowawayPostgres {
  port: number;
  password?: string;
  dsn(database?: string, password?: string, host?: string): string;
  /** Fast shutdown (as `pg_ctl stop -m fast`), keeping the data: clients get 57P01, then ECONNREFUSED. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port and data, and waits until it accepts connections. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private PostgreSQL on a free port: fsync off, optionally TLS and password (scram) auth for
 * TCP. Stopped with SIGINT (fast shutdown).
 */
export async function startPostgres(opts: { tls?: Certificates; password?: string } = {}): Promise<ThrowawayPostgres> {
  const [initdb, postgres] = [requireTool('initdb'), requireTool('postgres')];
  const dir = postgresOwnedDir();
  const data = join(dir, 'data');
  const initArgs = ['-D', data, '-U', 'postgres', '--auth-local=trust', '--no-sync'];
  if (opts.password) {
    writeFileSync(join(dir, 'pw'), opts.password);
    chownTree(dir);
    initArgs.push('--auth-host=scram-sha-256', `--pwfile=${join(dir, 'pw')}`);
  } else initArgs.push('--auth-host=trust');
  execFileSync(initdb, initArgs, { ...postgresUser(), stdio: 'ignore' });
  // 127.0.0.2 reaches the same server under an address its certificate does not name.
  appendFileSync(join(data, 'pg_hba.conf'), `host all all 127.0.0.0/8 ${opts.password ? 'scram-sha-256' : 'trust'}\n`);
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1,127.0.0.2',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=40',
  ];
  if (opts.tls) {
    const tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    execFileSync('cp', [opts.tls.cert, opts.tls.key, tlsDir]);
    chownTree(tlsDir);
    execFileSync('chmod', ['600', join(tlsDir, 'server.key')]);
    args.push('-c', 'ssl=on', '-c', `ssl_cert_file=${join(tlsDir, 'server.crt')}`, '-c', `ssl_key_file=${join(tlsDir, 'server.key')}`);
  }
  const dsn = (database = 'postgres', password = opts.password ?? 'unused', host = '127.0.0.1'): string =>
    `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/${database}`;
  const accepts = async (): Promise<boolean> => {
    const client = new pg.Client({ connectionString: dsn(), ssl: opts.tls ? { rejectUnauthorized: false } : false });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  };
  let server = spawnAsPostgres(postgres, args);
  await waitFor('postgres', accepts, server.child, server.log);
  return {
    port,
    password: opts.password,
    dsn,
    halt: () => stopChild(server.child, 'SIGINT'),
    resume: async () => {
      server = spawnAsPostgres(postgres, args);
      await waitFor('postgres', accepts, server.child, server.log);
    },
    stop: async () => {
      await stopChild(server.child, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayPgBouncer {
  port: number;
  stop(): Promise<void>;
}

/** PgBouncer in transaction mode in front of a trust-auth PostgreSQL, with few server connections. */
export async function startPgBouncer(target: { port: number }, serverConnections = 2): Promise<ThrowawayPgBouncer> {
  const pgbouncer = requireTool('pgbouncer');
  const dir = postgresOwnedDir();
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    `[databases]
* = host=127.0.0.1 port=${target.port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(dir, 'users.txt')}
pool_mode = transaction
default_pool_size = ${serverConnections}
; idle server connections close within a second or two, so their backends publish their statistics
; at exit rather than 10 s later: the server-side check then settles quickly
server_idle_timeout = 1
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,statement_timeout
logfile = ${join(dir, 'pgbouncer.log')}
`,
  );
  chownTree(dir);
  const { child, log } = spawnAsPostgres(pgbouncer, [join(dir, 'pgbouncer.ini')]);
  await waitFor('pgbouncer', () => portOpen(port), child, log);
  return {
    port,
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
