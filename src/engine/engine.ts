import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ProviderConfig } from '../config/schema.js';
import { redact } from '../config/redact.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { Aggregator, type WindowFigures } from '../metrics/aggregate.js';
import { initHistograms } from '../metrics/histogram.js';
import { needsDocumentsTable, querySql } from '../operations/compile.js';
import { countDocuments, createDocumentsTable, dropDocumentsTable } from '../operations/documents.js';
import type { RunPlan } from '../plan/plan.js';
import { isOpenModel, profileFor } from '../profiles/index.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { ConnectionInfo, DatabaseProvider } from '../providers/types.js';
import type { CoordinatorMessage, WorkerMessage, WorkerResult, WorkerTask } from './messages.js';
import { type ServerFigures, readServerMetrics, serverFigures } from './server-check.js';
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
  /** Before/after server metrics; absent when each worker has a database of its own. */
  server?: ServerFigures;
  failure?: string;
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
  const providers: ProviderRun[] = [];
  const group = workerGroup(plan.workers);
  let status: RunStatus = 'complete';
  try {
    for (const config of plan.providers) {
      if (options.signal?.aborted) break;
      const run = await runProvider(plan, config, group, options);
      providers.push(run);
      if (run.failure) {
        status = 'failed';
        break;
      }
    }
  } finally {
    await group.close();
  }
  if (status === 'complete' && (options.signal?.aborted || providers.length < plan.providers.length)) status = 'partial';
  return { plan, status, startedAt, endedAt: Date.now(), providers };
}

async function runProvider(plan: RunPlan, config: ProviderConfig, group: WorkerGroup, options: RunOptions): Promise<ProviderRun> {
  const { logger } = options;
  await loadProviderModule(config, plan.baseDir);
  const main = createProvider({ ...config, options: { ...config.options, poolSize: 1 } });
  await connectOrExplain(main);
  try {
    const profile = profileFor(plan.profile.type);
    for (const [i, op] of plan.workload.entries()) {
      if (op.type === 'query') querySql(op, main.dialect, `workload[${i}] (provider "${config.name}")`);
    }
    const documents = needsDocumentsTable(plan.workload);
    if (documents && main.sharedAcrossInstances) await createDocumentsTable(main);

    const shares = profile.split(plan.profile, Array.from({ length: group.size }, () => 1));
    const tasks: WorkerTask[] = shares.map((share, i) => ({
      runId: plan.runId,
      source: `local/w${i}`,
      provider: config,
      baseDir: plan.baseDir,
      workload: plan.workload,
      operationNames: plan.operationNames,
      profileType: plan.profile.type,
      share,
      openModel: isOpenModel(plan.profile),
      phases: profile.phases?.(plan.profile) ?? [],
      peakVus: profile.sharePeakVus(share),
      windowMs: plan.windowMs,
      setupInWorker: !main.sharedAcrossInstances,
    }));

    // The logger masks the DSN's password; logging it shows the user which target is hit.
    logger.info({ provider: config.name, dsn: config.dsn, workers: tasks.length, profile: plan.profile }, 'starting provider run');
    const serverBefore = main.sharedAcrossInstances ? await readServerMetrics(main) : undefined;
    options.onProviderStart?.(config.name, profile.durationMs(plan.profile));
    const run: Omit<ProviderRun, 'config' | 'connection'> = await execute(tasks, group, options, config.name);
    if (serverBefore && !run.failure) {
      run.server = await serverFigures(main, serverBefore, run.aggregator.merged().ok);
      if (run.server?.check && !run.server.check.match) logger.warn({ provider: config.name, ...run.server.check }, 'the server saw fewer commits than the client counted');
    }
    if (documents && !run.failure) {
      const reported = run.aggregator.merged(insertOperation(plan)).ok;
      const database = main.sharedAcrossInstances
        ? await countDocuments(main, plan.runId)
        : run.workers.reduce((n, w) => n + (w.privateDocuments ?? 0), 0);
      run.documents = { reported, database, match: reported === database };
      if (!run.documents.match) logger.warn({ provider: config.name, ...run.documents }, 'the database saw a different count');
    }
    if (documents && main.sharedAcrossInstances && !plan.keepData) await dropDocumentsTable(main);
    return { ...run, config, connection: main.getConnectionInfo() };
  } finally {
    await main.close();
  }
}

function insertOperation(plan: RunPlan): string | undefined {
  const i = plan.workload.findIndex((op) => op.type === 'insert_document');
  return i < 0 ? undefined : plan.operationNames[i];
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

type Execution = Omit<ProviderRun, 'config' | 'connection' | 'documents' | 'server'>;

/** Launches the tasks, holds them at a ready barrier, starts them together and merges what they send. */
async function execute(tasks: WorkerTask[], group: WorkerGroup, options: RunOptions, provider: string): Promise<Execution> {
  const aggregator = new Aggregator();
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
