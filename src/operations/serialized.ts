/** The last call in each owner's queue. */
const tails = new WeakMap<object, Promise<unknown>>();

/**
 * A driver with one connection per handle (better-sqlite3) shares it between every session of a
 * worker: two VUs' transactions (or scripts) must not interleave on it, so every call queued on
 * the same owner (the worker's provider) takes its turn.
 */
export function serialized<A extends unknown[]>(owner: object, run: (...args: A) => unknown): (...args: A) => Promise<unknown> {
  return (...args) => {
    const next = (tails.get(owner) ?? Promise.resolve()).then(() => run(...args));
    tails.set(
      owner,
      next.catch(() => {}),
    );
    return next;
  };
}
