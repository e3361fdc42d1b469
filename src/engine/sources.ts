import type { Snapshot } from '../metrics/snapshot.js';
import type { TaskEvent } from './channel.js';
import type { WorkerResult } from './messages.js';
import { isLive, LAUNCHED, resultOf, type SourceEffect, type SourceState, sourceTransition } from './source-state.js';

/** What to do when an agent goes silent mid-run. */
export type AgentLossPolicy = 'continue' | 'abort';

export interface LostSource {
  source: string;
  reason: string;
  /** Milliseconds after the common start when the loss was declared. */
  atMs: number;
}

export interface SourceHooks {
  /** Milliseconds since the common start (negative before it). */
  elapsedMs(): number;
  merge(snapshot: Snapshot): void;
  /** The run failed: everyone is told to stop. */
  failed(): void;
  lost(source: string, reason: string): void;
}

/**
 * The sources of one provider run, each in its state (source-state.ts), and what the run waits
 * for: `settled` holds the common start until every source is ready or over (or the run failed),
 * `over` holds the end until every source is done, failed or lost.
 */
export class Sources {
  private readonly states: Map<string, SourceState>;
  private firstFailure: string | undefined;
  private settle!: () => void;
  private end!: () => void;
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve));
  readonly over = new Promise<void>((resolve) => (this.end = resolve));

  constructor(
    readonly names: readonly string[],
    private readonly policy: AgentLossPolicy,
    private readonly hooks: SourceHooks,
  ) {
    this.states = new Map(names.map((name) => [name, LAUNCHED]));
  }

  /** What a task sent, or that its agent was lost. */
  event(source: string, event: TaskEvent): void {
    const state = this.states.get(source);
    if (!state) return;
    const step = sourceTransition(state, event.type === 'lost' ? { ...event, atMs: this.hooks.elapsedMs() } : event);
    this.states.set(source, step.state);
    for (const effect of step.effects) this.apply(source, effect);
    if (step.state !== state) this.check();
  }

  /** The common start went out: every ready source is running. */
  started(): void {
    for (const [name, state] of this.states) this.states.set(name, sourceTransition(state, { type: 'start' }).state);
  }

  /** Sources that never said ready fail the run, named together. */
  readyTimeout(message: string): void {
    const unready = this.names.filter((name) => this.states.get(name)!.phase === 'launched');
    if (unready.length === 0) return;
    this.fail(unready.join(', '), message);
    for (const source of unready) this.event(source, { type: 'failed', message });
  }

  /** The run's first failure, `source: message`. */
  get failure(): string | undefined {
    return this.firstFailure;
  }

  /** Sources whose snapshots a window waits for: every one not lost. */
  get reporting(): number {
    return this.names.filter((name) => this.states.get(name)!.phase !== 'lost').length;
  }

  /** Each worker's own count, in source order. */
  results(): WorkerResult[] {
    return this.names.flatMap((name) => resultOf(this.states.get(name)!) ?? []);
  }

  result(source: string): WorkerResult | undefined {
    return resultOf(this.states.get(source)!);
  }

  /** Lost sources, in the order they were lost. */
  lost(): LostSource[] {
    return this.names
      .flatMap((source) => {
        const state = this.states.get(source)!;
        return state.phase === 'lost' ? [{ source, reason: state.reason, atMs: state.atMs }] : [];
      })
      .sort((a, b) => a.atMs - b.atMs);
  }

  private apply(source: string, effect: SourceEffect): void {
    if (effect.type === 'merge') return this.hooks.merge(effect.snapshot);
    if (effect.type === 'fail') return this.fail(source, effect.message);
    this.hooks.lost(source, effect.reason);
    // Going on makes sense only while someone still runs load.
    if (this.policy === 'abort' || this.reporting === 0) this.fail(source, effect.reason);
  }

  private fail(source: string, message: string): void {
    this.firstFailure ??= `${source}: ${message}`;
    this.hooks.failed();
    this.settle();
  }

  private check(): void {
    const phases = [...this.states.values()].map((s) => s.phase);
    if (!phases.includes('launched')) this.settle();
    if (!phases.some(isLive)) this.end();
  }
}
