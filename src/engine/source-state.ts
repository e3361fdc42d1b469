import type { Snapshot } from '../metrics/snapshot.js';
import type { WorkerMessage, WorkerResult } from './messages.js';

/**
 * One source (a worker's share, local or on an agent) as the coordinator tracks it, after
 * Locust's runner states:
 *
 *   launched ─ready→ ready ─start→ running ─done→ done
 *   launched, ready, running ─failed→ failed    (a ready timeout fails a launched source)
 *   launched, ready, running ─lost→ lost        (its agent went silent or stopped on its own)
 *   lost ─done→ lost                            (a late result is kept, the loss stands)
 *
 * Any other event is refused: the state stays as it is and nothing happens. A snapshot is merged
 * in every state, so one that arrives after done or lost still counts.
 */
export type SourceState =
  | { phase: 'launched' }
  | { phase: 'ready' }
  | { phase: 'running' }
  | { phase: 'done'; result: WorkerResult }
  | { phase: 'failed'; message: string }
  | { phase: 'lost'; reason: string; atMs: number; result?: WorkerResult };

export type SourcePhase = SourceState['phase'];

/** What the source's worker sent; that the coordinator started the run; or that its agent was lost. */
export type SourceEvent =
  | WorkerMessage
  | { type: 'start' }
  /** `atMs`: when the loss was declared, in ms from the common start. */
  | { type: 'lost'; message: string; atMs: number };

export type SourceEffect =
  | { type: 'merge'; snapshot: Snapshot }
  /** The run fails (its first failure is the one reported). */
  | { type: 'fail'; message: string }
  /** Say so; the loss policy decides whether the run goes on. */
  | { type: 'lost'; reason: string };

export interface SourceStep {
  state: SourceState;
  effects: SourceEffect[];
}

export const LAUNCHED: SourceState = { phase: 'launched' };

/** The one transition function: pure, so every transition is tested on its own. */
export function sourceTransition(state: SourceState, event: SourceEvent): SourceStep {
  const { phase } = state;
  switch (event.type) {
    case 'snapshot':
      return { state, effects: [{ type: 'merge', snapshot: event.snapshot }] };
    case 'ready':
      return phase === 'launched' ? to({ phase: 'ready' }) : refused(state);
    case 'start':
      return phase === 'ready' ? to({ phase: 'running' }) : refused(state);
    case 'done':
      if (phase === 'running') return to({ phase: 'done', result: event.result });
      if (phase === 'lost') return to({ ...state, result: event.result });
      return refused(state);
    case 'failed':
      return isLive(phase) ? to({ phase: 'failed', message: event.message }, { type: 'fail', message: event.message }) : refused(state);
    case 'lost':
      return isLive(phase)
        ? to({ phase: 'lost', reason: event.message, atMs: event.atMs }, { type: 'lost', reason: event.message })
        : refused(state);
  }
}

/** Not yet done, failed or lost. */
export function isLive(phase: SourcePhase): boolean {
  return phase === 'launched' || phase === 'ready' || phase === 'running';
}

/** The worker's own count, when it delivered one (a lost source's may come late). */
export function resultOf(state: SourceState): WorkerResult | undefined {
  return state.phase === 'done' || state.phase === 'lost' ? state.result : undefined;
}

function to(state: SourceState, ...effects: SourceEffect[]): SourceStep {
  return { state, effects };
}

function refused(state: SourceState): SourceStep {
  return { state, effects: [] };
}
