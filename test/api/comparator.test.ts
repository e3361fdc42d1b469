import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BenchmarkSuite, ComparisonReport, comparisonReportJsonSchema, LoadTester, PerformanceComparator } from '../../src/index.js';
import { tempDir } from '../helpers/cli.js';
import { useFreshDatabase } from '../helpers/pg.js';

const db = useFreshDatabase();

test('two identical providers on the same database: no significant difference, no winner, no speed recommendation', async () => {
  const a = { name: 'twin_a', provider: 'postgresql', dsn: db.dsn };
  const b = { ...a, name: 'twin_b' };
  const results = await new BenchmarkSuite([a, b], { workers: 1 }).runAllTests({
    simpleQueryIterations: 200,
    transactionIterations: 40,
    connectionIterations: 20,
    concurrentWorkers: 2,
    concurrentIterations: 50,
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
  const fast = new LoadTester({ name: 'fast', provider: 'postgresql', dsn: db.dsn }, { workers: 1 });
  const slow = new LoadTester({ name: 'slowed', provider: 'postgresql', dsn: db.dsn }, { workers: 1 });
  const comparator = new PerformanceComparator();
  comparator.addLoadTestResults([
    await fast.runConstantLoadTest({ testName: 'constant_load', durationSeconds: 2, concurrentUsers: 2 }),
    await slow.runConstantLoadTest({
      testName: 'constant_load',
      durationSeconds: 2,
      concurrentUsers: 2,
      operation: slow.createQueryOperation('SELECT pg_sleep(0.002)'),
    }),
  ]);
  const report = comparator.generateComparisonReport();
  const p95 = report.comparisons.find((c) => c.metric === 'p95')!;
  assert.equal(p95.winner, 'fast');
  const d = p95.differences[0]!;
  assert.equal(d.provider, 'slowed');
  assert.equal(d.significant, true, d.verdict);
  assert.ok(d.low! > 1 && d.high! >= d.ratio && d.ratio >= d.low!, JSON.stringify(d));
  assert.match(d.verdict, /^slowed is [\d.]+× slower than fast \(95 % CI [\d.]+–[\d.]+×, p=/);
  const cited = report.recommendations.find((r) => r.startsWith('fast has'));
  assert.ok(cited, report.recommendations.join('\n'));
  assert.match(cited, /lower p95 latency than slowed in constant_load at 2 users \([\d.]+ ms vs [\d.]+ ms, 95 % CI [\d.]+–[\d.]+×\)/);

  const lines: string[] = [];
  report.printSummary({ write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream);
  assert.match(lines.join(''), /constant_load \(2 users\): p95 latency, ms, lower is better\nprovider +p95 ms +vs best +95 % CI +p +verdict/);
  assert.match(lines.join(''), /slowed .*× +[\d.]+–[\d.]+× .* slower\n/);

  const file = join(tempDir(), 'comparison.json');
  report.saveToFile(file);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const validate = new Ajv2020({ strict: false }).compile(comparisonReportJsonSchema());
  assert.ok(validate(saved), JSON.stringify(validate.errors));
  const reloaded = ComparisonReport.loadFromFile(file);
  assert.deepEqual(reloaded.toJSON(), JSON.parse(JSON.stringify(report.toJSON())));
  assert.equal(reloaded.summary(), report.summary());
  // A report missing a field does not validate.
  const broken = { ...(saved as Record<string, unknown>), comparisons: undefined };
  assert.equal(validate(broken), false);
});
