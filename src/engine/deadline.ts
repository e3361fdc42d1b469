/**
 * How long one of the tool's own steps on a provider may take: the connect check, setup, a server
 * metrics read, the end-of-run count, teardown. A healthy server answers them in milliseconds (a
 * count over a long run's rows in seconds); past this it is not answering (stopped, unreachable,
 * a driver waiting on a dead connection), and the run's report must not wait for it.
 */
export const TOOL_STEP_TIMEOUT_MS = 15_000;

/**
 * How long setup and teardown wait for a lock (another run's setup or teardown, a session reading
 * the table) before giving up: a DROP waiting in the lock queue stalls every later reader of the
 * table. Shorter than the step's timeout, so the server's own clear error comes first.
 */
export const LOCK_WAIT_MS = 5_000;

/**
 * `step`, or a rejection once the timeout passes. A signal that aborts while the step runs (Ctrl-C
 * in the end-of-run phase) abandons it at once; one aborted before it started does not, since a
 * stopped run still counts its rows and tears down.
 */
export function bounded<T>(what: string, step: Promise<T>, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const { timeoutMs = TOOL_STEP_TIMEOUT_MS, signal } = options;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const cut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    if (signal && !signal.aborted) {
      onAbort = () => reject(new Error(`${what}: interrupted`));
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  // An abandoned step may still fail later: that is not an unhandled rejection.
  step.catch(() => {});
  return Promise.race([step, cut]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}
