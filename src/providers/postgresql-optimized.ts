import { type PgKindPolicy, PostgresFamilyProvider } from './postgresql.js';
import { registerProvider } from './registry.js';

/**
 * The pooler-safe, low-overhead PostgreSQL: unnamed statements only (so PgBouncer in transaction
 * mode and Supavisor work), TCP keepalive on, no type-fetch round trip at connect, and
 * postgres.js by default with every VU's queries pipelined on one connection per worker: one
 * Node thread then gets near pgbench's rate, where one connection per VU spends its CPU on
 * socket round trips. `pipeline: false` gives one connection per VU instead.
 */
export class PostgresqlOptimizedProvider extends PostgresFamilyProvider {
  readonly providerName = 'postgresql_optimized';
  protected kindPolicy(): PgKindPolicy {
    if (this.options.prepare)
      this.fail('options.prepare', 'postgresql_optimized never uses named prepared statements (use kind postgresql)');
    const driver = this.options.driver ?? 'postgres';
    return {
      driver,
      prepare: false,
      sslMode: this.target.sslMode ?? 'disable',
      keepAliveSec: this.options.keepAliveSec ?? 30,
      fetchTypes: false,
      pipeline: this.pipeline(driver, true),
    };
  }
}

registerProvider('postgresql_optimized', PostgresqlOptimizedProvider);
