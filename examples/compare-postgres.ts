/**
 * The guide's complete example: standard vs optimized PostgreSQL — benchmark suite, constant and
 * ramp-up load, comparator, summary, saved report and recommendations.
 *
 *   npm run example                       # against postgres://postgres@127.0.0.1:5432/postgres
 *   STAMPEDE_DSN=postgres://… npm run example
 *   STAMPEDE_EXAMPLE_QUICK=1 npm run example   # seconds instead of minutes
 *
 * The report is saved as reports/database_performance_comparison.json (or STAMPEDE_EXAMPLE_OUT).
 */
import { join } from 'node:path';
import { BenchmarkSuite, type LoadTestResult, LoadTester, PerformanceComparator, type ProviderConfig } from '../src/index.js';

// Configuration: plain data, so every worker thread rebuilds the providers (`stampede providers`
// lists the kinds).
const dsn = process.env.STAMPEDE_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const config = {
  defaultProvider: 'standard',
  providers: {
    standard: { name: 'standard', provider: 'postgresql', dsn },
    optimized: { name: 'optimized', provider: 'postgresql_optimized', dsn },
  } satisfies Record<string, ProviderConfig>,
};

const quick = process.env.STAMPEDE_EXAMPLE_QUICK === '1';
const sizes = quick
  ? {
      suite: {
        simpleQueryIterations: 60,
        transactionIterations: 20,
        connectionIterations: 10,
        concurrentWorkers: 4,
        concurrentIterations: 10,
      },
      constant: { durationSeconds: 1, concurrentUsers: 4 },
      ramp: { maxUsers: 4, rampUpDuration: 1, testDuration: 0.5, steps: 2 },
    }
  : {
      suite: {
        simpleQueryIterations: 200,
        transactionIterations: 100,
        connectionIterations: 50,
        concurrentWorkers: 20,
        concurrentIterations: 20,
      },
      constant: { durationSeconds: 60, concurrentUsers: 15 },
      ramp: { maxUsers: 30, rampUpDuration: 60, testDuration: 30 },
    };
// Under reports/ (ignored by git), never loose in the directory it is run from.
const reportFile = process.env.STAMPEDE_EXAMPLE_OUT ?? join('reports', 'database_performance_comparison.json');

async function main(): Promise<void> {
  const providers = [config.providers.standard, config.providers.optimized];

  console.log('Running benchmark tests...');
  const benchmarkResults = await new BenchmarkSuite(providers).runAllTests(sizes.suite);

  console.log('Running load tests...');
  // Each test runs on the providers one after the other, so both see the machine in a similar state.
  const loadResults: LoadTestResult[] = [];
  const loadTesters = providers.map((provider) => new LoadTester(provider));
  for (const loadTester of loadTesters)
    loadResults.push(await loadTester.runConstantLoadTest({ testName: 'constant_load', ...sizes.constant }));
  for (const loadTester of loadTesters) loadResults.push(...(await loadTester.runRampUpTest({ testName: 'ramp_up', ...sizes.ramp })));

  console.log('Analyzing results...');
  const comparator = new PerformanceComparator();
  comparator.addBenchmarkResults(benchmarkResults);
  comparator.addLoadTestResults(loadResults);
  comparator.printSummary();

  const report = comparator.generateComparisonReport();
  report.saveToFile(reportFile);
  console.log(`\nDetailed report saved to: ${reportFile}`);

  console.log('\nRecommendations:');
  report.recommendations.forEach((rec, i) => console.log(`${i + 1}. ${rec}`));
  if (report.recommendations.length === 0) console.log('(none: no significant difference, no limit reached)');
}

await main();
