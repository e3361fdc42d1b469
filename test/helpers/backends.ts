import assert from 'node:assert/strict';
import pg from 'pg';
import { dsnFor } from './pg.js';

/** The stampede backends on `database`, sampled every 20 ms while `work` runs. */
export async function sampleBackends<T>(
  database: string,
  work: () => Promise<T>,
): Promise<{ result: T; samples: Array<{ atMs: number; pids: number[] }> }> {
  const client = new pg.Client({ connectionString: dsnFor('postgres') });
  await client.connect();
  const samples: Array<{ atMs: number; pids: number[] }> = [];
  let done = false;
  const sampling = (async () => {
    while (!done) {
      const { rows } = await client.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'stampede' ORDER BY pid",
        [database],
      );
      samples.push({ atMs: performance.now(), pids: rows.map((r) => r.pid) });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    return { result: await work(), samples };
  } finally {
    done = true;
    await sampling;
    await client.end();
  }
}

/**
 * Connections were set up once: every backend ever seen was open at one moment together, and
 * that full set stayed open for at least the test's planned length.
 */
export function assertOneConnectionSetup(samples: ReadonlyArray<{ atMs: number; pids: number[] }>, plannedMs: number, label: string): void {
  const seen = new Set(samples.flatMap((s) => s.pids));
  const peak = Math.max(...samples.map((s) => s.pids.length));
  assert.equal(seen.size, peak, `${label}: ${seen.size} backends over the test, at most ${peak} at once: a connection was replaced`);
  const full = samples.filter((s) => s.pids.length === peak);
  assert.ok(full.at(-1)!.atMs - full[0]!.atMs >= plannedMs, `${label}: the connections stayed open through every phase`);
  assert.ok(
    samples.slice(samples.indexOf(full[0]!), samples.indexOf(full.at(-1)!) + 1).every((s) => s.pids.length === peak),
    `${label}: no connection closed between phases`,
  );
}
