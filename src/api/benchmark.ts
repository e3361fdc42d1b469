import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import type { ProfileConfig } from '../profiles/index.js';
import { databaseCheck, type EngineOptions, type EngineRun, providerConfig, type ProviderLike, runOnEngine } from './engine-run.js';
import { type BenchmarkResult, errorMessages, latencyMs } from './results.js';

/** The benchmark tests, each one operation (data, so any worker thread can rebuild it). */
export const BENCHMARK_TESTS = {
  simple_query: { name: 'simple_query', type: 'query', sql: 'SELECT 1' },
  /** Begin, insert a document, update it, commit: one unit of work on one session. */
  transaction: { name: 'transaction', type: 'transaction', statements: [{ type: 'insert_document' }, { type: 'update_document' }] },
  /** A new connection per iteration: connect and query land in their own histograms. */
  connection: { name: 'connection', type: 'connect_query', sql: 'SELECT 1' },
  concurrent_query: { name: 'concurrent_query', type: 'query', sql: 'SELECT 1' },
} as const satisfies Record<string, OperationConfig>;
export type BenchmarkTestName = keyof typeof BENCHMARK_TESTS;

export interface BenchmarkOptions extends EngineOptions {
  /**
   * Each test runs as this many short blocks (providers alternating when several are compared),
   * so a verdict has independent replicates and machine drift hits every provider alike.
   * Default: up to 10, with at least 2 iterations per VU per block. Paired blocks need 8 or
   * more for a difference to be called at the default alpha (0.01).
   */
  blocks?: number;
}

/** Benchmark tests against several providers in one engine run each, interleaved block by block. */
async function runBenchmark(
  providers: readonly ProviderConfig[],
  test: BenchmarkTestName,
  vus: number,
  iterations: number,
  options: BenchmarkOptions,
): Promise<BenchmarkResult[]> {
  const blocks = options.blocks ?? Math.max(1, Math.min(10, Math.floor(iterations / (2 * vus))));
  const profile: ProfileConfig = { type: 'iterations', vus, iterations };
  const run = await runOnEngine(`benchmark-${test.replace(/_/g, '-')}`, providers, BENCHMARK_TESTS[test], profile, {
    ...options,
    interleave: blocks,
  });
  return benchmarkResults(run, test);
}

function benchmarkResults(run: EngineRun, test: string): BenchmarkResult[] {
  return run.providers.map(({ report, windows }) => {
    const op = report.operations[0]!;
    const result: BenchmarkResult = {
      providerName: report.name,
      providerKind: report.provider,
      testName: test,
      runId: run.runId,
      iterations: op.count,
      ...latencyMs(op.latencyUs),
      successRate: op.count > 0 ? op.ok / op.count : 0,
      errorCount: op.failed,
      errorMessages: errorMessages(op),
      windows,
    };
    const check = databaseCheck(report);
    if (check) result.databaseCheck = check;
    if (op.partsUs) result.parts = Object.fromEntries(Object.entries(op.partsUs).map(([part, l]) => [part, latencyMs(l)]));
    return result;
  });
}

/** Benchmarks of one provider; every method is one run of the engine. */
export class DatabaseBenchmark {
  private readonly config: ProviderConfig;

  constructor(
    provider: ProviderLike,
    private readonly options: BenchmarkOptions = {},
  ) {
    this.config = providerConfig(provider);
  }

  async runSimpleQueryTest({ iterations = 100 } = {}): Promise<BenchmarkResult> {
    return (await runBenchmark([this.config], 'simple_query', 1, iterations, this.options))[0]!;
  }

  async runTransactionTest({ iterations = 50 } = {}): Promise<BenchmarkResult> {
    return (await runBenchmark([this.config], 'transaction', 1, iterations, this.options))[0]!;
  }

  async runConnectionTest({ iterations = 20 } = {}): Promise<BenchmarkResult> {
    return (await runBenchmark([this.config], 'connection', 1, iterations, this.options))[0]!;
  }

  async runConcurrentQueryTest({ concurrentCount = 10, iterationsPerWorker = 10 } = {}): Promise<BenchmarkResult> {
    return (
      await runBenchmark([this.config], 'concurrent_query', concurrentCount, concurrentCount * iterationsPerWorker, this.options)
    )[0]!;
  }
}

export interface SuiteOptions {
  simpleQueryIterations?: number;
  transactionIterations?: number;
  connectionIterations?: number;
  concurrentWorkers?: number;
  concurrentIterations?: number;
}

/** Every benchmark test against every provider; providers alternate in blocks within each test. */
export class BenchmarkSuite {
  private readonly configs: ProviderConfig[];

  constructor(
    providers: readonly ProviderLike[],
    private readonly options: BenchmarkOptions = {},
  ) {
    this.configs = providers.map(providerConfig);
  }

  async runAllTests(o: SuiteOptions = {}): Promise<BenchmarkResult[]> {
    const workers = o.concurrentWorkers ?? 10;
    const tests: Array<[BenchmarkTestName, number, number]> = [
      ['simple_query', 1, o.simpleQueryIterations ?? 100],
      ['transaction', 1, o.transactionIterations ?? 50],
      ['connection', 1, o.connectionIterations ?? 20],
      ['concurrent_query', workers, workers * (o.concurrentIterations ?? 10)],
    ];
    const results: BenchmarkResult[] = [];
    for (const [test, vus, iterations] of tests) results.push(...(await runBenchmark(this.configs, test, vus, iterations, this.options)));
    return results;
  }
}
