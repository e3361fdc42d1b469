import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../src/report/types.js';
import { startCli, tempDir, writeScenario } from './helpers/cli.js';

test('Ctrl-C stops gracefully and leaves a valid report marked partial', async () => {
  const dir = tempDir();
  const out = join(dir, 'report.json');
  const file = writeScenario(`providers:
  - name: file
    provider: sqlite
    dsn: ${join(dir, 'db.sqlite')}
workload:
  - type: insert_document
profile: { type: constant-vus, vus: 2, duration: 60s }
`);
  const { child, result } = startCli(['run', file, '--workers', '2', '--out', out, '--keep-data']);
  // Wait for the first progress line: the run is under way.
  await new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => /\[\s+1s\]/.test(String(d)) && resolve()));
  child.kill('SIGINT');
  const r = await result;
  assert.equal(r.code, 130, r.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.equal(report.status, 'partial');
  assert.equal(report.partial, true);
  const p = report.providers[0]!;
  assert.ok(p.durationSec < 30);
  assert.ok(p.total.ok > 0);
  assert.deepEqual(p.verification?.documents, {
    datasetId: `${report.runId}/file`,
    reported: p.total.ok,
    database: p.total.ok,
    match: true,
  });
});
