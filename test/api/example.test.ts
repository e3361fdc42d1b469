import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComparisonReport } from '../../src/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { SECRET, useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

test('the complete example runs end to end with short durations and saves a valid report under reports/', async () => {
  // Run from a directory of its own, as `npm run example` runs from the repository's root.
  const cwd = tempDir();
  const out = join('reports', 'database_performance_comparison.json');
  const env: NodeJS.ProcessEnv = { ...process.env, STAMPEDE_DSN: db.dsn, STAMPEDE_EXAMPLE_QUICK: '1' };
  delete env.STAMPEDE_EXAMPLE_OUT;
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'examples', 'compare-postgres.js')], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  for (const step of ['Running benchmark tests...', 'Running load tests...', 'Analyzing results...', 'Recommendations:'])
    assert.ok(stdout.includes(step), stdout);
  assert.match(stdout, /simple_query: avg latency, ms, lower is better\nprovider +avg ms +vs best/);
  assert.match(stdout, /constant_load \(4 users\): throughput, req\/s, higher is better/);
  assert.match(stdout, /ramp_up hold:4 \(4 users\): p95 latency/);
  assert.ok(stdout.includes(`Detailed report saved to: ${out}`));
  assert.deepEqual(readdirSync(cwd), ['reports'], 'nothing loose where it ran');
  const report = ComparisonReport.loadFromFile(join(cwd, out));
  assert.deepEqual(report.providers, ['standard', 'optimized']);
  assert.equal(report.benchmarkResults.length, 8);
  assert.equal(report.loadTestResults.length, 2 * (1 + 3));
  assert.ok(!stdout.includes(SECRET) && !JSON.stringify(report).includes(SECRET));
});
