// Importing this module registers every built-in provider kind.
import './sqlite.js';
import './postgresql.js';
import './postgresql-optimized.js';
import './supabase.js';
import './mysql.js';

export { createProvider, registerProvider, registeredKinds, loadProviderModule, shippedProvider } from './registry.js';
export { postgresqlDialect, mysqlDialect, sqliteDialect } from './dialects/index.js';
export type * from './types.js';
