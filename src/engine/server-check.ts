import { errorMessage } from '../errors.js';
import type { DatabaseProvider, PerformanceMetrics } from '../providers/types.js';
import { bounded } from './deadline.js';

/** The server's own view of a provider run, kept next to the client's figures. */
export interface ServerFigures {
  before?: PerformanceMetrics;
  after?: PerformanceMetrics;
  /** after − before for every counter. */
  delta?: Record<string, number>;
  check?: OperationCheck;
  /** Why figures are missing: a read that failed, did not answer in time, or was interrupted. */
  error?: string;
}

/**
 * The client's ok count against the server's counter of committed operations. Every successful
 * autocommit operation is one server commit, so the server must have seen at least as many; the
 * excess is the tool's own statements (setup, these reads) and any other client of the database.
 */
export interface OperationCheck {
  counter: string;
  clientOk: number;
  server: number;
  excess: number;
  match: boolean;
}

export type MetricsRead = { metrics: PerformanceMetrics; error?: undefined } | { metrics?: undefined; error: string };

/** A provider that cannot tell (a custom one whose metrics fail, a server gone away) gives a note, never a failed run. */
export async function readServerMetrics(provider: DatabaseProvider, signal?: AbortSignal): Promise<MetricsRead> {
  try {
    const m = await bounded('server metrics', provider.getPerformanceMetrics(), { signal });
    // A custom module written in plain JS may return fewer fields than the type promises.
    return { metrics: { ...m, server: m?.server ?? {}, counters: m?.counters ?? {} } };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

const POLL_MS = 200;

/**
 * Reads the counters again until they account for the client's ok count or the provider's lag has
 * passed; Ctrl-C while it waits ends the wait.
 */
export async function serverFigures(
  provider: DatabaseProvider,
  before: PerformanceMetrics,
  clientOk: number,
  signal?: AbortSignal,
): Promise<ServerFigures> {
  const counter = before.operationCounter;
  const deadline = Date.now() + (before.lagMs ?? 0);
  const interrupted = signal && !signal.aborted ? (): boolean => signal.aborted : (): boolean => false;
  const behind = (m: PerformanceMetrics): boolean => !!counter && (m.counters[counter] ?? 0) - (before.counters[counter] ?? 0) < clientOk;
  let read = await readServerMetrics(provider, signal);
  while (read.metrics && behind(read.metrics) && Date.now() < deadline && !interrupted()) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    read = await readServerMetrics(provider, signal);
  }
  const after = read.metrics;
  if (!after) return { before, error: `after the run: ${read.error}` };
  const delta = Object.fromEntries(Object.entries(after.counters).map(([k, v]) => [k, v - (before.counters[k] ?? 0)]));
  const figures: ServerFigures = { before, after, delta };
  if (interrupted() && behind(after)) figures.error = "interrupted before the server's counters caught up";
  else if (counter && delta[counter] !== undefined) {
    const server = delta[counter];
    figures.check = { counter, clientOk, server, excess: server - clientOk, match: server >= clientOk };
  }
  return figures;
}

/** Two blocks of one provider's interleaved run as one: deltas and checks add up; a failed read is kept. */
export function combineServerFigures(a: ServerFigures, b: ServerFigures): ServerFigures {
  const figures: ServerFigures = { before: a.before ?? b.before, after: b.after ?? a.after };
  if (a.delta && b.delta) {
    const delta = { ...a.delta };
    for (const [k, v] of Object.entries(b.delta)) delta[k] = (delta[k] ?? 0) + v;
    figures.delta = delta;
  }
  if (a.check && b.check) {
    const clientOk = a.check.clientOk + b.check.clientOk;
    const server = a.check.server + b.check.server;
    figures.check = { counter: b.check.counter, clientOk, server, excess: server - clientOk, match: a.check.match && b.check.match };
  }
  const errors = [a.error, b.error].filter(Boolean);
  if (errors.length) figures.error = errors.join('; ');
  return figures;
}
