import { isIP } from 'node:net';
import type { ProviderConfig } from './config.js';
import { UserError, errorMessage } from '../errors.js';
import { readUserFile } from '../util/files.js';

/** MySQL's own names for its client's `--ssl-mode`. */
export type MysqlSslMode = 'DISABLED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY';
const SSL_MODES: readonly string[] = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'];
/** sslConfig.mode is shared with the PostgreSQL kinds, in libpq's words: each has its MySQL twin. */
const FROM_LIBPQ: Record<string, MysqlSslMode> = {
  disable: 'DISABLED',
  require: 'REQUIRED',
  'verify-ca': 'VERIFY_CA',
  'verify-full': 'VERIFY_IDENTITY',
};

/** Where a MySQL-family provider connects, parsed once from its DSN and sslConfig. */
export interface MysqlTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  sslMode: MysqlSslMode;
  sslCa?: string;
  sslCert?: string;
  sslKey?: string;
}

/** What mysql2 takes as `ssl` (tls.connect's options, plus its own `verifyIdentity`). */
export interface MysqlTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  verifyIdentity: boolean;
}

/**
 * Parses `mysql://user:pass@host:3306/db?ssl-mode=VERIFY_CA&ssl-ca=ca.pem` (or `mariadb://`);
 * every problem is one line naming the provider and field.
 */
export function mysqlTarget(config: ProviderConfig): MysqlTarget {
  const fail = (field: string, message: string): never => {
    throw new UserError(`provider "${config.name}": ${field}: ${message}`);
  };
  if (!config.dsn) return fail('dsn', 'is required for provider kind ' + config.provider);
  if (!/^(mysql|mariadb):\/\//i.test(config.dsn)) return fail('dsn', 'must start with mysql:// or mariadb://');
  let url: URL;
  try {
    url = new URL(config.dsn);
  } catch {
    const port = /@[^/:?]*:([^/?]*)/.exec(config.dsn)?.[1];
    return fail('dsn', port !== undefined && !/^\d+$/.test(port) ? `port "${port}" is not a number` : 'is not a valid URL');
  }
  const query = Object.fromEntries([...url.searchParams].map(([k, v]) => [k.toLowerCase().replace(/_/g, '-'), v]));
  const unknown = Object.keys(query).find((k) => !['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key'].includes(k));
  if (unknown) fail('dsn', `parameter "${unknown}" is not known (known: ssl-mode, ssl-ca, ssl-cert, ssl-key)`);
  const libpq = config.sslConfig?.mode;
  const mode = libpq ? FROM_LIBPQ[libpq] : query['ssl-mode']?.toUpperCase();
  if (mode !== undefined && !SSL_MODES.includes(mode)) fail('dsn', `ssl-mode "${query['ssl-mode']}" is not one of ${SSL_MODES.join(', ')}`);
  // A driver would fill a missing host or database in silently: a load test and its teardown must
  // hit only the database the user named.
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
  if (!host) fail('dsn', 'names no host (write mysql://user@host:3306/database)');
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!database) fail('dsn', 'names no database (write mysql://user@host:3306/database)');
  return {
    host,
    port: Number(url.port || 3306),
    database,
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    // PREFERRED falls back to plain text when the server has no TLS; mysql2 cannot, so it is plain text.
    sslMode: mode === undefined || mode === 'PREFERRED' ? 'DISABLED' : (mode as MysqlSslMode),
    sslCa: config.sslConfig?.rootCert ?? query['ssl-ca'],
    sslCert: config.sslConfig?.cert ?? query['ssl-cert'],
    sslKey: config.sslConfig?.key ?? query['ssl-key'],
  };
}

/** mysql2's TLS settings in the MySQL client's meaning of each ssl-mode. */
export function mysqlTls(target: MysqlTarget, providerName: string): MysqlTls | undefined {
  if (target.sslMode === 'DISABLED') return undefined;
  const read = (field: string, path: string | undefined): Buffer | undefined =>
    path ? readUserFile(path, `provider "${providerName}": ${field}`, path) : undefined;
  const verify = target.sslMode !== 'REQUIRED';
  // mysql2 3.24 checks a certificate's names against a host name only: an IP address passes
  // unchecked (tested), so VERIFY_IDENTITY there would promise what it does not do.
  if (target.sslMode === 'VERIFY_IDENTITY' && isIP(target.host))
    throw new UserError(
      `provider "${providerName}": dsn: ssl-mode VERIFY_IDENTITY needs a host name, not the address ${target.host} (mysql2 does not check a certificate's IP addresses); use the name the certificate carries, or VERIFY_CA`,
    );
  return {
    ca: read('ssl-ca', target.sslCa),
    cert: read('ssl-cert', target.sslCert),
    key: read('ssl-key', target.sslKey),
    rejectUnauthorized: verify,
    verifyIdentity: target.sslMode === 'VERIFY_IDENTITY',
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER|DEPTH_ZERO|HANDSHAKE_NO_SSL/;

/** A certificate failure says which ssl-mode and CA file were in force, so the user knows what to fix. */
export function explainMysqlConnectError(err: unknown, target: MysqlTarget): unknown {
  const code = (err as { code?: string }).code ?? '';
  const message = errorMessage(err);
  if (!TLS_CODES.test(code) && !/certificate/i.test(message)) return err;
  const ca = target.sslCa ? `CA file ${target.sslCa}` : 'no CA file (system roots)';
  return Object.assign(new Error(`TLS failed (ssl-mode ${target.sslMode}, ${ca}): ${message || code}`, { cause: err }), { code });
}
