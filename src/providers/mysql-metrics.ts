import type { PerformanceMetrics } from './types.js';

type Row = Record<string, unknown>;

const SETTINGS = [
  'innodb_buffer_pool_size',
  'innodb_flush_log_at_trx_commit',
  'max_connections',
  'sync_binlog',
  'log_bin',
  'innodb_doublewrite',
  'transaction_isolation',
  'tx_isolation',
  'have_ssl',
];
/** Every counter the report keeps a delta of; a server without one (MariaDB has no Innodb_rows_*) leaves it out. */
const COUNTERS = [
  'Questions',
  'Com_commit',
  'Com_rollback',
  'Com_begin',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_stmt_execute',
  'Com_stmt_prepare',
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Innodb_rows_inserted',
  'Innodb_rows_read',
  'Innodb_rows_updated',
  'Innodb_rows_deleted',
  'Innodb_buffer_pool_read_requests',
  'Innodb_buffer_pool_reads',
  'Innodb_data_fsyncs',
  'Innodb_row_lock_waits',
  'Innodb_deadlocks',
  'Connections',
  'Aborted_clients',
  'Aborted_connects',
  'Slow_queries',
  'Bytes_received',
  'Bytes_sent',
];

/** The statements one read sends; the status is read last, so it counts all of them already. */
const READ = [
  `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${['version', 'version_comment', ...SETTINGS].map((s) => `'${s}'`).join(', ')})`,
  "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')",
  'SHOW GLOBAL STATUS',
];
/** Counters that count the tool's own statements, each by how much one read adds. */
const OWN = { Questions: READ.length };

/**
 * Server facts and SHOW GLOBAL STATUS counters. Status is server-wide, so other clients of the
 * server add to it; the tool's own reads are taken out, so the Questions delta of a server used by
 * this run alone is exactly the statements the run sent.
 */
export class MysqlMetricsReader {
  /** Reads done so far by this reader: the statements of each are still in the server's counters. */
  private reads = 0;
  constructor(private readonly query: (sql: string) => Promise<Row[]>) {}

  async read(): Promise<PerformanceMetrics> {
    const [variables, session, status] = [new Map<string, string>(), new Map<string, string>(), new Map<string, string>()];
    this.reads++;
    for (const [i, into] of [variables, session, status].entries()) {
      for (const row of await this.query(READ[i]!)) into.set(String(row.Variable_name), String(row.Value));
    }
    const counters: Record<string, number> = {};
    for (const c of COUNTERS) if (status.has(c)) counters[c] = Number(status.get(c));
    for (const [c, perRead] of Object.entries(OWN)) if (c in counters) counters[c]! -= perRead * this.reads;
    const cipher = session.get('Ssl_cipher') ?? '';
    return {
      server: {
        version: variables.get('version'),
        versionComment: variables.get('version_comment'),
        settings: Object.fromEntries(SETTINGS.filter((s) => variables.has(s)).map((s) => [s, variables.get(s)])),
        ssl: cipher !== '',
        ...(cipher ? { sslCipher: cipher, sslVersion: session.get('Ssl_version') } : {}),
        connections: Number(status.get('Threads_connected')),
        activeConnections: Number(status.get('Threads_running')),
      },
      counters,
      // Every statement a client sends counts once when it arrives, so an autocommit operation
      // that succeeded is one Question (a transaction is several).
      operationCounter: 'Questions',
      lagMs: 0,
    };
  }
}
