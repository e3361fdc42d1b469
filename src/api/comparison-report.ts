import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import { readUserFile } from '../util/files.js';
import { check, problemLine } from '../util/issues.js';
import { formatTable, msFigure } from '../views/table.js';
import { writeJsonAtomic } from '../report/write.js';
import { type Comparison, comparisonSchema, METRICS, pValue, times } from '../report/comparison.js';
import { benchmarkResultSchema, loadTestResultSchema } from './results.js';

export const COMPARISON_SCHEMA_VERSION = 1;

export const comparisonReportSchema = z.object({
  schemaVersion: z.literal(COMPARISON_SCHEMA_VERSION),
  kind: z.literal('stampede-comparison'),
  generatedAt: z.string(),
  providers: z.array(z.string()),
  benchmarkResults: z.array(benchmarkResultSchema),
  loadTestResults: z.array(loadTestResultSchema),
  comparisons: z.array(comparisonSchema),
  recommendations: z.array(z.string()),
  environment: z.object({ node: z.string(), platform: z.string(), arch: z.string(), cpus: z.number().int(), hostname: z.string() }),
});
export type ComparisonReportData = z.infer<typeof comparisonReportSchema>;

/** The JSON Schema of a saved comparison report, generated from the schema it is validated with. */
export function comparisonReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(comparisonReportSchema);
}

/** The comparison of several providers: results, verdicts and recommendations in one document. */
export class ComparisonReport implements ComparisonReportData {
  readonly schemaVersion = COMPARISON_SCHEMA_VERSION;
  readonly kind = 'stampede-comparison';
  readonly generatedAt: string;
  readonly providers: string[];
  readonly benchmarkResults: ComparisonReportData['benchmarkResults'];
  readonly loadTestResults: ComparisonReportData['loadTestResults'];
  readonly comparisons: Comparison[];
  readonly recommendations: string[];
  readonly environment: ComparisonReportData['environment'];

  constructor(data: Omit<ComparisonReportData, 'schemaVersion' | 'kind'>) {
    this.generatedAt = data.generatedAt;
    this.providers = data.providers;
    this.benchmarkResults = data.benchmarkResults;
    this.loadTestResults = data.loadTestResults;
    this.comparisons = data.comparisons;
    this.recommendations = data.recommendations;
    this.environment = data.environment;
  }

  /** Reads a saved report back, validating it; a bad file is one line naming the field. */
  static loadFromFile(path: string): ComparisonReport {
    const text = readUserFile(path, path, 'comparison report', 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new UserError(`${path}: not a JSON report: ${errorMessage(err)}`);
    }
    const parsed = check(comparisonReportSchema, json);
    if (!parsed.success) throw new UserError(problemLine(path, parsed.problem));
    return new ComparisonReport(parsed.data);
  }

  toJSON(): ComparisonReportData {
    const { schemaVersion, kind, generatedAt, providers, benchmarkResults, loadTestResults, comparisons, recommendations, environment } =
      this;
    return { schemaVersion, kind, generatedAt, providers, benchmarkResults, loadTestResults, comparisons, recommendations, environment };
  }

  /** Atomic: a reader sees the previous file or the whole new one. */
  saveToFile(path: string): void {
    writeJsonAtomic(path, this.toJSON());
  }

  summary(): string {
    return renderComparisons(this.comparisons);
  }

  printSummary(out: NodeJS.WritableStream = process.stdout): void {
    out.write(`${this.summary()}\n`);
  }
}

/** One aligned table per test and metric: each provider, its ratio to the best with the interval, the verdict. */
export function renderComparisons(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) return 'no comparison: each test needs results from at least two providers';
  return comparisons
    .map((c) => {
      const { label, unit, lowerIsBetter } = METRICS[c.metric];
      const title = `${c.test}${c.users === undefined ? '' : ` (${c.users} users)`}: ${label}, ${unit}, ${lowerIsBetter ? 'lower' : 'higher'} is better`;
      const rows = c.providers.map((p) => {
        const d = c.differences.find((x) => x.provider === p.name);
        const value = unit === 'ms' ? msFigure(p.value) : Math.round(p.value).toLocaleString('en-US');
        if (!d) return [p.name, value, '1.00×', '', '', 'best'];
        const ci = d.low === null || d.high === null ? 'n/a' : `${times(d.low)}–${times(d.high)}×`;
        return [p.name, value, `${times(d.ratio)}×`, ci, pValue(d.p), d.significant ? (lowerIsBetter ? 'slower' : 'lower') : '~'];
      });
      const table = formatTable(
        ['provider', c.metric === 'rps' ? unit : `${c.metric} ${unit}`, 'vs best', '95 % CI', 'p', 'verdict'],
        rows,
        1,
      );
      const independent = c.differences.some((d) => d.design === 'independent')
        ? '\nnote: separate runs, compared window by window: drift between them is not cancelled (interleave for that)'
        : '';
      return `${title}\n${table}\nwinner: ${c.winner ?? 'no significant difference'}${independent}`;
    })
    .join('\n\n');
}
