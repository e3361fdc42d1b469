import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProvider } from '../../src/providers/index.js';
import { dsnFor } from '../helpers/pg.js';
import { aVu } from '../helpers/vu.js';

/** Runs a compiled statement on one connection, then asks that connection which statements it has prepared by name. */
async function preparedOnConnection(options: Record<string, unknown>): Promise<number> {
  const p = createProvider({ name: 'prepared', provider: 'postgresql', dsn: dsnFor('postgres'), options: { poolSize: 1, ...options } });
  await p.initialize();
  try {
    const marker = `prepared_probe_${process.pid}_${Date.now()}`;
    const query = p.prepareQuery(`SELECT 1 AS ${marker}`, []);
    for (let i = 0; i < 3; i++) await query(aVu());
    const [row] = await p.execute(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'`, [marker]);
    return row!.n as number;
  } finally {
    await p.close();
  }
}

for (const driver of ['pg', 'postgres']) {
  test(
    `${driver}: prepare: true names the hot path's statement on the server; prepare: false never does`,
    { timeout: 30_000 },
    async () => {
      assert.equal(await preparedOnConnection({ driver, prepare: true }), 1);
      assert.equal(await preparedOnConnection({ driver, prepare: false }), 0);
    },
  );
}
