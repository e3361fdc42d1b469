import type { ProviderConfig } from '../providers/config.js';
import { redact } from '../util/secrets.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { Aggregator, type RunFigures, type WindowFigures } from '../metrics/aggregate.js';
import { inDoubtTotal } from '../metrics/errors.js';
import { type ShareRecord, type WindowShortfall, windowShortfalls } from '../metrics/coverage.js';
import { initHistograms, type LatencySummary } from '../metrics/histogram.js';
import { documentsPerOperation, needsDocumentsTable, workloadSql } from '../operations/compile.js';
import { countDocuments, documentsDataset, registerRun, type Teardown, unregisterRun } from '../operations/documents.js';
import { builtinData, type Consistency } from '../operations/builtin/index.js';
import { checkLifecycle, runSetup, runTeardown, type SetupResult, type TeardownResult } from '../operations/lifecycle.js';
import type { RunPlan } from '../plan/plan.js';
import { isInlineScript, loadScripts } from '../operations/script.js';
import { isOpenModel, profileFor } from '../profiles/index.js';
import { createProvider, loadProviderModule, shippedProvider } from '../providers/index.js';
import type { ConnectionInfo, DatabaseProvider } from '../providers/types.js';
import { rehearseWindow } from './rehearsal.js';
import { localSite, type TaskSite } from './channel.js';
import { execute, type Execution, type Placement, type SiteShare } from './execute.js';
import type { WorkerResult, WorkerTask } from './messages.js';
import type { AgentLossPolicy, LostSource } from './sources.js';
import { LOCK_WAIT_MS, bounded } from './deadline.js';
import { combineServerFigures, type MetricsRead, type ServerFigures, readServerMetrics, serverFigures } from './server-check.js';
import { type WorkerGroup, workerGroup } from './worker-group.js';

/**
 * `degraded`: the run finished, but some window lacks part of a share (an agent lost, cut off,
 * stopped by its dead-man switch or started late): its figures are flagged, never silently low.
 */
export type RunStatus = 'complete' | 'degraded' | 'partial' | 'failed';

export interface DocumentCheck {
  /** The `dataset_id` this provider's rows carry in the run (run id and provider name). */
  datasetId: string;
  /** Inserts the report counts as ok. */
  reported: number;
  /** Rows the database holds for this provider's run; null when they could not be counted. */
  database: number | null;
  /**
   * Rows that failed operations may have inserted all the same: their connection was lost after
   * the request left (a commit whose acknowledgement never came back). Present when not 0.
   */
  inDoubt?: number;
  /** reported ≤ database ≤ reported + inDoubt. */
  match: boolean;
  /** Why the rows could not be counted (the database went away, did not answer, Ctrl-C). */
  error?: string;
}

/** What teardown did with the tool's tables, or why it failed (the tables and rows then remain). */
export type TeardownReport = Teardown | { error: string };

/**
 * Everything one provider's run produced, as plain data: the report is rendered from it. The
 * aggregator that merged the snapshots is gone by then; what it merged is in `figures`.
 */
export interface ProviderRun {
  config: ProviderConfig;
  connection: ConnectionInfo;
  startedAt: number;
  endedAt: number;
  /** Time the provider actually ran; less than endedAt - startedAt when blocks were interleaved. */
  activeMs: number;
  /** First window of each interleaved block: block k of every provider ran in the same round. */
  blockStarts: number[];
  /** Totals, operations, phases, windows and sources, merged from every snapshot. */
  figures: RunFigures;
  workers: WorkerResult[];
  /** Each site's share, with the latency its own sources measured. */
  sites: SiteRun[];
  /** Sources whose agent went silent before they were done. */
  lost: LostSource[];
  /** Windows whose figures lack part of a share, by window index. */
  shortfalls: Map<number, WindowShortfall>;
  documents?: DocumentCheck;
  /** Before/after server metrics; absent when each worker has a database of its own. */
  server?: ServerFigures;
  /** Absent with --keep-data, or when the run set nothing up. */
  teardown?: TeardownReport;
  /** A built-in workload's check of its tables after the run (TPC-B: balances against history). */
  consistency?: Consistency;
  /** The scenario's own setup and teardown, SQL or a function (absent when it has none; teardown absent with --keep-data). */
  setup?: SetupResult;
  scenarioTeardown?: TeardownResult;
  failure?: string;
}

/** A provider's run between its blocks: what the next block continues. */
export interface ProviderProgress extends Omit<ProviderRun, 'figures' | 'sites' | 'shortfalls'> {
  sites: SiteShare[];
  /** What each source owed, block by block: windows are checked against it. */
  shares: ShareRecord[];
  /** The dataset registered as a user of the tool's tables and not yet torn down (blocks to come). */
  registered?: string;
  /** What the scenario's setup returned, for every block's tasks. */
  setupData?: unknown;
}

export type { SiteShare } from './execute.js';
export type { AgentLossPolicy, LostSource } from './sources.js';

export interface SiteRun extends SiteShare {
  /** Merged from the site's own sources' histograms. */
  latencyUs: LatencySummary;
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
  /** Remote agents that take shares of the load beside (or instead of) the local workers. */
  agents?: TaskSite[];
  /** False runs no local workers: the agents take all the load. */
  local?: boolean;
  onAgentLoss?: AgentLossPolicy;
  /** How long the tasks may take to say ready (connections opened, agents prepared); default 60 s. */
  readyTimeoutMs?: number;
}

/**
 * The one engine: plan → split → run → merge. The CLI, scenario files and the library API all
 * call this; `workers: 0` runs the same path on the main thread.
 */
export async function runPlan(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  await initHistograms();
  rehearseWindow();
  // A missing module or export is bad input, said before any load; each worker imports its own copy.
  await loadScripts(plan.workload, plan.baseDir);
  await checkLifecycle(plan.scenario, plan.baseDir);
  if (plan.workers > 0 && plan.workload.some(isInlineScript)) {
    throw new UserError('a function given directly runs only in this thread: run with workers: 0, or name its module ({module, export})');
  }
  const startedAt = Date.now();
  const group = options.local === false ? undefined : workerGroup(plan.workers);
  const sites = [...(group ? [localSite(group)] : []), ...(options.agents ?? [])];
  if (sites.length === 0) throw new UserError('no workers to run on: --no-local needs at least one agent');
  // The aggregators live only as long as the run: what they merged leaves as plain data.
  const aggregators = new Map(plan.providers.map((p) => [p.name, new Aggregator()]));
  const runs = new Map<string, ProviderProgress>();
  try {
    let status = await runBlocks(plan, sites, options, runs, aggregators, group);
    const providers = plan.providers.flatMap((p) => {
      const run = runs.get(p.name);
      return run ? [settle(run, aggregators.get(p.name)!, plan.windowMs)] : [];
    });
    if (status === 'complete' && providers.some(isDegraded)) status = 'degraded';
    return { plan, status, startedAt, endedAt: Date.now(), providers };
  } finally {
    for (const aggregator of aggregators.values()) aggregator.destroy();
  }
}

/** Some window lacks part of a share that another process owed (a local shortfall is the generator's pace). */
export function isDegraded(run: Pick<ProviderRun, 'lost' | 'shortfalls'>): boolean {
  return run.lost.length > 0 || [...run.shortfalls.values()].some((s) => !s.localOnly);
}

/** Runs each provider block by block (all in one block without interleaving); says how the run ended. */
async function runBlocks(
  plan: RunPlan,
  sites: TaskSite[],
  options: RunOptions,
  runs: Map<string, ProviderProgress>,
  aggregators: Map<string, Aggregator>,
  group: WorkerGroup | undefined,
): Promise<RunStatus> {
  const blocks = plan.interleave ?? 1;
  const slices = blocks > 1 ? profileSlices(plan, blocks) : [plan.profile];
  try {
    for (const [b, profile] of slices.entries()) {
      // Alternate the order (A B, B A, …) so neither provider always runs first in a round.
      const order = b % 2 === 0 ? plan.providers : [...plan.providers].reverse();
      for (const config of order) {
        if (options.signal?.aborted) return 'partial';
        const run = await runProvider(plan, config, sites, options, {
          profile,
          last: b === slices.length - 1,
          prior: runs.get(config.name),
          aggregator: aggregators.get(config.name)!,
        });
        runs.set(config.name, run);
        if (run.failure) return 'failed';
      }
    }
    return options.signal?.aborted ? 'partial' : 'complete';
  } finally {
    await group?.close();
    // A run stopped before a provider's last block (Ctrl-C, a failure) still hands its rows and
    // its registration back.
    for (const run of runs.values()) if (run.registered) await tearDownLater(run, options);
  }
}

/** The provider's run as plain data, read from its aggregator while it still lives. */
export function settle(run: ProviderProgress, aggregator: Aggregator, windowMs: number): ProviderRun {
  const { shares, registered: _registered, setupData: _setupData, ...rest } = run;
  return {
    ...rest,
    figures: aggregator.figures(),
    sites: run.sites.map((site) => ({ ...site, latencyUs: aggregator.sourcesLatency(site.sources) })),
    shortfalls: windowShortfalls(aggregator, shares, windowMs),
  };
}

/** The profile cut into `blocks` consecutive parts, for interleaving providers block by block. */
export function profileSlices(plan: RunPlan, blocks: number): RunPlan['profile'][] {
  const profile = profileFor(plan.profile.type);
  if (!profile.slice) throw new UserError(`options.interleave: profile "${plan.profile.type}" cannot be cut into blocks`);
  return profile.slice(plan.profile, blocks);
}

interface Block {
  profile: RunPlan['profile'];
  last: boolean;
  /** The provider's earlier blocks: this block's windows and counts are merged into them. */
  prior?: ProviderProgress;
  /** The provider's one aggregator, across all its blocks. */
  aggregator: Aggregator;
}

/** What one block of a provider needs at every step: the plan, the provider, its coordinator instance. */
interface BlockContext {
  plan: RunPlan;
  config: ProviderConfig;
  /** The coordinator's own instance of the provider (setup, server metrics, count, teardown). */
  main: DatabaseProvider;
  options: RunOptions;
  block: Block;
  /** The `dataset_id` of the provider's rows in this run. */
  dataset: string;
  /** What the scenario's setup returned, handed to every task. */
  setupData?: unknown;
}

/** One block of one provider: set up, launch every share, merge, check the counts, tear down after the last. */
async function runProvider(
  plan: RunPlan,
  config: ProviderConfig,
  sites: TaskSite[],
  options: RunOptions,
  block: Block,
): Promise<ProviderProgress> {
  await loadProviderModule(config, plan.baseDir);
  const main = coordinatorProvider(config);
  await connectOrExplain(main);
  const ctx: BlockContext = { plan, config, main, options, block, dataset: documentsDataset(plan.runId, config.name) };
  let registered = block.prior?.registered;
  try {
    workloadSql(plan.workload, main.dialect, `workload (provider "${config.name}")`, plan.baseDir);
    registered = (await setUpShared(ctx)) ?? registered;
    // A database of each worker's own is loaded by the worker; a shared one by `stampede init`, ahead of the run.
    const builtin = main.sharedAcrossInstances ? builtinData(plan.workload) : undefined;
    await builtin?.requireLoaded(main, `stampede init ${plan.file ?? '<scenario>'}`);
    const sums = await builtin?.snapshot?.(main);
    // The scenario's setup runs once, before the provider's first block.
    const setup = block.prior ? undefined : plan.scenario.setup && (await runSetup(main, plan.scenario.setup, plan.baseDir));
    ctx.setupData = setup ? setup.data : block.prior?.setupData;
    const placed = placeShares(ctx, sites);
    const before = main.sharedAcrossInstances ? await readServerMetrics(main, options.signal) : undefined;
    const { aggregator, prior } = block;
    const okBefore = aggregator.ok();
    const countsBefore = new Map(plan.operationNames.map((name) => [name, operationCounts(aggregator, name)]));
    const windowOffset = (aggregator.windowIndices().at(-1) ?? -1) + 1;
    const plannedMs = profileFor(block.profile.type).durationMs(block.profile);
    const run = await execute(placed, options, config.name, aggregator, windowOffset, plannedMs);
    const progress = continueRun(prior, run, windowOffset);
    if (!run.failure) {
      if (before) progress.server = await checkServer(ctx, before, aggregator.ok() - okBefore);
      if (needsDocumentsTable(plan.workload)) progress.documents = await checkDocuments(ctx, progress.workers);
      if (builtin?.check) {
        const check = builtin.check.bind(builtin);
        const counts = (name: string): { ok: number; inDoubt: number } => {
          const now = operationCounts(aggregator, name);
          const was = countsBefore.get(name) ?? { ok: 0, inDoubt: 0 };
          return { ok: now.ok - was.ok, inDoubt: now.inDoubt - was.inDoubt };
        };
        progress.consistency = await checkConsistency(ctx, () => check(main, sums, counts));
      }
    }
    // The provider's last block: its last one planned, or the last it runs (a failure or Ctrl-C stops the run).
    const lastBlock = block.last || run.failure !== undefined || options.signal?.aborted === true;
    if (registered && lastBlock) {
      progress.teardown = await tearDown(main, registered, config.name, options.logger);
      registered = undefined;
    }
    if (setup) progress.setup = setup.result;
    else if (block.prior?.setup) progress.setup = block.prior.setup;
    if (lastBlock && plan.scenario.teardown && !plan.keepData) {
      progress.scenarioTeardown = await runTeardown(main, plan.scenario.teardown, plan.baseDir, ctx.setupData);
      if ('error' in progress.scenarioTeardown)
        options.logger.warn({ provider: config.name, ...progress.scenarioTeardown }, 'teardown failed');
    }
    return { ...progress, registered, setupData: ctx.setupData, config, connection: main.getConnectionInfo() };
  } catch (err) {
    // This block's registration never reaches runPlan's cleanup: hand it back now.
    if (registered && !block.prior?.registered) await tearDown(main, registered, config.name, options.logger);
    throw err;
  } finally {
    await closeQuietly(main);
  }
}

/**
 * Registers the run as a user of the tool's tables on a database every instance shares (set up
 * and torn down here); returns the dataset when it is to be torn down after the last block.
 */
async function setUpShared({ plan, main, dataset }: BlockContext): Promise<string | undefined> {
  if (!needsDocumentsTable(plan.workload) || !main.sharedAcrossInstances) return undefined;
  await setUp(main, dataset);
  // --keep-data keeps the registration too: a later run then leaves the table and these rows alone.
  return plan.keepData ? undefined : dataset;
}

/** Splits the block's profile across every worker of every site, and names each task's source. */
function placeShares({ plan, config, main, options, block, setupData }: BlockContext, sites: TaskSite[]): Placement[] {
  const profile = profileFor(block.profile.type);
  // Every worker, local or on an agent, weighs the same: an agent's share follows its worker count.
  const shares = profile.split(
    block.profile,
    sites.flatMap((site) => Array.from({ length: site.size }, () => 1)),
  );
  // A kind the main program registered travels as the module that registered it, for other threads to import.
  const provider = shippedProvider(config, plan.workers > 0 || (options.agents?.length ?? 0) > 0);
  const peaks = shares.map((share) => profile.sharePeakVus(share));
  // Interleaved blocks: each block's VUs take ids of their own, so no stream or sequence repeats
  // an earlier block's (ids stay independent of the split).
  const blockVus = Math.max(
    peaks.reduce((a, b) => a + b, 0),
    profileFor(plan.profile.type).peakVus(plan.profile),
  );
  const total = blockVus * (plan.interleave ?? 1);
  const firstOfBlock = blockVus * (block.prior?.blockStarts.length ?? 0);
  const taskFor = (source: string, share: unknown, index: number): WorkerTask => ({
    runId: plan.runId,
    source,
    provider,
    baseDir: plan.baseDir,
    workload: plan.workload,
    operationNames: plan.operationNames,
    profileType: block.profile.type,
    share,
    openModel: isOpenModel(plan.profile),
    phases: profile.phases?.(plan.profile) ?? [],
    peakVus: peaks[index]!,
    windowMs: plan.windowMs,
    setupInWorker: !main.sharedAcrossInstances,
    vus: { seed: plan.seed, firstId: firstOfBlock + peaks.slice(0, index).reduce((a, b) => a + b, 0), total },
    ...(setupData === undefined ? {} : { setupData }),
  });
  let next = 0;
  const placed = sites.map((site) => ({
    site,
    tasks: Array.from({ length: site.size }, (_, i) => taskFor(`${site.name}/w${i}`, shares[next], next++)),
  }));
  // The logger masks the DSN's password; logging it shows the user which target is hit.
  options.logger.info(
    { provider: config.name, dsn: config.dsn, workers: next, sites: sites.map((s) => s.name), profile: block.profile },
    'starting provider run',
  );
  return placed;
}

/** This block's execution added to the provider's earlier blocks. */
function continueRun(
  prior: ProviderProgress | undefined,
  run: Execution,
  windowOffset: number,
): Omit<ProviderProgress, 'config' | 'connection'> {
  return {
    ...run,
    startedAt: prior?.startedAt ?? run.startedAt,
    activeMs: (prior?.activeMs ?? 0) + (run.endedAt - run.startedAt),
    blockStarts: [...(prior?.blockStarts ?? []), windowOffset],
    workers: prior ? mergeWorkers([...prior.workers, ...run.workers]) : run.workers,
    lost: [...(prior?.lost ?? []), ...run.lost],
    shares: [...(prior?.shares ?? []), ...run.shares],
  };
}

/** The server's counters against this block's ok count; checked block by block, since between blocks other providers may use the same server. */
async function checkServer({ config, main, options, block }: BlockContext, before: MetricsRead, clientOk: number): Promise<ServerFigures> {
  const server = before.metrics
    ? await serverFigures(main, before.metrics, clientOk, options.signal)
    : { error: `before the run: ${before.error}` };
  const combined = block.prior?.server ? combineServerFigures(block.prior.server, server) : server;
  const check = combined.check;
  if (check && !check.match)
    options.logger.warn({ provider: config.name, ...check }, 'the server saw fewer commits than the client counted');
  if (server.error) options.logger.warn({ provider: config.name, error: server.error }, 'server figures incomplete');
  return combined;
}

/** The rows the database holds for the provider against the inserts counted ok, over every block so far (the rows stay until the last). */
async function checkDocuments(
  { plan, config, main, options, block, dataset }: BlockContext,
  workers: WorkerResult[],
): Promise<DocumentCheck> {
  const count = (per: (name: string) => number): number =>
    plan.workload.reduce((n, op, i) => n + documentsPerOperation(op) * per(plan.operationNames[i]!), 0);
  const reported = {
    ok: count((name) => block.aggregator.ok(name)),
    inDoubt: count((name) => inDoubtTotal(block.aggregator.errors(name))),
  };
  const check = main.sharedAcrossInstances
    ? await documentCheck(main, dataset, reported, options.signal)
    : documentMatch(
        dataset,
        reported,
        workers.reduce((n, w) => n + (w.privateDocuments ?? 0), 0),
      );
  if (check.error) options.logger.warn({ provider: config.name, ...check }, 'the database could not be counted');
  else if (!check.match) options.logger.warn({ provider: config.name, ...check }, 'the database saw a different count');
  return check;
}

function operationCounts(aggregator: Aggregator, name: string): { ok: number; inDoubt: number } {
  return { ok: aggregator.ok(name), inDoubt: inDoubtTotal(aggregator.errors(name)) };
}

/** The built-in workload's check of this block, added to the earlier blocks'; a check that cannot read is recorded. */
async function checkConsistency({ config, options, block }: BlockContext, check: () => Promise<Consistency>): Promise<Consistency> {
  let result: Consistency;
  try {
    result = await bounded('consistency check', check(), { signal: options.signal });
  } catch (err) {
    result = { ok: false, accountsDelta: 0, historyDelta: 0, transactionsOk: 0, historyRows: 0, error: redact(errorMessage(err)) };
  }
  const prior = block.prior?.consistency;
  if (prior) {
    const inDoubt = (prior.inDoubt ?? 0) + (result.inDoubt ?? 0);
    const errors = [prior.error, result.error].filter(Boolean);
    result = {
      ok: prior.ok && result.ok,
      accountsDelta: prior.accountsDelta + result.accountsDelta,
      historyDelta: prior.historyDelta + result.historyDelta,
      transactionsOk: prior.transactionsOk + result.transactionsOk,
      historyRows: prior.historyRows + result.historyRows,
      ...(inDoubt > 0 ? { inDoubt } : {}),
      ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    };
  }
  if (!result.ok) options.logger.warn({ provider: config.name, ...result }, 'the consistency check failed');
  return result;
}

/** The coordinator's own instance: one connection, for the tool's steps (setup, metrics, count, teardown). */
function coordinatorProvider(config: ProviderConfig): DatabaseProvider {
  return createProvider({ ...config, options: { ...config.options, poolSize: 1 } });
}

/** Closing never waits on a server that stopped answering, nor fails the run. */
async function closeQuietly(provider: DatabaseProvider): Promise<void> {
  await bounded(`provider "${provider.config.name}": close`, provider.close()).catch(() => {});
}

/** Registers the run as a user of the tool's tables (creating them); failing here is the user's to fix. */
async function setUp(provider: DatabaseProvider, dataset: string): Promise<void> {
  try {
    await bounded('setup', registerRun(provider, dataset, LOCK_WAIT_MS));
  } catch (err) {
    throw new UserError(`provider "${provider.config.name}": cannot set up the tool's tables: ${redact(errorMessage(err))}`);
  }
}

/** The rows the database holds for the dataset against the report's inserts; a count that fails is recorded. */
async function documentCheck(
  provider: DatabaseProvider,
  dataset: string,
  reported: Reported,
  signal: AbortSignal | undefined,
): Promise<DocumentCheck> {
  try {
    return documentMatch(dataset, reported, await bounded('count', countDocuments(provider, dataset), { signal }));
  } catch (err) {
    return { datasetId: dataset, reported: reported.ok, database: null, match: false, error: redact(errorMessage(err)) };
  }
}

/** Rows the report counts as inserted, and rows failed operations may have inserted all the same. */
interface Reported {
  ok: number;
  inDoubt: number;
}

function documentMatch(datasetId: string, reported: Reported, database: number): DocumentCheck {
  return {
    datasetId,
    reported: reported.ok,
    database,
    ...(reported.inDoubt > 0 ? { inDoubt: reported.inDoubt } : {}),
    match: reported.ok <= database && database <= reported.ok + reported.inDoubt,
  };
}

/** Unregisters the dataset: its rows go, and the tables too when no other run uses them. */
async function tearDown(provider: DatabaseProvider, dataset: string, name: string, logger: Logger): Promise<TeardownReport> {
  try {
    return await bounded('teardown', unregisterRun(provider, dataset, LOCK_WAIT_MS));
  } catch (err) {
    const error = redact(errorMessage(err));
    logger.warn({ provider: name, error }, "teardown failed: the tool's tables and this run's rows remain");
    return { error };
  }
}

/** Teardown on a connection of its own, for a provider whose last planned block never ran. */
async function tearDownLater(run: ProviderProgress, options: RunOptions): Promise<void> {
  const provider = coordinatorProvider(run.config);
  try {
    await connectOrExplain(provider);
    run.teardown = await tearDown(provider, run.registered!, run.config.name, options.logger);
  } catch (err) {
    run.teardown = { error: redact(errorMessage(err)) };
  } finally {
    run.registered = undefined;
    await closeQuietly(provider);
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
    await bounded(
      'connect',
      (async () => {
        await provider.initialize();
        await provider.execute('SELECT 1');
      })(),
    );
  } catch (err) {
    await closeQuietly(provider);
    const where = provider.config.dsn ? ` at ${redact(provider.config.dsn)}` : '';
    throw new UserError(
      `provider "${name}": cannot connect${where}: ${redact(errorMessage(err) || String((err as { code?: string }).code))}`,
    );
  }
}
