import { z } from 'zod';
import { durationOrZeroMsSchema, name } from '../util/fields.js';

export const THRESHOLD_METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'mean', 'max', 'error_rate', 'ops_per_sec', 'failed'] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];
export type Comparator = '<' | '<=' | '>' | '>=';
/** Limits are held in one unit per kind of metric: latency in µs, the error rate as a fraction. */
export type ThresholdUnit = 'us' | 'ratio' | 'ops/s' | 'count';

export interface ThresholdScope {
  provider?: string;
  operation?: string;
  phase?: string;
}

/** A threshold resolved from the scenario: nothing after validation parses its expression again. */
export interface Threshold {
  expression: string;
  scope: ThresholdScope;
  metric: ThresholdMetric;
  comparator: Comparator;
  limit: number;
  unit: ThresholdUnit;
  /** Stop the run as soon as a window breaks it (after `delayAbortEvalMs` from the provider's start). */
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

const LATENCY_US: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000 };

/** The unit a metric's limit is held in. */
export function metricUnit(metric: ThresholdMetric): ThresholdUnit {
  if (metric === 'error_rate') return 'ratio';
  if (metric === 'ops_per_sec') return 'ops/s';
  if (metric === 'failed') return 'count';
  return 'us';
}

const EXPRESSION = /^\s*([a-z0-9_]+)\s*(<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)?)\s*(µs|us|ms|s|%)?\s*$/;

/** `p95 < 50ms` → metric, comparator, limit in the metric's unit; a message saying what is wrong otherwise. */
export function parseThreshold(expression: string): Pick<Threshold, 'metric' | 'comparator' | 'limit' | 'unit'> | string {
  const m = EXPRESSION.exec(expression);
  if (!m) return 'must read "<metric> <comparator> <value>", e.g. "p95 < 50ms", "error_rate < 0.1%", "ops_per_sec > 1000"';
  const [, metricText, comparator, valueText, suffix] = m;
  const metric = THRESHOLD_METRICS.find((x) => x === metricText);
  if (!metric) return `unknown metric "${metricText}"; one of ${THRESHOLD_METRICS.join(', ')}`;
  const value = Number(valueText);
  const unit = metricUnit(metric);
  if (unit === 'us') {
    if (suffix === undefined || suffix === '%') return `${metric} needs a time unit (us, ms or s), e.g. "${metric} < 50ms"`;
    return { metric, comparator: comparator as Comparator, limit: value * LATENCY_US[suffix]!, unit };
  }
  if (unit === 'ratio') {
    if (suffix !== undefined && suffix !== '%') return 'error_rate is a percentage ("0.1%") or a fraction ("0.001")';
    const limit = suffix === '%' ? value / 100 : value;
    if (limit > 1) return 'error_rate is at most 100% (a fraction at most 1)';
    return { metric, comparator: comparator as Comparator, limit, unit };
  }
  if (suffix !== undefined) return `${metric} takes a plain number, without "${suffix}"`;
  return { metric, comparator: comparator as Comparator, limit: value, unit };
}

/**
 * One entry of `thresholds:`. A bare string holds for every provider's whole run; the object form
 * narrows it to a provider, an operation or a phase (not an operation within a phase: the report
 * merges latency per operation and per phase, not per both) and may stop the run when broken.
 */
export const thresholdSchema = z
  .union([
    z.string(),
    z.strictObject({
      threshold: z.string(),
      provider: name.optional(),
      operation: name.optional(),
      phase: z.string().min(1).optional(),
      abortOnFail: z.boolean().optional(),
      /** Windows before this much of a provider's run has passed never abort it (warm-up). */
      delayAbortEval: durationOrZeroMsSchema.optional(),
    }),
  ])
  .transform((entry, ctx): Threshold => {
    const t = typeof entry === 'string' ? { threshold: entry } : entry;
    const parsed = parseThreshold(t.threshold);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', path: typeof entry === 'string' ? [] : ['threshold'], message: `"${t.threshold}": ${parsed}` });
      return z.NEVER;
    }
    if (t.operation !== undefined && t.phase !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['phase'], message: 'give an operation or a phase, not both' });
      return z.NEVER;
    }
    const scope: ThresholdScope = {};
    if (t.provider !== undefined) scope.provider = t.provider;
    if (t.operation !== undefined) scope.operation = t.operation;
    if (t.phase !== undefined) scope.phase = t.phase;
    return {
      expression: t.threshold.trim(),
      ...parsed,
      scope,
      abortOnFail: t.abortOnFail ?? false,
      delayAbortEvalMs: t.delayAbortEval ?? 0,
    };
  });

/** The expression with its scope, as the console, JUnit and Markdown name a threshold. */
export function thresholdLabel(t: Pick<Threshold, 'expression' | 'scope'>): string {
  const scope = (['provider', 'operation', 'phase'] as const).flatMap((k) => (t.scope[k] === undefined ? [] : [`${k}=${t.scope[k]}`]));
  return scope.length > 0 ? `${t.expression} {${scope.join(', ')}}` : t.expression;
}

/** A threshold naming a provider or an operation the scenario lacks would never be measured: said at load time. */
export function checkThresholdScopes(
  thresholds: readonly Threshold[] | undefined,
  providers: readonly string[],
  operations: readonly string[],
  ctx: z.RefinementCtx,
): void {
  thresholds?.forEach((t, i) => {
    // An entry that failed its own checks reaches here unresolved (zod goes on to collect every issue).
    if (typeof t.scope !== 'object') return;
    if (t.scope.provider !== undefined && !providers.includes(t.scope.provider)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', i, 'provider'], message: `no provider named "${t.scope.provider}"` });
    }
    if (t.scope.operation !== undefined && !operations.includes(t.scope.operation)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', i, 'operation'], message: `no operation named "${t.scope.operation}"` });
    }
  });
}
