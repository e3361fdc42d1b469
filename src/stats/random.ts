/** A small seeded generator (mulberry32): the same data always gives the same interval. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of one stream among many drawn from one run seed: a VU's stream is keyed by the run's
 * seed, its provider and its index among all VUs, so how VUs are split across workers and agents
 * never changes what it draws (FNV-1a over the key, then a murmur3 finaliser to spread the bits).
 */
export function streamSeed(seed: number, key: string, index: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = `${key}\u0000${index}\u0000${Math.floor(seed / 4294967296)}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
