import type { PgTarget } from './pg-target.js';
import type { PerformanceMetrics } from './types.js';

type Row = Record<string, unknown>;

const SETTINGS = ['max_connections', 'shared_buffers', 'synchronous_commit', 'fsync', 'work_mem', 'effective_cache_size', 'max_wal_size'];
const COUNTERS = [
  'xact_commit',
  'xact_rollback',
  'blks_read',
  'blks_hit',
  'tup_returned',
  'tup_fetched',
  'tup_inserted',
  'tup_updated',
  'tup_deleted',
  'deadlocks',
  'conflicts',
];

const SQL = `SELECT current_setting('server_version') AS server_version,
  ${SETTINGS.map((s) => `current_setting('${s}') AS ${s}`).join(', ')},
  (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl,
  (SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl_version,
  inet_server_port() AS server_port,
  (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections,
  (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active') AS active_connections,
  ${COUNTERS.map((c) => `d.${c}`).join(', ')}
FROM pg_stat_database d WHERE d.datname = current_database()`;

/**
 * Server facts and pg_stat_database counters for the database the provider connects to. A
 * pooler shows itself by answering on a port the server does not listen on.
 */
export async function pgPerformanceMetrics(execute: (sql: string) => Promise<Row[]>, target: PgTarget): Promise<PerformanceMetrics> {
  const [row = {}] = await execute(SQL);
  const serverPort = row.server_port === null || row.server_port === undefined ? undefined : Number(row.server_port);
  const poolerDetected = serverPort !== undefined && serverPort !== target.port;
  return {
    server: {
      version: row.server_version,
      settings: Object.fromEntries(SETTINGS.map((s) => [s, row[s]])),
      ssl: row.ssl === true,
      sslVersion: row.ssl_version ?? undefined,
      poolerDetected,
      ...(poolerDetected ? { pooler: `DSN port ${target.port}, server port ${serverPort}` } : {}),
      connections: Number(row.connections),
      activeConnections: Number(row.active_connections),
    },
    counters: Object.fromEntries(COUNTERS.map((c) => [c, Number(row[c])])),
    operationCounter: 'xact_commit',
    // A backend publishes its counts at exit, or at most once a second while busy; one that stays
    // connected (a pool, a pooler's server connection) publishes the rest 10 s after going idle
    // (PGSTAT_IDLE_INTERVAL).
    lagMs: 11_000,
  };
}
