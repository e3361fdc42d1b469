// Importing this module registers every built-in provider kind.
import './sqlite.js';
import './postgresql.js';
import './postgresql-optimized.js';
import './supabase.js';

export { createProvider, registerProvider, registeredKinds, loadProviderModule, shippedProvider } from './registry.js';
export { postgresqlDialect, sqliteDialect } from './dialects/index.js';
export type * from './types.js';
