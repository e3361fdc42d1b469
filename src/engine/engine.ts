import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ProviderConfig } from '../config/schema.js';
import { redact } from '../config/redact.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { Aggregator, type WindowFigures } from '../metrics/aggregate.js';
import { initHistograms } from '../metrics/histogram.js';
import { documentsPerOperation, needsDocumentsTable, workloadSql } from '../operations/compile.js';
import { countDocuments, createDocumentsTable, dropDocumentsTable } from '../operations/documents.js';
import type { RunPlan } from '../plan/plan.js';
import { profileFor } from '../profiles/index.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { ConnectionInfo, DatabaseProvider } from '../providers/types.js';
import type { CoordinatorMessage, WorkerMessage, WorkerResult, WorkerTask } from './messages.js';
import { type WorkerGroup, workerGroup } from './worker-group.js';

export type RunStatus = 'complete' | 'partial' | 'failed';

export interface DocumentCheck {
  /** Inserts the report counts as ok. */
  reported: number;
  /** Rows the database holds for this run. */
  database: number;
  match: boolean;
}

/** Everything one provider's run produced, before it is rendered into the report. */
export interface ProviderRun {
  config: ProviderConfig;
  connection: ConnectionInfo;
  startedAt: number;
  endedAt: number;
  aggregator: Aggregator;
  workers: WorkerResult[];
  documents?: DocumentCheck;
  failure?: string;
  /** Time the provider actually ran; less than endedAt - startedAt when blocks were interleaved. */
  activeMs?: number;
  /** First window of each interleaved block: block k of every provider ran in the same round. */
  blockStarts?: number[];
}

export interface RunResult {
  plan: RunPlan;
  status: RunStatus;
  startedAt: number;
  endedAt: number;
  providers: ProviderRun[];
}

export interface RunOptions {
  logger: Logger;
  /** Aborting stops the run gracefully: in-flight operations finish and are counted. */
  signal?: AbortSignal;
  /** Called once per window when every worker's snapshot for it has arrived. */
  onWindow?: (provider: string, figures: WindowFigures) => void;
  onProviderStart?: (provider: string, plannedMs: number | undefined) => void;
}

/** Delay between the last worker saying ready and the common start, so all start together. */
const START_DELAY_MS = 50;

/**
 * The one engine: plan → split → run → merge. The CLI, scenario files and the library API all
 * call this; `workers: 0` runs the same path on the main thread.
 */
export async function runPlan(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  await initHistograms();
  const startedAt = Date.now();
  const runs = new Map<string, ProviderRun>();
  const group = workerGroup(plan.workers);
  const blocks = plan.interleave ?? 1;
  const slices = blocks > 1 ? profileSlices(plan, blocks) : [plan.profile];
  let status: RunStatus = 'complete';
  let finished = 0;
  try {
    run: for (const [b, profile] of slices.entries()) {
      // Alternate the order (A B, B A, …) so neither provider always runs first in a round.
      const order = b % 2 === 0 ? plan.providers : [...plan.providers].reverse();
      for (const config of order) {
        if (options.signal?.aborted) break run;
        const run = await runProvider(plan, config, group, options, { profile, last: b === slices.length - 1, prior: runs.get(config.name) });
        runs.set(config.name, run);
        if (run.failure) {
          status = 'failed';
          break run;
        }
      }
      finished++;
    }
  } finally {
    await group.close();
  }
  if (status === 'complete' && (options.signal?.aborted || finished < slices.length)) status = 'partial';
  const providers = plan.providers.flatMap((p) => runs.get(p.name) ?? []);
  return { plan, status, startedAt, endedAt: Date.now(), providers };
}

/** The profile cut into `blocks` consecutive parts, for interleaving providers block by block. */
function profileSlices(plan: RunPlan, blocks: number): RunPlan['profile'][] {
  const profile = profileFor(plan.profile.type);
  if (!profile.slice) throw new UserError(`options.interleave: profile "${plan.profile.type}" cannot be cut into blocks`);
  return profile.slice(plan.profile, blocks);
}

interface Block {
  profile: RunPlan['profile'];
  last: boolean;
  /** The provider's earlier blocks: this block's windows and counts are merged into them. */
  prior?: ProviderRun;
}

async function runProvider(plan: RunPlan, config: ProviderConfig, group: WorkerGroup, options: RunOptions, block: Block): Promise<ProviderRun> {
  const { logger } = options;
  await loadProviderModule(config, plan.baseDir);
  const main = createProvider({ ...config, options: { ...config.options, poolSize: 1 } });
  await connectOrExplain(main);
  try {
    const profile = profileFor(block.profile.type);
    workloadSql(plan.workload, main.dialect, `workload (provider "${config.name}")`);
    const documents = needsDocumentsTable(plan.workload);
    if (documents && main.sharedAcrossInstances) await createDocumentsTable(main);

    const shares = profile.split(block.profile, Array.from({ length: group.size }, () => 1));
    const tasks: WorkerTask[] = shares.map((share, i) => ({
      runId: plan.runId,
      source: `local/w${i}`,
      provider: config,
      baseDir: plan.baseDir,
      workload: plan.workload,
      operationNames: plan.operationNames,
      profileType: block.profile.type,
      share,
      peakVus: profile.sharePeakVus(share),
      windowMs: plan.windowMs,
      setupInWorker: !main.sharedAcrossInstances,
    }));

    logger.info({ provider: config.name, workers: tasks.length, profile: block.profile }, 'starting provider run');
    options.onProviderStart?.(config.name, profile.durationMs(block.profile));
    const { prior } = block;
    const aggregator = prior?.aggregator ?? new Aggregator();
    const windowOffset = prior ? (aggregator.windowIndices().at(-1) ?? -1) + 1 : 0;
    const run = await execute(tasks, group, options, config.name, aggregator, windowOffset);
    const combined: Omit<ProviderRun, 'config' | 'connection'> = {
      ...run,
      startedAt: prior?.startedAt ?? run.startedAt,
      activeMs: (prior?.activeMs ?? 0) + (run.endedAt - run.startedAt),
      blockStarts: [...(prior?.blockStarts ?? []), windowOffset],
      workers: prior ? mergeWorkers([...prior.workers, ...run.workers]) : run.workers,
    };
    if (documents && !run.failure) {
      // Counts are cumulative over blocks: the table is kept until the provider's last block.
      const reported = plan.workload.reduce((n, op, i) => n + documentsPerOperation(op) * aggregator.merged(plan.operationNames[i]).ok, 0);
      const database = main.sharedAcrossInstances
        ? await countDocuments(main, plan.runId)
        : combined.workers.reduce((n, w) => n + (w.privateDocuments ?? 0), 0);
      combined.documents = { reported, database, match: reported === database };
      if (!combined.documents.match) logger.warn({ provider: config.name, ...combined.documents }, 'the database saw a different count');
    }
    if (documents && main.sharedAcrossInstances && !plan.keepData && (block.last || run.failure)) await dropDocumentsTable(main);
    return { ...combined, config, connection: main.getConnectionInfo() };
  } finally {
    await main.close();
  }
}

/** One result per worker source, summed over blocks. */
function mergeWorkers(results: WorkerResult[]): WorkerResult[] {
  const bySource = new Map<string, WorkerResult>();
  for (const r of results) {
    const seen = bySource.get(r.source);
    if (!seen) bySource.set(r.source, { ...r });
    else {
      seen.ok += r.ok;
      seen.errors += r.errors;
      seen.windows += r.windows;
      if (r.privateDocuments !== undefined) seen.privateDocuments = (seen.privateDocuments ?? 0) + r.privateDocuments;
    }
  }
  return [...bySource.values()];
}

/** Bad DSNs, wrong passwords and unreachable hosts are the user's to fix: one clear line, exit 2. */
async function connectOrExplain(provider: DatabaseProvider): Promise<void> {
  const name = provider.config.name;
  try {
    await provider.initialize();
    await provider.execute('SELECT 1');
  } catch (err) {
    await provider.close().catch(() => {});
    const where = provider.config.dsn ? ` at ${redact(provider.config.dsn)}` : '';
    throw new UserError(`provider "${name}": cannot connect${where}: ${redact(errorMessage(err) || String((err as { code?: string }).code))}`);
  }
}

type Execution = Omit<ProviderRun, 'config' | 'connection' | 'documents' | 'activeMs' | 'blockStarts'>;

/** Launches the tasks, holds them at a ready barrier, starts them together and merges what they send. */
async function execute(
  tasks: WorkerTask[],
  group: WorkerGroup,
  options: RunOptions,
  provider: string,
  aggregator: Aggregator,
  windowOffset: number,
): Promise<Execution> {
  const ports: MessagePort[] = [];
  const seen = new Map<number, number>();
  let ready = 0;
  let failure: string | undefined;
  let startedAt = Date.now();
  const broadcast = (m: CoordinatorMessage): void => ports.forEach((p) => p.postMessage(m));
  const fail = (source: string, message: string): void => {
    failure ??= `${source}: ${message}`;
    broadcast({ type: 'stop' });
    allReady();
  };

  let allReady!: () => void;
  const readyBarrier = new Promise<void>((resolve) => (allReady = resolve));
  const onAbort = (): void => broadcast({ type: 'stop' });

  // A task is over when its port has delivered 'done' (so every snapshot before it), or it failed.
  const finished = tasks.map((task) => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    return new Promise<WorkerResult | undefined>((resolve) => {
      port1.on('message', (m: WorkerMessage) => {
        if (m.type === 'snapshot') {
          m.snapshot.window += windowOffset;
          aggregator.add(m.snapshot);
          const count = (seen.get(m.snapshot.window) ?? 0) + 1;
          seen.set(m.snapshot.window, count);
          const figures = count === tasks.length ? aggregator.windowFigures(m.snapshot.window) : undefined;
          if (figures) options.onWindow?.(provider, figures);
        } else if (m.type === 'ready') {
          if (++ready === tasks.length) allReady();
        } else if (m.type === 'done') resolve(m.result);
        else fail(task.source, m.message);
      });
      group.launch(task, port2).catch((err: unknown) => {
        fail(task.source, errorMessage(err));
        resolve(undefined);
      });
    });
  });

  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await readyBarrier;
    if (!failure) {
      startedAt = Date.now() + START_DELAY_MS;
      broadcast({ type: 'start', startAt: startedAt });
      if (options.signal?.aborted) onAbort();
    }
    const workers = (await Promise.all(finished)).filter((r): r is WorkerResult => r !== undefined);
    return { startedAt, endedAt: Date.now(), aggregator, workers, failure: failure && redact(failure) };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    for (const p of ports) p.close();
  }
}
