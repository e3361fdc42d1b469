// The library entry: a plain list of what the package exports.
export { EnhancedContainer } from './container/enhanced.js';
export { LegacyContainer } from './container/legacy.js';
export { AbstractUnitOfWork, SqlUnitOfWork } from './uow/unit-of-work.js';
export { validateManagerConfig } from './config/manager.js';
export type { DatabaseManagerConfig, DatabaseProviderConfig, ValidatedManagerConfig } from './config/manager.js';
export { createProvider, registerProvider, registeredKinds, loadProviderModule } from './providers/index.js';
export type * from './providers/types.js';
export { PostgresFamilyProvider, type PgKindPolicy } from './providers/postgresql.js';
export { UserError, RunFailure } from './errors.js';
