import type { SqlDialect } from '../types.js';

/** better-sqlite3: synchronous, one connection per database handle. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  placeholder: () => '?',
  insertedId: { returning: true },
  synchronous: true,
  oneConnectionPerHandle: true,
  types: { autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT', key: 'TEXT', text: 'TEXT', json: 'TEXT', timestamp: 'TEXT' },
  insertIgnoring: { verb: 'INSERT', clause: 'ON CONFLICT DO NOTHING' },
  // The session's BEGIN IMMEDIATE has already taken the file's write lock; busy_timeout bounds the wait.
  lockRegistry: () => Promise.resolve(endsWithTransaction),
};

async function endsWithTransaction(): Promise<void> {}
