import { type PgKindPolicy, PostgresFamilyProvider } from './postgresql.js';
import { registerProvider } from './registry.js';

/**
 * The pooler-safe, low-overhead PostgreSQL: unnamed statements only (so PgBouncer in transaction
 * mode and Supavisor work), TCP keepalive on, no type-fetch round trip at connect, and
 * postgres.js by default because it pipelines queries on a busy connection.
 */
export class PostgresqlOptimizedProvider extends PostgresFamilyProvider {
  readonly providerName = 'postgresql_optimized';
  protected kindPolicy(): PgKindPolicy {
    if (this.options.prepare) this.fail('options.prepare', 'postgresql_optimized never uses named prepared statements (use kind postgresql)');
    return {
      driver: this.options.driver ?? 'postgres',
      prepare: false,
      sslMode: this.target.sslMode ?? 'disable',
      keepAliveSec: this.options.keepAliveSec ?? 30,
      fetchTypes: false,
    };
  }
}

registerProvider('postgresql_optimized', PostgresqlOptimizedProvider);
