import { basename, extname, join } from 'node:path';
import { BenchmarkSuite } from '../api/benchmark.js';
import { PerformanceComparator } from '../api/comparator.js';
import type { BenchmarkResult } from '../api/results.js';
import { benchConfigSchema } from '../config/bench.js';
import { parseConfig } from '../config/load.js';
import { readUserFile } from '../util/files.js';
import { requireUniqueNames } from '../util/names.js';
import { registerDsnSecrets } from '../util/secrets.js';
import { createLogger } from '../log.js';
import { formatTable, msFigure } from '../views/table.js';
import { checkOutPath } from './out-path.js';

export interface BenchFlags {
  workers?: number;
  out?: string;
  logLevel: string;
}

/** `stampede bench`: the benchmark suite against every provider of the config, compared. */
export async function benchCommand(file: string, flags: BenchFlags): Promise<number> {
  const config = parseConfig(readUserFile(file, file, 'bench config', 'utf8'), file, benchConfigSchema);
  for (const p of config.providers) registerDsnSecrets(p.dsn);
  requireUniqueNames(
    config.providers.map((p) => p.name),
    'providers',
    (name, i) => `${file}: providers[${i}].name "${name}"`,
  );

  const out = flags.out ?? join('reports', `${basename(file, extname(file))}-bench-${Date.now()}.json`);
  checkOutPath(out);
  const suite = new BenchmarkSuite(config.providers, {
    workers: flags.workers ?? config.options?.workers,
    blocks: config.options?.blocks,
    logger: createLogger({ level: flags.logLevel }),
  });
  const results = await suite.runAllTests(config.suite);
  const report = new PerformanceComparator().addBenchmarkResults(results).generateComparisonReport();
  report.saveToFile(out);
  const lines = [resultTable(results), '', report.summary()];
  if (report.recommendations.length > 0) lines.push('', 'recommendations:', ...report.recommendations.map((r, i) => `${i + 1}. ${r}`));
  process.stdout.write(`${lines.join('\n')}\nreport: ${out}\n`);
  return 0;
}

function resultTable(results: readonly BenchmarkResult[]): string {
  const rows = results.map((r) => [
    r.testName,
    r.providerName,
    String(r.iterations),
    msFigure(r.avgMs),
    msFigure(r.p50Ms),
    msFigure(r.p95Ms),
    msFigure(r.p99Ms),
    msFigure(r.stddevMs),
    String(r.errorCount),
  ]);
  return formatTable(['test', 'provider', 'n', 'avg ms', 'p50 ms', 'p95 ms', 'p99 ms', 'stddev', 'errors'], rows, 2);
}
