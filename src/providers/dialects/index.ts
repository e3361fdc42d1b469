import { UserError } from '../../errors.js';
import type { DatabaseProvider, SqlDialect } from '../types.js';
import { postgresqlDialect } from './postgresql.js';
import { sqliteDialect } from './sqlite.js';
import { mysqlDialect } from './mysql.js';

export { postgresqlDialect, sqliteDialect, mysqlDialect };

/** The built-in dialects: the keys a scenario may give a per-dialect statement under. */
export const DIALECTS: readonly SqlDialect[] = [postgresqlDialect, mysqlDialect, sqliteDialect];
export const DIALECT_NAMES = DIALECTS.map((d) => d.name);

const FACTS = Object.keys(sqliteDialect);

/**
 * Checks the dialect a new provider declares, once, so the layers above read facts only. A
 * plain-JavaScript kind may name a built-in dialect instead of giving one; the name is replaced by
 * that dialect here. A kind that declares none (the guide's skeleton has no dialect) speaks
 * PostgreSQL, the guide's database.
 */
export function settleDialect(provider: DatabaseProvider): void {
  const declared: unknown = provider.dialect;
  function fail(problem: string): never {
    throw new UserError(
      `provider "${provider.config.name}" (kind ${provider.config.provider}): dialect: ${problem}; ` +
        `declare a SqlDialect (stampede exports postgresqlDialect, mysqlDialect and sqliteDialect) or a built-in dialect's name (${DIALECT_NAMES.join(', ')})`,
    );
  }
  if (declared === undefined || typeof declared === 'string') {
    const name = declared ?? postgresqlDialect.name;
    const named = DIALECTS.find((d) => d.name === name) ?? fail(`"${name}" is not a built-in dialect`);
    Object.defineProperty(provider, 'dialect', { value: named, enumerable: true });
    return;
  }
  if (typeof declared !== 'object' || declared === null) fail('neither a SqlDialect nor a name');
  const missing = FACTS.filter((fact) => !(fact in declared));
  if (missing.length > 0) fail(`missing ${missing.join(', ')}`);
}
