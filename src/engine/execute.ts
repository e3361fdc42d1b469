import { redact } from '../util/secrets.js';
import type { Logger } from '../log.js';
import type { Aggregator, WindowFigures } from '../metrics/aggregate.js';
import type { ShareRecord } from '../metrics/coverage.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { TaskLink, TaskSite } from './channel.js';
import type { CoordinatorMessage, WorkerResult, WorkerTask } from './messages.js';
import { type AgentLossPolicy, type LostSource, Sources } from './sources.js';

export interface SiteShare {
  site: string;
  /** What a remote agent announced about itself (host, cores, version…); absent for local. */
  info?: Record<string, unknown>;
  sources: string[];
  peakVus: number;
  /** A remote site's clock against the coordinator's, as measured over NATS round trips. */
  clock?: { offsetMs: number; rttMs: number };
  /** How far ahead of the start message the common start was set (ms). */
  startLeadMs?: number;
}

/** A site and the tasks it runs. */
export interface Placement {
  site: TaskSite;
  tasks: WorkerTask[];
}

export interface ExecuteOptions {
  logger: Logger;
  /** Aborting stops the run gracefully: in-flight operations finish and are counted. */
  signal?: AbortSignal;
  /** Called once per window when every worker's snapshot for it has arrived. */
  onWindow?: (provider: string, figures: WindowFigures) => void;
  onAgentLoss?: AgentLossPolicy;
  /** How long the tasks may take to say ready (connections opened, agents prepared); default 60 s. */
  readyTimeoutMs?: number;
}

/** What one block of a provider's run produced on its sites; the merged figures stay in the aggregator. */
export interface Execution {
  startedAt: number;
  endedAt: number;
  workers: WorkerResult[];
  /** Each site's share: which sources it ran and the VUs they peaked at. */
  sites: SiteShare[];
  /** Sources whose agent went silent before they were done. */
  lost: LostSource[];
  /** What each source owed, block by block: windows are checked against it. */
  shares: ShareRecord[];
  failure?: string;
}

/** Delay between the last worker saying ready and the common start, so all start together. */
const START_DELAY_MS = 50;
const READY_TIMEOUT_MS = 60_000;

/**
 * Launches the tasks on their sites, holds them at a ready barrier (bounded by
 * `readyTimeoutMs`), starts them together and merges what they send into `aggregator`,
 * numbering windows from `windowOffset` (interleaved blocks continue the provider's series).
 * Local workers and remote agents go through this loop.
 */
export async function execute(
  placed: Placement[],
  options: ExecuteOptions,
  provider: string,
  aggregator: Aggregator,
  windowOffset: number,
  plannedMs: number | undefined,
): Promise<Execution> {
  const control = new Control();
  const sources = track(placed, options, control, windowMerger(provider, aggregator, windowOffset, options.onWindow));
  const onAbort = (): void => control.stop();
  // A task that never says ready (an agent that drops our messages, a database that never
  // answers) would hold the barrier forever: after the timeout it fails the run.
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const readyTimer = setTimeout(() => sources.readyTimeout(`not ready within ${readyTimeoutMs / 1000}s (--ready-timeout)`), readyTimeoutMs);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const { site, tasks } of placed) control.links.push(site.launch(tasks, (source, event) => sources.event(source, event)));
    await sources.settled;
    clearTimeout(readyTimer);
    // Far agents get a longer lead, so that the start message reaches them before the start.
    const leadMs = Math.max(START_DELAY_MS, ...placed.map(({ site }) => site.startLeadMs?.() ?? 0));
    if (!sources.failure) {
      sources.started();
      control.start(leadMs);
      if (options.signal?.aborted) onAbort();
    }
    await sources.over;
    return {
      startedAt: control.startedAt,
      endedAt: Date.now(),
      workers: sources.results(),
      sites: placed.map((p) => siteShare(p, leadMs)),
      lost: sources.lost(),
      shares: shareRecords(sources, placed, windowOffset, Math.min(control.stopAtMs ?? Infinity, plannedMs ?? Infinity)),
      failure: sources.failure && redact(sources.failure),
    };
  } finally {
    clearTimeout(readyTimer);
    options.signal?.removeEventListener('abort', onAbort);
    control.close();
  }
}

/** Start and stop go to every site; the stop's time is kept, since no share owes load after it. */
class Control {
  readonly links: TaskLink[] = [];
  /** The common start once it is set; until then, when the tasks were launched. */
  startedAt = Date.now();
  /** When the coordinator stopped everyone, in ms from the common start. */
  stopAtMs: number | undefined;
  private started = false;

  start(leadMs: number): void {
    this.startedAt = Date.now() + leadMs;
    this.started = true;
    this.broadcast({ type: 'start', startAt: this.startedAt });
  }

  stop(): void {
    if (this.started) this.stopAtMs ??= Math.max(0, Date.now() - this.startedAt);
    this.broadcast({ type: 'stop' });
  }

  close(): void {
    for (const link of this.links) link.close();
  }

  private broadcast(m: CoordinatorMessage): void {
    for (const link of this.links) link.send(m);
  }
}

/** The placed tasks' sources: a failure or a loss stops everyone, and every snapshot is merged. */
function track(placed: Placement[], options: ExecuteOptions, control: Control, merge: WindowMerger): Sources {
  const provider = merge.provider;
  const sources: Sources = new Sources(
    placed.flatMap((p) => p.tasks.map((t) => t.source)),
    options.onAgentLoss ?? 'continue',
    {
      elapsedMs: () => Date.now() - control.startedAt,
      merge: (snapshot) => merge.add(snapshot, sources.reporting),
      failed: () => control.stop(),
      lost: (source, reason) => options.logger.warn({ provider, source, reason }, 'source lost'),
    },
  );
  return sources;
}

export interface WindowMerger {
  provider: string;
  /** Merges a snapshot; `reporting` is how many sources each window waits for. */
  add(snapshot: Snapshot, reporting: number): void;
}

/**
 * Merges each snapshot into its window (numbered from `windowOffset`); a window whose every
 * reporting source has delivered is handed to `onWindow`, once.
 */
export function windowMerger(
  provider: string,
  aggregator: Aggregator,
  windowOffset: number,
  onWindow: ExecuteOptions['onWindow'],
): WindowMerger {
  const seen = new Map<number, number>();
  return {
    provider,
    add(snapshot, reporting) {
      snapshot.window += windowOffset;
      aggregator.add(snapshot);
      const count = (seen.get(snapshot.window) ?? 0) + 1;
      seen.set(snapshot.window, count);
      const figures = count === reporting ? aggregator.windowFigures(snapshot.window) : undefined;
      if (figures) onWindow?.(provider, figures);
    },
  };
}

function siteShare({ site, tasks }: Placement, leadMs: number): SiteShare {
  const clock = site.clock?.();
  return {
    site: site.name,
    ...(site.info ? { info: site.info } : {}),
    sources: tasks.map((t) => t.source),
    peakVus: tasks.reduce((n, t) => n + t.peakVus, 0),
    ...(clock ? { clock, startLeadMs: leadMs } : {}),
  };
}

/**
 * What each source owed: until its own end when it finished its work, otherwise until the
 * coordinator's stop or the planned end (`cutMs`).
 */
function shareRecords(sources: Sources, placed: readonly Placement[], firstWindow: number, cutMs: number): ShareRecord[] {
  const remote = new Set(placed.filter((p) => p.site.remote).flatMap((p) => p.tasks.map((t) => t.source)));
  return sources.names.map((source) => {
    const result = sources.result(source);
    return { source, remote: remote.has(source), firstWindow, owedUntilMs: result && !result.stopped ? result.endedMs : cutMs };
  });
}
