import type { SqlDialect } from '../types.js';

/** Any fixed key: every run on a database takes the same advisory lock for setup and teardown. */
const REGISTRY_LOCK_KEY = 0x5354414d50; // "STAMP"

/** Every PostgreSQL kind, over either driver. */
export const postgresqlDialect: SqlDialect = {
  name: 'postgresql',
  placeholder: (n) => `$${n}`,
  insertedId: { returning: true },
  synchronous: false,
  oneConnectionPerHandle: false,
  types: { autoId: 'bigserial PRIMARY KEY', key: 'text', text: 'text', json: 'jsonb', timestamp: 'timestamptz' },
  insertIgnoring: { verb: 'INSERT', clause: 'ON CONFLICT DO NOTHING' },
  // Taken before any CREATE: two sessions creating one table at once can fail on pg_type's unique index.
  async lockRegistry(session, waitMs) {
    await session.query(`SET LOCAL lock_timeout = ${Math.round(waitMs)}`);
    await session.query(`SELECT pg_advisory_xact_lock(${REGISTRY_LOCK_KEY})`);
    return endsWithTransaction;
  },
};

async function endsWithTransaction(): Promise<void> {}
