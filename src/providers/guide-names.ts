import { z } from 'zod';
import { note } from '../util/notes.js';

/**
 * The database guide's option names (SQLAlchemy and asyncpg's), accepted beside Stampede's own:
 * each one used is read as Stampede's and noted once, with the canonical name (README: "The
 * guide's names").
 */

/** `ssl_config` as the guide writes it (libpq's names). */
export const guideSslSchema = z.strictObject({
  sslmode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
  sslrootcert: z.string().optional(),
  sslcert: z.string().optional(),
  sslkey: z.string().optional(),
});

const SSL = { sslmode: 'mode', sslrootcert: 'rootCert', sslcert: 'cert', sslkey: 'key' } as const;

/** SQLAlchemy's `postgresql+<driver>://`: the driver part means nothing here (the kind's `driver` option chooses). */
const SQLALCHEMY_SCHEME = /^(postgres(?:ql)?)\+[A-Za-z0-9_]+:\/\//;
/** Seconds of idle before the first keepalive probe when the guide just turns keepalive on. */
const KEEPALIVE_SEC = 30;

export function canonicalDsn(dsn: string | undefined, provider: string): string | undefined {
  const m = dsn && SQLALCHEMY_SCHEME.exec(dsn);
  if (!dsn || !m) return dsn;
  note(`provider "${provider}": dsn ${m[0]} is the guide's (SQLAlchemy) form of ${m[1]}://`);
  return `${m[1]}://${dsn.slice(m[0].length)}`;
}

export function canonicalSsl(ssl: z.infer<typeof guideSslSchema>, provider: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [guide, ours] of Object.entries(SSL)) {
    const value = ssl[guide as keyof typeof SSL];
    if (value === undefined) continue;
    note(`provider "${provider}": ssl_config.${guide} is the guide's name for sslConfig.${ours}`);
    out[ours] = value;
  }
  return out;
}

/** `disable_prepares`, `connect_args.tcp_keepalive` and `connect_args.statement_cache_size` as Stampede's options. */
export function canonicalOptions(options: Record<string, unknown> | undefined, provider: string): Record<string, unknown> | undefined {
  if (!options || !('disable_prepares' in options || 'connect_args' in options)) return options;
  const { disable_prepares: disable, connect_args: connectArgs, ...out } = options;
  const say = (guide: string, ours: string): void =>
    note(`provider "${provider}": options.${guide} is the guide's name for options.${ours}`);
  if (typeof disable === 'boolean') {
    say('disable_prepares', 'prepare (its opposite)');
    out.prepare ??= !disable;
  } else if (disable !== undefined) out.disable_prepares = disable;
  if (connectArgs && typeof connectArgs === 'object' && !Array.isArray(connectArgs)) {
    const { tcp_keepalive: keepalive, statement_cache_size: cacheSize, ...rest } = connectArgs as Record<string, unknown>;
    if (typeof keepalive === 'boolean') {
      say('connect_args.tcp_keepalive', `keepAliveSec (true: ${KEEPALIVE_SEC})`);
      if (keepalive) out.keepAliveSec ??= KEEPALIVE_SEC;
    } else if (keepalive !== undefined) rest.tcp_keepalive = keepalive;
    if (typeof cacheSize === 'number') {
      say('connect_args.statement_cache_size', 'prepare (0: false)');
      out.prepare ??= cacheSize > 0;
    } else if (cacheSize !== undefined) rest.statement_cache_size = cacheSize;
    // Anything else in connect_args is left for the kind's own check to name.
    if (Object.keys(rest).length > 0) out.connect_args = rest;
  } else if (connectArgs !== undefined) out.connect_args = connectArgs;
  return out;
}
