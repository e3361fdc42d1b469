import { runEnvironment } from '../report/build.js';
import type { VerdictOptions } from '../stats/verdict.js';
import { compareResults } from './comparison.js';
import { ComparisonReport } from './comparison-report.js';
import { recommend } from './recommendations.js';
import type { BenchmarkResult, LoadTestResult } from './results.js';

export type ComparatorOptions = VerdictOptions;

/** Collects results of several providers and turns them into one comparison report. */
export class PerformanceComparator {
  private readonly benchmarks: BenchmarkResult[] = [];
  private readonly loads: LoadTestResult[] = [];

  constructor(private readonly options: ComparatorOptions = {}) {}

  addBenchmarkResults(results: readonly BenchmarkResult[]): this {
    this.benchmarks.push(...results);
    return this;
  }

  addLoadTestResults(results: readonly LoadTestResult[]): this {
    this.loads.push(...results);
    return this;
  }

  generateComparisonReport(): ComparisonReport {
    const comparisons = compareResults(this.benchmarks, this.loads, this.options);
    const providers = [...new Set([...this.benchmarks, ...this.loads].map((r) => r.providerName))];
    return new ComparisonReport({
      generatedAt: new Date().toISOString(),
      providers,
      benchmarkResults: [...this.benchmarks],
      loadTestResults: [...this.loads],
      comparisons,
      recommendations: recommend(comparisons, this.benchmarks, this.loads),
      environment: runEnvironment(),
    });
  }

  printSummary(out: NodeJS.WritableStream = process.stdout): void {
    this.generateComparisonReport().printSummary(out);
  }
}
