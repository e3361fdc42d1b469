import type { ConnectionOptions } from 'node:tls';
import type { ProviderConfig } from './config.js';
import { UserError, errorMessage } from '../errors.js';
import { readUserFile } from '../util/files.js';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Where a PostgreSQL-family provider connects, parsed once from its DSN and sslConfig. */
export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Connection parameters the DSN carries besides the ones handled here (application_name, options, …). */
  params: Record<string, string>;
  /** The sslmode the DSN or sslConfig asked for; each kind picks its own default. */
  sslMode?: SslMode;
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  /** Why the DSN looks like a transaction pooler (Supabase's port 6543, `pgbouncer=true`), if it does. */
  poolerHint?: string;
}

/** Parameters this module consumes; the drivers never see them, so neither can override the TLS settings. */
const HANDLED = new Set(['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'pgbouncer', 'ssl']);

/** Parses `postgres://user:pass@host:port/db?…`; every problem is one line naming the provider and field. */
export function pgTarget(config: ProviderConfig): PgTarget {
  const fail = (field: string, message: string): never => {
    throw new UserError(`provider "${config.name}": ${field}: ${message}`);
  };
  if (!config.dsn) return fail('dsn', 'is required for provider kind ' + config.provider);
  if (!/^postgres(ql)?:\/\//i.test(config.dsn)) return fail('dsn', 'must start with postgres:// or postgresql://');
  let url: URL;
  try {
    url = new URL(config.dsn);
  } catch {
    // The URL parser names no part; the port is the usual culprit.
    const port = /@[^/:?]*:([^/?]*)/.exec(config.dsn)?.[1];
    return fail('dsn', port !== undefined && !/^\d+$/.test(port) ? `port "${port}" is not a number` : 'is not a valid URL');
  }
  const query = Object.fromEntries(url.searchParams);
  const mode = config.sslConfig?.mode ?? query.sslmode;
  if (mode !== undefined && !SSL_MODES.includes(mode)) fail('dsn', `sslmode "${mode}" is not one of ${SSL_MODES.join(', ')}`);
  // A driver would fill a missing host or database in silently (localhost, postgres): a load test
  // and its teardown must hit only the database the user named.
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
  if (!host) fail('dsn', 'names no host (write postgres://user@host:5432/database)');
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!database) fail('dsn', 'names no database (write postgres://user@host:5432/database)');
  const port = Number(url.port || 5432);
  let poolerHint: string | undefined;
  if (query.pgbouncer === 'true') poolerHint = 'the DSN says pgbouncer=true';
  else if (port === 6543) poolerHint = 'port 6543 is a transaction pooler (Supabase Supavisor)';
  return {
    host,
    port,
    database,
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    params: Object.fromEntries(Object.entries(query).filter(([k]) => !HANDLED.has(k))),
    // allow/prefer fall back to plain text when the server has no TLS; neither driver does that for us.
    sslMode: (mode === 'allow' || mode === 'prefer' ? 'disable' : mode) as SslMode | undefined,
    sslRootCert: config.sslConfig?.rootCert ?? query.sslrootcert,
    sslCert: config.sslConfig?.cert ?? query.sslcert,
    sslKey: config.sslConfig?.key ?? query.sslkey,
    poolerHint,
  };
}

/** Node TLS options for both drivers, in libpq's meaning of each sslmode. */
export function tlsOptions(target: PgTarget, mode: SslMode, providerName: string): ConnectionOptions | false {
  if (mode === 'disable') return false;
  const read = (field: string, path: string | undefined): Buffer | undefined =>
    path ? readUserFile(path, `provider "${providerName}": ${field}`, path) : undefined;
  const verify = mode !== 'require';
  return {
    rejectUnauthorized: verify,
    ca: read('sslConfig.rootCert', target.sslRootCert),
    cert: read('sslConfig.cert', target.sslCert),
    key: read('sslConfig.key', target.sslKey),
    servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host,
    // verify-ca checks the chain only; verify-full also checks the host name (Node's default).
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER|DEPTH_ZERO/;

/** A certificate failure says which sslmode and CA file were in force, so the user knows what to fix. */
export function explainConnectError(err: unknown, target: PgTarget, mode: SslMode): unknown {
  const code = (err as { code?: string }).code ?? '';
  const message = errorMessage(err);
  if (!TLS_CODES.test(code) && !/certificate/i.test(message)) return err;
  const ca = target.sslRootCert ? `CA file ${target.sslRootCert}` : 'no CA file (system roots)';
  return new Error(`TLS verification failed (sslmode ${mode}, ${ca}): ${message}`, { cause: err });
}
