import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { SECRET } from '../helpers/pg.js';

/** A one-query scenario for one provider; `extra` adds indented provider fields. */
export function scenario(provider: string, dsn: string, extra = ''): string {
  return writeScenario(`providers:
  - name: target
    provider: ${provider}
    dsn: "${dsn}"
${extra}workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 1, iterations: 1 }
`);
}

/** Bad input: exit 2, exactly one line naming the problem, no secret, no report written. */
export async function assertBadInput(file: string, pattern: RegExp): Promise<void> {
  const out = join(tempDir(), 'report.json');
  const r = await runCli(['run', file, '--out', out, '--no-live']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  assert.ok(!r.stderr.includes(SECRET) && !r.stdout.includes(SECRET));
  assert.throws(() => readFileSync(out), 'no report for bad input');
}
