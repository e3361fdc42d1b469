import { z } from 'zod';
import { comparisonSchema } from './comparison.js';
import { thresholdResultSchema } from './threshold-result.js';

/**
 * The report file's format. The zod schemas are the one definition: the types are inferred from
 * them and `readReport` validates a file with them. They are written out here, not borrowed from
 * the engine's or the wire's types, so that the file format changes only on purpose (with this
 * version). Units are in the names: `…Us` microseconds, `…Ms` milliseconds of wall-clock time,
 * `…Sec` seconds; counts and rates have none.
 */
export const REPORT_SCHEMA_VERSION = 2;

const count = z.number().int();

/** Latency in microseconds, read from one merged histogram (never from averaged percentiles). */
const latencySummarySchema = z.object({
  count,
  min: z.number(),
  mean: z.number(),
  max: z.number(),
  stddev: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  p999: z.number(),
});

const percentilesSchema = latencySummarySchema.pick({ p50: true, p95: true, p99: true, max: true });

const lagSchema = latencySummarySchema.pick({ mean: true, p99: true, max: true });

/** Failures by class (SQLSTATE, driver code): how many, and one message with secrets masked. */
const errorsByClassSchema = z.record(z.string(), z.object({ count, sample: z.string() }));

/**
 * Merged histograms, encoded (compressed base64 HDR) in `unit`, so that reports can be merged further
 * (compare): `ns`, or `us` in reports written before nanosecond recording; `summarize(h, unit)` reads either.
 */
const encodedLatencySchema = z.object({
  unit: z.enum(['us', 'ns']),
  latency: z.string(),
  corrected: z.string().optional(),
});

const operationReportSchema = z.object({
  operation: z.string(),
  /** ok + failed. */
  count,
  ok: count,
  failed: count,
  errors: errorsByClassSchema,
  opsPerSec: z.number(),
  /** Service time from the operation's actual start. */
  latencyUs: latencySummarySchema,
  /** Open model: latency from the operation's intended (scheduled) start. */
  correctedLatencyUs: latencySummarySchema.optional(),
  /** Timed parts of the operation (connect, query), each from its own histogram. */
  partsUs: z.record(z.string(), latencySummarySchema).optional(),
  /** Per operation (not the total); absent in reports written before version 2. */
  histograms: encodedLatencySchema.optional(),
});
export type OperationReport = z.infer<typeof operationReportSchema>;

/** Open model: every intended arrival was started or dropped (no free VU). */
const arrivalReportSchema = z.object({
  intended: count,
  started: count,
  dropped: count,
  /** Schedule lag: actual start − intended start, as pgbench -R reports it. */
  lagUs: lagSchema,
});
export type ArrivalReport = z.infer<typeof arrivalReportSchema>;

/** One labelled stretch of the run (a stage, before-spike, spike, recovery) on its own. */
const phaseReportSchema = z.object({
  phase: z.string(),
  /** Planned start and end, from the run's start. */
  startMs: z.number(),
  endMs: z.number(),
  /** The stage's VUs or rate, as planned. */
  target: z.number().optional(),
  /** The most VUs active at once in the phase's windows. */
  peakVUs: count,
  ok: count,
  failed: count,
  /** Absent in a version 1 report, which did not split a phase's failures by class. */
  errors: errorsByClassSchema.optional(),
  /** failed / (ok + failed), 0..1. */
  errorRate: z.number(),
  opsPerSec: z.number(),
  latencyUs: latencySummarySchema,
  correctedLatencyUs: latencySummarySchema.optional(),
  arrivals: arrivalReportSchema.optional(),
});
export type PhaseReport = z.infer<typeof phaseReportSchema>;

/** Spike: from the end of the spike until the windowed p95 is back within 20 % of the pre-spike p95. */
const spikeRecoverySchema = z.object({
  baselineP95Us: z.number(),
  thresholdP95Us: z.number(),
  recovered: z.boolean(),
  /** Resolution: one window. Null when the p95 never came back. */
  recoveryMs: z.number().nullable(),
});
export type SpikeRecovery = z.infer<typeof spikeRecoverySchema>;

const rampStepSchema = z.object({
  phase: z.string(),
  users: count,
  opsPerSec: z.number(),
  p95Us: z.number(),
  errorRate: z.number(),
  withinSlo: z.boolean(),
});
export type RampStep = z.infer<typeof rampStepSchema>;

/** Ramp: the highest step within the SLO, and the step after which throughput stopped growing. */
const rampCapacitySchema = z.object({
  sloP95Us: z.number(),
  steps: z.array(rampStepSchema),
  /** Concurrent-user capacity: the highest step with errors < 1 % and p95 under the SLO. */
  capacity: z.object({ users: count, phase: z.string() }).nullable(),
  knee: z.object({ users: count, phase: z.string(), opsPerSec: z.number() }).nullable(),
});
export type RampCapacity = z.infer<typeof rampCapacitySchema>;

/** How busy the load generator itself was in a window (its busiest worker). */
const generatorHealthSchema = z.object({
  loopDelayP99Us: z.number(),
  /** Event-loop utilization of the thread, 0..1. */
  cpu: z.number(),
  /** The database ran on the generator's own thread (synchronous SQLite, closed model). */
  inline: z.boolean().optional(),
  /** Inline only: how long a VU waited for the thread while other VUs held it. */
  threadWaitP99Us: z.number().optional(),
});

/** One operation in one window: the replicates a comparison draws its verdict from. */
const operationWindowSchema = z.object({
  operation: z.string(),
  ok: count,
  failed: count,
  latencyUs: latencySummarySchema.pick({ mean: true, p95: true, p99: true }),
});
export type OperationWindowReport = z.infer<typeof operationWindowSchema>;

const windowReportSchema = z.object({
  window: count,
  /** From the provider run's start to the window's start. */
  startMs: z.number(),
  /** Interleaved runs: the block (round) the window ran in; block k of every provider ran back to back. */
  block: count.optional(),
  phase: z.string(),
  activeVUs: count,
  ok: count,
  failed: count,
  opsPerSec: z.number(),
  latencyUs: percentilesSchema,
  /** Each operation that ran in the window; absent in reports written before version 2. */
  operations: z.array(operationWindowSchema).optional(),
  /** False when a source's snapshot for this window is missing. */
  complete: z.boolean(),
  /** True when part of a share is not in this window (lost, cut off, stopped, started late): its figures are low. */
  degraded: z.boolean().optional(),
  /** Sources that owed load in this window but whose snapshot never arrived. */
  missing: z.array(z.string()).optional(),
  /** Sources whose snapshot says they ran less of the window than they owed. */
  short: z.array(z.string()).optional(),
  /** Open model: intended = started + dropped. */
  intended: count.optional(),
  started: count.optional(),
  dropped: count.optional(),
  correctedLatencyUs: percentilesSchema.optional(),
  lagUs: lagSchema.optional(),
  generator: generatorHealthSchema.optional(),
  /** The generator, not the database, may have set the pace: read this window's latency with care. */
  saturated: z.boolean(),
});
export type WindowReport = z.infer<typeof windowReportSchema>;

/** One site's share of a provider run: the local workers, or one agent. */
const siteReportSchema = z.object({
  site: z.string(),
  host: z.string().optional(),
  id: z.string().optional(),
  version: z.string().optional(),
  workers: count,
  peakVUs: count,
  ok: count,
  failed: count,
  opsPerSec: z.number(),
  /** The site's own latency, merged from its own workers' histograms. */
  latencyUs: latencySummarySchema,
  /** A remote site's clock minus the coordinator's, and the shortest round trip, as measured over NATS. */
  clockOffsetMs: z.number().optional(),
  rttMs: z.number().optional(),
  /** How far ahead of its start message the common start was set. */
  startLeadMs: z.number().optional(),
  /** Set when the site's load began this long after the common start (beyond the tolerance). */
  lateStartMs: z.number().optional(),
  /** Set when the agent went silent mid-run, this long after the common start. */
  lost: z.object({ atMs: z.number(), reason: z.string() }).optional(),
});
export type SiteReport = z.infer<typeof siteReportSchema>;

/** One worker's counts as merged from its snapshots, and as the worker itself counted them. */
const sourceReportSchema = z.object({
  source: z.string(),
  ok: count,
  failed: count,
  /** How far after the common start the source's load began. */
  lateStartMs: z.number(),
  workerOk: count.optional(),
  workerFailed: count.optional(),
});
export type SourceReport = z.infer<typeof sourceReportSchema>;

const documentCheckSchema = z.object({
  /** The `dataset_id` this provider's rows carry in the run (run id and provider name). */
  datasetId: z.string(),
  /** Inserts the report counts as ok. */
  reported: count,
  /** Rows the database holds for this provider's run; null when they could not be counted. */
  database: count.nullable(),
  /** Rows failed operations may have inserted all the same (their connection was lost mid-request). */
  inDoubt: count.optional(),
  /** reported ≤ database ≤ reported + inDoubt. */
  match: z.boolean(),
  /** Why the rows could not be counted. */
  error: z.string().optional(),
});

const teardownSchema = z.union([
  z.object({
    /** True when this run was the last registered one and dropped the tool's tables. */
    tableDropped: z.boolean(),
    /** Other runs still registered: their rows, and the table, stay. */
    otherRuns: count,
  }),
  z.object({ error: z.string() }),
]);

const serverMetricsSchema = z.object({
  server: z.record(z.string(), z.unknown()),
  counters: z.record(z.string(), z.number()),
  operationCounter: z.string().optional(),
  /** How long the counters may trail what the server did. */
  lagMs: z.number().optional(),
});

/** The server's own figures before and after the run, and the client's ok count checked against them. */
const serverFiguresSchema = z.object({
  before: serverMetricsSchema.optional(),
  after: serverMetricsSchema.optional(),
  delta: z.record(z.string(), z.number()).optional(),
  check: z.object({ counter: z.string(), clientOk: count, server: count, excess: count, match: z.boolean() }).optional(),
  error: z.string().optional(),
});

/** A built-in workload's check of its tables after the run (TPC-B: balances against history, history against the ok count). */
const consistencySchema = z.object({
  ok: z.boolean(),
  accountsDelta: z.number(),
  historyDelta: z.number(),
  transactionsOk: count,
  historyRows: z.number(),
  inDoubt: count.optional(),
  error: z.string().optional(),
});

const providerReportSchema = z.object({
  name: z.string(),
  provider: z.string(),
  connection: z.record(z.string(), z.unknown()),
  startedAt: z.string(),
  endedAt: z.string(),
  durationSec: z.number(),
  total: operationReportSchema,
  operations: z.array(operationReportSchema),
  windows: z.array(windowReportSchema),
  arrivals: arrivalReportSchema.optional(),
  phases: z.array(phaseReportSchema).optional(),
  spike: spikeRecoverySchema.optional(),
  ramp: rampCapacitySchema.optional(),
  /** Indices of windows where the generator was saturated. */
  saturatedWindows: z.array(count),
  sources: z.array(sourceReportSchema),
  sites: z.array(siteReportSchema),
  /** True when some window lacks part of a share (see windows[].degraded, sites[].lost, sites[].lateStartMs). */
  degraded: z.boolean().optional(),
  verification: z.object({ documents: documentCheckSchema.optional() }).optional(),
  server: serverFiguresSchema.optional(),
  /** What teardown did with the tool's tables (absent with --keep-data), or why it failed. */
  teardown: teardownSchema.optional(),
  consistency: consistencySchema.optional(),
  /** The scenario's own setup: SQL statements run and rows its last one returned (the data every VU gets), or the function run (`module#export`). */
  setup: z.union([z.object({ statements: count, rows: count }), z.object({ function: z.string() })]).optional(),
  /** The scenario's own teardown (absent with --keep-data): SQL statements run or the function run, or why it failed. */
  scenarioTeardown: z
    .union([z.object({ statements: count }), z.object({ function: z.string() }), z.object({ error: z.string() })])
    .optional(),
  failure: z.string().optional(),
});
export type ProviderReport = z.infer<typeof providerReportSchema>;

export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('stampede'), version: z.string() }),
  runId: z.string(),
  name: z.string(),
  status: z.enum(['complete', 'degraded', 'partial', 'failed']),
  partial: z.boolean(),
  startedAt: z.string(),
  endedAt: z.string(),
  scenario: z.object({ file: z.string().optional(), definition: z.unknown() }),
  plan: z.object({
    workers: count,
    windowMs: z.number(),
    profile: z.unknown(),
    keepData: z.boolean(),
    /** What every VU's random stream derives from: `--seed` (or the scenario's `seed:`) repeats the run's draws. */
    seed: count.optional(),
  }),
  model: z.object({ kind: z.enum(['closed', 'open']), note: z.string() }),
  environment: z.object({ node: z.string(), platform: z.string(), arch: z.string(), cpus: count, hostname: z.string() }),
  providers: z.array(providerReportSchema),
  /** With several providers: each operation's providers side by side, with verdicts (values in the metric's unit). */
  comparisons: z.array(comparisonSchema).optional(),
  /** The scenario's thresholds, each checked on the merged figures of every site. */
  thresholds: z.array(thresholdResultSchema).optional(),
  /** The threshold (with its scope) whose abortOnFail stopped the run early. */
  abortedBy: z.string().optional(),
});
export type Report = z.infer<typeof reportSchema>;
