import { z } from 'zod';
import type { ProviderConfig } from './config.js';
import { redact } from '../util/secrets.js';
import { UserError } from '../errors.js';
import { check, problemLine } from '../util/issues.js';
import { PG_DRIVERS, type PgDriver, type PgDriverName, type PgDriverSettings, openPgDriver } from './pg-drivers.js';
import { pgPerformanceMetrics } from './pg-metrics.js';
import { type PgTarget, type SslMode, explainConnectError, pgTarget, tlsOptions } from './pg-target.js';
import { registerProvider } from './registry.js';
import { PgSessionProvider } from './pg-sessions.js';
import { postgresqlDialect } from './dialects/postgresql.js';
import type { ConnectionInfo, DatabaseProvider, Executable, OneShotConnection, PerformanceMetrics, SessionProvider } from './types.js';

type Row = Record<string, unknown>;
type Params = readonly unknown[] | (() => readonly unknown[]);

const count = z.coerce.number().int().positive();
/** The options every PostgreSQL-family kind accepts (`poolSize` is set by the engine per worker). */
const pgOptionsSchema = z.strictObject({
  driver: z.enum(PG_DRIVERS).optional(),
  poolSize: count.optional(),
  connectTimeoutMs: count.optional(),
  statementTimeoutMs: count.optional(),
  prepare: z.boolean().optional(),
  keepAliveSec: z.coerce.number().int().min(0).optional(),
  /** postgres.js only: one connection per instance (per worker) carrying every VU's queries in flight. */
  pipeline: z.boolean().optional(),
  maxPipeline: count.optional(),
});
export type PgOptions = z.infer<typeof pgOptionsSchema>;

/** What a kind decides about its driver; the rest of the settings come from the options alone. */
export interface PgKindPolicy {
  driver: PgDriverName;
  prepare: boolean;
  sslMode: SslMode;
  keepAliveSec?: number;
  fetchTypes: boolean;
  /**
   * One pipelined connection per instance instead of one per VU. postgres.js 3.4 slows down when
   * queries in flight exceed `max` with `max` > 1 (porsager/postgres#747), so it is all or nothing.
   */
  pipeline: boolean;
}

function parseOptions(config: ProviderConfig): PgOptions {
  const parsed = check(pgOptionsSchema, config.options ?? {}, ['options']);
  if (parsed.success) return parsed.data;
  const { problem } = parsed;
  const known = problem.message === 'unknown field' ? ` (known: ${Object.keys(pgOptionsSchema.shape).join(', ')})` : '';
  throw new UserError(problemLine(`provider "${config.name}"`, problem) + known);
}

/**
 * Every PostgreSQL kind: one DSN parser, one TLS mapping, two drivers. A kind differs only in its
 * policy (default driver, prepared statements, TLS, keepalive, pipelining), so the kinds cannot
 * drift apart.
 */
export abstract class PostgresFamilyProvider implements DatabaseProvider {
  abstract readonly providerName: string;
  readonly dialect = postgresqlDialect;
  readonly sharedAcrossInstances = true;
  readonly sessionProvider: SessionProvider;
  protected readonly target: PgTarget;
  protected readonly options: PgOptions;
  readonly policy: PgKindPolicy;
  private driver: PgDriver | undefined;

  constructor(readonly config: ProviderConfig) {
    this.target = pgTarget(config);
    this.options = parseOptions(config);
    // Decided here so that a contradictory config fails at construction, before any connection.
    this.policy = this.kindPolicy();
    this.sessionProvider = new PgSessionProvider(() => this.connected);
  }

  protected abstract kindPolicy(): PgKindPolicy;

  /** Pipelining is postgres.js's: asking node-postgres for it is a mistake worth naming. */
  protected pipeline(driver: PgDriverName, byDefault: boolean): boolean {
    if (driver === 'pg' && this.options.pipeline) this.fail('options.pipeline', 'node-postgres does not pipeline; use driver: postgres');
    return driver === 'postgres' && (this.options.pipeline ?? byDefault);
  }

  protected fail(field: string, message: string): never {
    throw new UserError(`provider "${this.config.name}": ${field}: ${message}`);
  }

  private get connected(): PgDriver {
    if (!this.driver) throw new Error(`provider "${this.config.name}" is not initialized`);
    return this.driver;
  }

  private get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? 5000;
  }

  async initialize(): Promise<void> {
    if (this.driver) return;
    this.driver = openPgDriver(this.policy.driver, this.driverSettings(this.policy.pipeline ? 1 : (this.options.poolSize ?? 10)));
  }

  private driverSettings(poolSize: number): PgDriverSettings {
    const p = this.policy;
    return {
      target: this.target,
      ssl: tlsOptions(this.target, p.sslMode, this.config.name),
      poolSize,
      connectTimeoutMs: this.connectTimeoutMs,
      statementTimeoutMs: this.options.statementTimeoutMs,
      prepare: p.prepare,
      keepAliveSec: p.keepAliveSec,
      maxPipeline: this.options.maxPipeline,
      fetchTypes: p.fetchTypes,
    };
  }

  async close(): Promise<void> {
    const driver = this.driver;
    this.driver = undefined;
    await driver?.close();
  }

  async healthCheck(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), this.connectTimeoutMs);
      });
      await Promise.race([this.connected.execute('SELECT 1', []), timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  getConnectionInfo(): ConnectionInfo {
    const p = this.policy;
    return {
      name: this.config.name,
      provider: this.providerName,
      driver: p.driver,
      dsn: redact(this.config.dsn ?? ''),
      sslMode: p.sslMode,
      preparedStatements: p.prepare,
      keepAliveSec: p.keepAliveSec ?? 'driver default',
      pipelining: p.pipeline,
      ...(this.target.poolerHint ? { pooler: this.target.poolerHint } : {}),
    };
  }

  /**
   * Read in a transaction that is rolled back, so the tool's own reads never add to xact_commit,
   * the counter the client's ok count is checked against.
   */
  getPerformanceMetrics(): Promise<PerformanceMetrics> {
    return pgPerformanceMetrics(async (sql) => {
      const transaction = await this.connected.begin(true);
      try {
        return await transaction.query(sql);
      } finally {
        await transaction.rollback();
      }
    }, this.target);
  }

  prepareQuery(sql: string, params: Params): Executable {
    return this.connected.prepareQuery(sql, params);
  }

  /** A connection of its own, opened now, for connect-time tests. */
  async connectOnce(): Promise<OneShotConnection> {
    const driver = openPgDriver(this.policy.driver, this.driverSettings(1));
    try {
      // postgres.js connects lazily: its connect time includes one round trip.
      await driver.open();
      return { query: (sql, params = []) => driver.execute(sql, params), close: () => driver.close() };
    } catch (err) {
      await driver.close().catch(() => {});
      throw explainConnectError(err, this.target, this.policy.sslMode);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return await this.connected.execute(sql, params);
    } catch (err) {
      throw explainConnectError(err, this.target, this.policy.sslMode);
    }
  }
}

/** The plain kind: each driver with its own defaults (node-postgres unless `driver: postgres`). */
export class PostgresqlProvider extends PostgresFamilyProvider {
  readonly providerName: string = 'postgresql';
  protected kindPolicy(): PgKindPolicy {
    const driver = this.options.driver ?? 'pg';
    return {
      driver,
      // node-postgres sends unnamed statements unless asked; postgres.js names and caches them.
      prepare: this.options.prepare ?? driver === 'postgres',
      sslMode: this.target.sslMode ?? 'disable',
      keepAliveSec: this.options.keepAliveSec,
      fetchTypes: true,
      pipeline: this.pipeline(driver, false),
    };
  }
}

registerProvider('postgresql', PostgresqlProvider);
