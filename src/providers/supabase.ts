import { type PgKindPolicy, PostgresFamilyProvider } from './postgresql.js';
import { registerProvider } from './registry.js';

/**
 * Supabase (or any managed PostgreSQL reached over the internet): TLS is required, `require` by
 * default and `verify-ca` / `verify-full` with `sslConfig.rootCert`; prepared statements are off
 * when the DSN points at a transaction pooler (port 6543 or `pgbouncer=true`), where a named
 * statement prepared on one server connection is missing on the next.
 */
export class SupabaseProvider extends PostgresFamilyProvider {
  readonly providerName = 'supabase';
  protected kindPolicy(): PgKindPolicy {
    const sslMode = this.target.sslMode ?? 'require';
    if (sslMode === 'disable') this.fail('sslmode', 'supabase requires TLS: use require, verify-ca or verify-full');
    const driver = this.options.driver ?? 'pg';
    const pooler = this.target.poolerHint;
    if (pooler && this.options.prepare) this.fail('options.prepare', `prepared statements break through a transaction pooler (${pooler})`);
    return {
      driver,
      prepare: pooler ? false : (this.options.prepare ?? driver === 'postgres'),
      sslMode,
      keepAliveSec: this.options.keepAliveSec ?? 30,
      fetchTypes: true,
      pipeline: this.pipeline(driver, false),
    };
  }
}

registerProvider('supabase', SupabaseProvider);
