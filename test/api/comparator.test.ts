import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BenchmarkSuite, ComparisonReport, comparisonReportJsonSchema, PerformanceComparator } from '../../src/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

test('two identical providers on the same database: no significant difference, no winner, no speed recommendation', async () => {
  const a = { name: 'twin_a', provider: 'postgresql', dsn: db.dsn };
  const b = { ...a, name: 'twin_b' };
  // Blocks of 100 queries, not 20: a block of a few milliseconds is one scheduler hiccup away from
  // a mean twice its twin's on a loaded 2-core machine.
  const results = await new BenchmarkSuite([a, b], { workers: 1 }).runAllTests({
    simpleQueryIterations: 1000,
    transactionIterations: 200,
    connectionIterations: 60,
    concurrentWorkers: 2,
    concurrentIterations: 200,
  });
  assert.equal(results.length, 8);
  const report = new PerformanceComparator().addBenchmarkResults(results).generateComparisonReport();
  assert.deepEqual(report.providers, ['twin_a', 'twin_b']);
  assert.equal(report.comparisons.length, 4);
  for (const c of report.comparisons) {
    const d = c.differences[0]!;
    assert.equal(d.significant, false, `${c.test}: ${d.verdict}`);
    assert.match(d.verdict, /^~ no significant difference/);
    assert.equal(c.winner, null);
  }
  assert.ok(!report.recommendations.some((r) => /lower|throughput/.test(r)), report.recommendations.join('\n'));
  assert.match(report.summary(), /winner: no significant difference/);
});

test('a provider slowed by pg_sleep(0.002) is named slower, with an interval excluding 1; the saved report validates and round-trips', async () => {
  const file = join(tempDir(), 'comparison.json');
  const child = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'slowed-comparison.mjs'), db.dsn, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  assert.equal(await new Promise((resolve) => child.on('close', resolve)), 0, stderr);

  const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const validate = new Ajv2020({ strict: false }).compile(comparisonReportJsonSchema());
  assert.ok(validate(saved), JSON.stringify(validate.errors));
  assert.equal(
    validate({ ...(saved as Record<string, unknown>), comparisons: undefined }),
    false,
    'a report missing a field does not validate',
  );
  const report = ComparisonReport.loadFromFile(file);
  assert.deepEqual(report.toJSON(), saved, 'round trip');
  assert.equal(`${report.summary()}\n`, stdout, 'the summary is rendered from the saved data alone');

  // Ten paired blocks of 20 queries each: every block of the slowed provider waited 2 ms more per query.
  const c = report.comparisons.find((x) => x.test === 'simple_query')!;
  assert.equal(c.winner, 'fast', JSON.stringify(c));
  const d = c.differences[0]!;
  assert.equal(d.provider, 'slowed');
  assert.equal(d.significant, true, d.verdict);
  assert.equal(d.replicates.baseline, 10);
  assert.equal(d.design, 'paired');
  assert.ok(d.low! > 1 && d.high! >= d.ratio && d.ratio >= d.low!, JSON.stringify(d));
  assert.match(d.verdict, /^slowed is [\d.]+× slower than fast \(95 % CI [\d.]+–[\d.]+×, p=/);
  const cited = report.recommendations.find((r) => r.startsWith('fast has') && r.includes('simple_query'));
  assert.ok(cited, report.recommendations.join('\n'));
  assert.match(
    cited,
    /^fast has [\d.]+× lower avg latency than slowed in simple_query \([\d.]+ ms vs [\d.]+ ms, 95 % CI [\d.]+–[\d.]+×\)$/,
  );
  assert.match(stdout, /simple_query: avg latency, ms, lower is better\nprovider +avg ms +vs best +95 % CI +p +verdict\n/);
  assert.match(stdout, /\nslowed +[\d.]+ +[\d.]+× +[\d.]+–[\d.]+× +[\d.<]+ +slower\n/);
});
