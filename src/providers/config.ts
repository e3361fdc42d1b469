import { z } from 'zod';
import { name, noNul, NUL } from '../util/fields.js';
import { canonicalDsn, canonicalOptions, canonicalSsl, guideSslSchema } from './guide-names.js';

export const sslConfigSchema = z.strictObject({
  mode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
  rootCert: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
});

/**
 * A URL's parts are percent-decoded by the drivers, which throw a bare "URI malformed" on a bad
 * escape. A `sqlite:` DSN is a file path, never decoded. The query string is decoded leniently.
 */
function escapesDecode(dsn: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(dsn) || /^sqlite:/i.test(dsn)) return true;
  try {
    decodeURIComponent(dsn.split(/[?#]/, 1)[0]!);
    return true;
  } catch {
    return false;
  }
}

export const providerConfigSchema = z
  .strictObject({
    name,
    provider: z.string().min(1, 'must name a provider kind'),
    // The messages never quote the DSN: it may hold a password.
    dsn: z.string().refine(noNul, NUL).refine(escapesDecode, 'has a malformed %-escape (write a literal % as %25)').optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    sslConfig: sslConfigSchema.optional(),
    /** The guide's name for sslConfig (src/providers/guide-names.ts). */
    ssl_config: guideSslSchema.optional(),
    description: z.string().optional(),
    module: z.string().optional(),
  })
  .transform(({ ssl_config: guideSsl, ...config }) => {
    const out = { ...config };
    const dsn = canonicalDsn(config.dsn, config.name);
    if (dsn !== undefined) out.dsn = dsn;
    const options = canonicalOptions(config.options, config.name);
    if (options !== undefined) out.options = options;
    if (guideSsl) out.sslConfig = { ...canonicalSsl(guideSsl, config.name), ...config.sslConfig };
    return out;
  });
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
