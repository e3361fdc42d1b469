import { z } from 'zod';
import { UserError } from '../errors.js';
import { check, problemLine } from '../util/issues.js';
import { requireUniqueNames } from '../util/names.js';
import { registerDsnSecrets } from '../util/secrets.js';
import { type ProviderConfig, providerConfigSchema } from '../providers/config.js';

/** One provider as the library takes it: the scenario file's shape, the name defaulting to its key. */
export type DatabaseProviderConfig = ProviderConfig;

export interface DatabaseManagerConfig {
  /** Used by makeUow() and getProvider() without a name; defaults to the only or first provider. */
  defaultProvider?: string;
  /** Keyed by provider name; a list is accepted too. */
  providers: Record<string, Omit<DatabaseProviderConfig, 'name'> & { name?: string }> | DatabaseProviderConfig[];
}

export interface ValidatedManagerConfig {
  defaultProvider: string;
  providers: DatabaseProviderConfig[];
}

const managerSchema = z.strictObject({
  defaultProvider: z.string().optional(),
  providers: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});

/** Validates with the scenario file's schema; every error names the provider and the field. */
export function validateManagerConfig(input: unknown): ValidatedManagerConfig {
  const top = check(managerSchema, input);
  if (!top.success) throw new UserError(problemLine('database config', top.problem));
  const entries: Array<[string, unknown]> = Array.isArray(top.data.providers)
    ? top.data.providers.map((p, i) => [
        typeof (p as { name?: unknown })?.name === 'string' ? (p as { name: string }).name : `providers[${i}]`,
        p,
      ])
    : Object.entries(top.data.providers).map(([key, p]) => [key, p && typeof p === 'object' ? { name: key, ...p } : p]);
  if (entries.length === 0) throw new UserError('database config: providers: must list at least one provider');

  const providers = entries.map(([label, raw]) => {
    const parsed = check(providerConfigSchema, raw);
    if (!parsed.success) throw new UserError(problemLine(`provider "${label}"`, parsed.problem));
    if (!Array.isArray(top.data.providers) && parsed.data.name !== label) {
      throw new UserError(`provider "${label}": name: "${parsed.data.name}" differs from its key`);
    }
    registerDsnSecrets(parsed.data.dsn);
    return parsed.data;
  });
  const names = providers.map((p) => p.name);
  requireUniqueNames(names, 'providers', (name) => `provider "${name}": name`);
  const defaultProvider = top.data.defaultProvider ?? names[0]!;
  if (!names.includes(defaultProvider)) {
    throw new UserError(`database config: defaultProvider: "${defaultProvider}" is not one of ${names.join(', ')}`);
  }
  return { defaultProvider, providers };
}
