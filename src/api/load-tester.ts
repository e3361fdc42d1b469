import type { OperationConfig } from '../operations/schema.js';
import { inlineScript, type ScriptFunction } from '../operations/script.js';
import type { ProviderConfig } from '../providers/config.js';
import type { ProfileConfig } from '../profiles/index.js';
import { DEFAULT_SLO_P95_MS } from '../profiles/ramping-vus.js';
import { UserError } from '../errors.js';
import { rampCapacity } from '../report/capacity.js';
import type { PhaseReport, ProviderReport, RampCapacity } from '../report/types.js';
import { databaseCheck, type EngineOptions, providerConfig, type ProviderLike, runOnEngine } from './engine-run.js';
import { errorMessages, latencyMs, type LoadTestResult, type WindowSample } from './results.js';

export interface LoadTesterOptions extends EngineOptions {
  /**
   * The p95 (ms) a step must stay under, with errors under 1 %, to count toward the
   * concurrent-user capacity; default 500, as the ramping-vus profile's `sloP95`.
   */
  p95SloMs?: number;
}

/**
 * What a test runs: an operation as data (a query, a document insert, a module's function by
 * reference: runs on worker threads), or a function itself (runs in-process: workers 0).
 */
export type LoadOperation = OperationConfig | ScriptFunction;

/** One stretch of a stepped test: a constant number of users for a while. */
export interface LoadStep {
  phase: string;
  users: number;
  durationSeconds: number;
}

/** Default recording window of load tests: short, so even a short test has replicates to compare. */
const LOAD_WINDOW_MS = 100;

/**
 * Ramp-up as the guide runs it: `steps` equal rises to maxUsers over rampUpDuration, then a hold
 * at maxUsers for testDuration.
 */
export function rampUpSteps(maxUsers: number, rampUpDuration: number, testDuration: number, steps = Math.min(maxUsers, 5)): LoadStep[] {
  const out: LoadStep[] = [];
  for (let k = 1; k <= steps; k++) {
    const users = Math.ceil((maxUsers * k) / steps);
    out.push({ phase: `ramp:${users}`, users, durationSeconds: rampUpDuration / steps });
  }
  if (testDuration > 0) out.push({ phase: `hold:${maxUsers}`, users: maxUsers, durationSeconds: testDuration });
  return out;
}

/** Spike: normal load, the spike in the middle, normal load again to see the recovery. */
export function spikePhases(normalUsers: number, spikeUsers: number, spikeDuration: number, totalDuration: number): LoadStep[] {
  const around = Math.max(0, totalDuration - spikeDuration) / 2;
  return [
    { phase: 'before-spike', users: normalUsers, durationSeconds: around },
    { phase: 'spike', users: spikeUsers, durationSeconds: spikeDuration },
    { phase: 'recovery', users: normalUsers, durationSeconds: around },
  ];
}

/**
 * Load tests of one provider. Each test is one continuous run of the engine (one connection
 * setup, no gap between steps): constant and ramp-up tests run the `ramping-vus` profile with one
 * plateau per step, a spike test runs the `spike` profile. The results per step or phase, the
 * capacity, the knee and the recovery time are read from that run's report.
 */
export class LoadTester {
  private readonly config: ProviderConfig;

  constructor(
    provider: ProviderLike,
    private readonly options: LoadTesterOptions = {},
  ) {
    this.config = providerConfig(provider);
  }

  /** A query as an operation: data, so every worker thread rebuilds it. */
  createQueryOperation(sql: string, params?: Array<string | number | boolean | null>): OperationConfig {
    return params ? { type: 'query', sql, params } : { type: 'query', sql };
  }

  /** A module's exported function as an operation: every worker thread imports the module itself. */
  createScriptOperation(module: string, exportName?: string): OperationConfig {
    return exportName === undefined ? { type: 'script', module } : { type: 'script', module, export: exportName };
  }

  /** Inserts one document into the tool's own table per call; the run checks the database's count. */
  createDocumentOperation(contentBytes?: number): OperationConfig {
    return contentBytes === undefined ? { type: 'insert_document' } : { type: 'insert_document', contentBytes };
  }

  async runConstantLoadTest(o: {
    testName: string;
    durationSeconds: number;
    concurrentUsers: number;
    operation?: LoadOperation;
  }): Promise<LoadTestResult> {
    const [result] = await this.runPlateaus(
      o.testName,
      [{ phase: 'constant', users: o.concurrentUsers, durationSeconds: o.durationSeconds }],
      o.operation,
    );
    return result!;
  }

  async runRampUpTest(o: {
    testName: string;
    maxUsers: number;
    rampUpDuration: number;
    testDuration: number;
    steps?: number;
    operation?: LoadOperation;
  }): Promise<LoadTestResult[]> {
    return this.runPlateaus(o.testName, rampUpSteps(o.maxUsers, o.rampUpDuration, o.testDuration, o.steps), o.operation);
  }

  async runSpikeTest(o: {
    testName: string;
    normalUsers: number;
    spikeUsers: number;
    spikeDuration: number;
    totalDuration: number;
    operation?: LoadOperation;
  }): Promise<LoadTestResult[]> {
    const phases = spikePhases(o.normalUsers, o.spikeUsers, o.spikeDuration, o.totalDuration);
    requireSteps(o.testName, phases);
    if (!(o.spikeUsers > o.normalUsers)) throw new UserError(`${o.testName}: spikeUsers must be more than normalUsers`);
    const [before, spike] = phases as [LoadStep, LoadStep, LoadStep];
    const profile: ProfileConfig = {
      type: 'spike',
      vus: o.normalUsers,
      spikeVus: o.spikeUsers,
      spikeStart: before.durationSeconds,
      spikeDuration: spike.durationSeconds,
      duration: o.totalDuration,
    };
    return this.runPhases(o.testName, profile, phases, o.operation);
  }

  private get windowMs(): number {
    return this.options.windowMs ?? LOAD_WINDOW_MS;
  }

  private get sloP95Ms(): number {
    return this.options.p95SloMs ?? DEFAULT_SLO_P95_MS;
  }

  /** Steps as ramping-vus stages: an instant step to each step's users, then a hold (a plateau). */
  private runPlateaus(testName: string, steps: LoadStep[], operation?: LoadOperation): Promise<LoadTestResult[]> {
    requireSteps(testName, steps);
    const profile: ProfileConfig = {
      type: 'ramping-vus',
      stages: steps.flatMap((s) => [
        { duration: 0, target: s.users },
        { duration: s.durationSeconds, target: s.users },
      ]),
      sloP95: this.sloP95Ms / 1000,
    };
    return this.runPhases(testName, profile, steps, operation);
  }

  /** One run of the profile; its report's phases, in order, are the steps. */
  private async runPhases(
    testName: string,
    profile: ProfileConfig,
    steps: readonly LoadStep[],
    given: LoadOperation = this.createQueryOperation('SELECT 1'),
  ): Promise<LoadTestResult[]> {
    // A function cannot reach another thread: it runs in-process unless told otherwise (the engine then says why not).
    const direct = typeof given === 'function';
    const operation = direct ? inlineScript(given) : given;
    const run = await runOnEngine(testName, [this.config], { ...operation, name: operation.name ?? operationLabel(operation) }, profile, {
      ...this.options,
      workers: this.options.workers ?? (direct ? 0 : undefined),
      windowMs: this.windowMs,
    });
    const { report, windows } = run.providers[0]!;
    const phases = report.phases ?? [];
    if (phases.length !== steps.length) throw new Error(`${testName}: ${steps.length} steps ran as ${phases.length} phases`);
    const ramp = report.ramp ?? rampCapacity(phases, this.sloP95Ms * 1000);
    const shared: Shared = {
      testName,
      runId: run.runId,
      report,
      ramp,
      stepOf: new Map(phases.map((p, k) => [p.phase, steps[k]!.phase])),
      check: databaseCheck(report),
      recoveryMs: report.spike?.recoveryMs,
    };
    return steps.map((step, k) => this.stepResult(step, phases[k]!, windowsOf(phases[k]!, windows, report, this.windowMs), shared));
  }

  private stepResult(step: LoadStep, phase: PhaseReport, windows: StepWindows, run: Shared): LoadTestResult {
    const { report, ramp } = run;
    const count = phase.ok + phase.failed;
    const assessed = ramp.steps.find((s) => s.phase === phase.phase);
    const result: LoadTestResult = {
      providerName: report.name,
      providerKind: report.provider,
      testName: run.testName,
      phase: step.phase,
      runId: run.runId,
      concurrentUsers: step.users,
      durationSeconds: windows.seconds,
      totalRequests: count,
      successfulRequests: phase.ok,
      failedRequests: phase.failed,
      requestsPerSecond: phase.opsPerSec,
      ...latencyMs(phase.latencyUs),
      errorRatePercent: count > 0 ? (100 * phase.failed) / count : 0,
      concurrentUserCapacity: ramp.capacity?.users ?? 0,
      sloP95Ms: ramp.sloP95Us / 1000,
      withinSlo: assessed?.withinSlo ?? false,
      errorMessages: errorMessages(phase),
      windowMs: this.windowMs,
      windows: windows.samples,
    };
    const { knee } = ramp;
    if (report.ramp) result.knee = knee && { phase: run.stepOf.get(knee.phase)!, users: knee.users, requestsPerSecond: knee.opsPerSec };
    if (run.recoveryMs !== undefined) result.recoveryMs = run.recoveryMs;
    if (run.check) result.databaseCheck = run.check;
    return result;
  }
}

interface Shared {
  testName: string;
  runId: string;
  report: ProviderReport;
  ramp: RampCapacity;
  /** The step each phase of the report ran. */
  stepOf: Map<string, string>;
  check: LoadTestResult['databaseCheck'];
  recoveryMs: number | null | undefined;
}

interface StepWindows {
  samples: WindowSample[];
  /** The time the step's windows covered: whole windows, the run's last one up to its end. */
  seconds: number;
}

/**
 * The windows of one phase. A window that reaches past the phase also holds load of the step
 * before or after it: it is marked partial, so throughput comparisons leave it out.
 */
function windowsOf(phase: PhaseReport, samples: readonly WindowSample[], report: ProviderReport, windowMs: number): StepWindows {
  const runMs = report.durationSec * 1000;
  const mine = new Map(report.windows.filter((w) => w.phase === phase.phase).map((w) => [w.window, w.startMs]));
  let ms = 0;
  for (const startMs of mine.values()) ms += Math.min(windowMs, Math.max(1, runMs - startMs));
  return {
    samples: samples.flatMap((s) => {
      const startMs = mine.get(s.window);
      if (startMs === undefined) return [];
      return [{ ...s, partial: s.partial || startMs < phase.startMs || startMs + windowMs > phase.endMs }];
    }),
    seconds: ms / 1000,
  };
}

function operationLabel(op: OperationConfig): string {
  return op.type === 'script' ? (op.export ?? 'script') : op.type;
}

/** A step needs a length the run can hold: at least a millisecond. */
function requireSteps(testName: string, steps: readonly LoadStep[]): void {
  for (const s of steps) {
    if (!(s.durationSeconds >= 0.001))
      throw new UserError(`${testName}: ${s.phase} lasts ${s.durationSeconds} s; a step needs at least 1 ms`);
  }
}
