import type { SqlDialect } from '../types.js';

/** Any fixed name: every run on a server takes the same named lock for setup and teardown. */
const REGISTRY_LOCK = 'stampede_registry';

/** MySQL and MariaDB, over mysql2 (both its protocols). */
export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  placeholder: () => '?',
  // MySQL has no RETURNING on INSERT (MariaDB's 10.5+ one is not MySQL's): the id is the session's.
  insertedId: { query: 'SELECT LAST_INSERT_ID() AS id' },
  synchronous: false,
  oneConnectionPerHandle: false,
  types: {
    autoId: 'BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY',
    // An index or a primary key on TEXT needs a prefix length; a VARCHAR does not.
    key: 'VARCHAR(255)',
    text: 'MEDIUMTEXT',
    json: 'JSON',
    timestamp: 'TIMESTAMP',
  },
  // MariaDB has CREATE INDEX IF NOT EXISTS, MySQL 8 does not: inside CREATE TABLE, both accept it.
  indexInTable: true,
  insertIgnoring: { verb: 'INSERT IGNORE', clause: '' },
  // DDL commits the transaction it runs in, so the lock must outlive it: GET_LOCK belongs to the
  // session (the connection) and is released explicitly, once the transaction has ended.
  async lockRegistry(session, waitMs) {
    const [row] = await session.query(`SELECT GET_LOCK('${REGISTRY_LOCK}', ${Math.max(1, Math.ceil(waitMs / 1000))}) AS taken`);
    if (Number(row?.taken) !== 1) throw new Error(`the tool's registry lock (${REGISTRY_LOCK}) was held by another run for ${waitMs} ms`);
    return async () => {
      await session.query(`SELECT RELEASE_LOCK('${REGISTRY_LOCK}')`);
    };
  },
};
