import type { DatabaseProvider, PerformanceMetrics } from '../providers/types.js';

/** The server's own view of a provider run, kept next to the client's figures. */
export interface ServerFigures {
  before: PerformanceMetrics;
  after: PerformanceMetrics;
  /** after − before for every counter. */
  delta: Record<string, number>;
  check?: OperationCheck;
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

/** A provider that cannot tell (a custom one whose metrics fail) gives no figures, not a failed run. */
export async function readServerMetrics(provider: DatabaseProvider): Promise<PerformanceMetrics | undefined> {
  try {
    const m = await provider.getPerformanceMetrics();
    // A custom module written in plain JS may return fewer fields than the type promises.
    return { ...m, server: m?.server ?? {}, counters: m?.counters ?? {} };
  } catch {
    return undefined;
  }
}

const POLL_MS = 200;

/** Reads the counters again until they account for the client's ok count or the provider's lag has passed. */
export async function serverFigures(provider: DatabaseProvider, before: PerformanceMetrics, clientOk: number): Promise<ServerFigures | undefined> {
  const counter = before.operationCounter;
  const deadline = Date.now() + (before.lagMs ?? 0);
  let after = await readServerMetrics(provider);
  while (after && counter && (after.counters[counter] ?? 0) - (before.counters[counter] ?? 0) < clientOk && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    after = await readServerMetrics(provider);
  }
  if (!after) return undefined;
  const delta = Object.fromEntries(Object.entries(after.counters).map(([k, v]) => [k, v - (before.counters[k] ?? 0)]));
  const figures: ServerFigures = { before, after, delta };
  if (counter && delta[counter] !== undefined) {
    const server = delta[counter];
    figures.check = { counter, clientOk, server, excess: server - clientOk, match: server >= clientOk };
  }
  return figures;
}

/** Two blocks of one provider's interleaved run as one: deltas and checks add up. */
export function combineServerFigures(a: ServerFigures, b: ServerFigures): ServerFigures {
  const delta = { ...a.delta };
  for (const [k, v] of Object.entries(b.delta)) delta[k] = (delta[k] ?? 0) + v;
  const figures: ServerFigures = { before: a.before, after: b.after, delta };
  if (a.check && b.check) {
    const clientOk = a.check.clientOk + b.check.clientOk;
    const server = a.check.server + b.check.server;
    figures.check = { counter: b.check.counter, clientOk, server, excess: server - clientOk, match: a.check.match && b.check.match };
  }
  return figures;
}
