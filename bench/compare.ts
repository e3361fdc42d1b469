import { BenchmarkSuite } from '../src/api/benchmark.js';
import { benchRepeats, benchSeconds, median, printFigure, section } from './lib.js';

/** The suite is counted in iterations: this many per BENCH_SECONDS (about as long on SQLite :memory:). */
const ITERATIONS = Math.round(400 * benchSeconds(5));
const REPEATS = benchRepeats(3);

const providers = [
  { name: 'a', provider: 'sqlite_memory' },
  { name: 'b', provider: 'sqlite_memory' },
];

/** Wall time of the benchmark suite's simple-query test on two providers, in ms. */
async function suiteMs(blocks: number): Promise<number> {
  const t0 = performance.now();
  await new BenchmarkSuite(providers, { workers: 1, blocks }).runAllTests({
    simpleQueryIterations: ITERATIONS,
    transactionIterations: blocks,
    connectionIterations: blocks,
    concurrentWorkers: 1,
    concurrentIterations: blocks,
  });
  return performance.now() - t0;
}

/**
 * What interleaving costs: each block is one more start of the providers' workers (connect,
 * ready barrier, common start). Measured against the same suite run as one block per provider.
 */
export async function bench(): Promise<void> {
  section(`interleaving: benchmark suite on two providers, 10 blocks vs 1 block (medians of ${REPEATS})`);
  const one: number[] = [];
  const ten: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    one.push(await suiteMs(1));
    ten.push(await suiteMs(10));
  }
  printFigure({ name: 'suite wall time, 10 blocks', value: median(ten), unit: 'ms', baseline: { name: '1 block', value: median(one) } });
  printFigure({ name: 'cost per extra block and provider', value: (median(ten) - median(one)) / (9 * 4 * providers.length), unit: 'ms' });
}
