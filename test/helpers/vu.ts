import type { VuContext } from '../../src/providers/types.js';
import { seededRandom } from '../../src/stats/random.js';

/** A VU context for calling a compiled operation outside the engine: VU 0 of 1, seeded. */
export function aVu(id = 0, vus = 1, seed = 1): VuContext {
  return { id, vus, random: seededRandom(seed), iteration: 0, state: {} };
}
