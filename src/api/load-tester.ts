import type { OperationConfig } from '../operations/schema.js';
import type { ProviderConfig } from '../providers/config.js';
import { analyzeCapacity, type CapacityOptions } from '../stats/capacity.js';
import { databaseCheck, type EngineOptions, providerConfig, type ProviderLike, runOnEngine } from './engine-run.js';
import { errorMessages, latencyMs, type LoadTestResult } from './results.js';

export interface LoadTesterOptions extends EngineOptions, CapacityOptions {}

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
  ].filter((s) => s.durationSeconds > 0);
}

/** Load tests of one provider. Each step or phase is its own constant-VUs run of the engine. */
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

  /** Inserts one document into the tool's own table per call; the run checks the database's count. */
  createDocumentOperation(contentBytes?: number): OperationConfig {
    return contentBytes === undefined ? { type: 'insert_document' } : { type: 'insert_document', contentBytes };
  }

  async runConstantLoadTest(o: {
    testName: string;
    durationSeconds: number;
    concurrentUsers: number;
    operation?: OperationConfig;
  }): Promise<LoadTestResult> {
    const [result] = await this.runSteps(
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
    operation?: OperationConfig;
  }): Promise<LoadTestResult[]> {
    return this.runSteps(o.testName, rampUpSteps(o.maxUsers, o.rampUpDuration, o.testDuration, o.steps), o.operation);
  }

  async runSpikeTest(o: {
    testName: string;
    normalUsers: number;
    spikeUsers: number;
    spikeDuration: number;
    totalDuration: number;
    operation?: OperationConfig;
  }): Promise<LoadTestResult[]> {
    return this.runSteps(o.testName, spikePhases(o.normalUsers, o.spikeUsers, o.spikeDuration, o.totalDuration), o.operation);
  }

  private get windowMs(): number {
    return this.options.windowMs ?? LOAD_WINDOW_MS;
  }

  private async runSteps(
    testName: string,
    steps: LoadStep[],
    operation: OperationConfig = this.createQueryOperation('SELECT 1'),
  ): Promise<LoadTestResult[]> {
    const results: LoadTestResult[] = [];
    for (const step of steps) {
      const run = await runOnEngine(
        testName,
        [this.config],
        { ...operation, name: operation.name ?? operation.type },
        { type: 'constant-vus', vus: step.users, duration: `${Math.max(1, Math.round(step.durationSeconds * 1000))}ms` },
        { ...this.options, windowMs: this.windowMs },
      );
      const { report, windows } = run.providers[0]!;
      const op = report.operations[0]!;
      const result: LoadTestResult = {
        providerName: report.name,
        providerKind: report.provider,
        testName,
        phase: step.phase,
        runId: run.runId,
        concurrentUsers: step.users,
        durationSeconds: report.durationSec,
        totalRequests: op.count,
        successfulRequests: op.ok,
        failedRequests: op.failed,
        requestsPerSecond: op.opsPerSec,
        ...latencyMs(op.latencyUs),
        errorRatePercent: op.count > 0 ? (100 * op.failed) / op.count : 0,
        concurrentUserCapacity: 0,
        errorMessages: errorMessages(op),
        windowMs: this.windowMs,
        windows,
      };
      const check = databaseCheck(report);
      if (check) result.databaseCheck = check;
      results.push(result);
    }
    const { capacity } = analyzeCapacity(
      results.map((r) => ({ users: r.concurrentUsers, errorRate: r.errorRatePercent / 100, p95Ms: r.p95Ms })),
      this.options,
    );
    for (const r of results) r.concurrentUserCapacity = capacity;
    return results;
  }
}
