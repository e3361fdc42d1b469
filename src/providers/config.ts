import { z } from 'zod';
import { name, noNul, NUL } from '../util/fields.js';

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

export const providerConfigSchema = z.strictObject({
  name,
  provider: z.string().min(1, 'must name a provider kind'),
  // The messages never quote the DSN: it may hold a password.
  dsn: z.string().refine(noNul, NUL).refine(escapesDecode, 'has a malformed %-escape (write a literal % as %25)').optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  sslConfig: sslConfigSchema.optional(),
  description: z.string().optional(),
  module: z.string().optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
