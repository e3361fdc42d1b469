import type { VuContext } from '../providers/types.js';
import { seededRandom, streamSeed } from '../stats/random.js';

/** Where a worker's VUs sit among all the VUs of a provider's run, and the seed they draw from. */
export interface VuPlacement {
  seed: number;
  /** The provider's name: two providers' VUs draw different streams from one seed. */
  provider: string;
  /** The id of this worker's first VU: the peak VUs of the shares before it. */
  firstId: number;
  /** VUs of the whole run at its peak, over every worker and agent. */
  vus: number;
}

/**
 * A worker's VU slots. A starting VU takes the lowest free slot and that slot's context: a VU
 * started in place of a retired one goes on with the same id and stream, as k6 reuses `__VU`.
 * Slot k of the worker is VU `firstId + k` of the run, so a split across workers or agents
 * changes which thread runs a VU, never what it draws.
 */
export class VuStreams {
  private readonly contexts: VuContext[] = [];
  private readonly free: number[] = [];

  constructor(private readonly placement: VuPlacement) {}

  take(): VuContext {
    const slot = this.free.length > 0 ? this.lowestFree() : this.contexts.length;
    return (this.contexts[slot] ??= this.context(slot));
  }

  release(vu: VuContext): void {
    this.free.push(vu.id - this.placement.firstId);
  }

  private lowestFree(): number {
    let at = 0;
    for (let i = 1; i < this.free.length; i++) if (this.free[i]! < this.free[at]!) at = i;
    return this.free.splice(at, 1)[0]!;
  }

  private context(slot: number): VuContext {
    const { seed, provider, firstId, vus } = this.placement;
    const id = firstId + slot;
    return { id, vus, random: seededRandom(streamSeed(seed, provider, id)), iteration: 0, state: {} };
  }
}
