import type { Executable, Session, SessionProvider, VuContext } from '../providers/types.js';

/** Begin, the body on one session, commit; any error rolls back and is rethrown to be counted. */
export async function inTransaction(sessions: SessionProvider, body: (session: Session) => Promise<void>): Promise<void> {
  const session = await sessions.createSession();
  try {
    await sessions.beginTransaction(session);
    try {
      await body(session);
      await sessions.commitTransaction(session);
    } catch (err) {
      await sessions.rollbackTransaction(session).catch(() => {});
      throw err;
    }
  } finally {
    await sessions.closeSession(session);
  }
}

/**
 * A driver with one connection per handle (better-sqlite3) shares it between every session of a
 * worker: two VUs' transactions must not interleave on it, so they take turns.
 */
export function serialized(run: (vu: VuContext) => Promise<void>): Executable {
  let tail: Promise<unknown> = Promise.resolve();
  return (vu) => {
    const next = tail.then(() => run(vu));
    tail = next.catch(() => {});
    return next;
  };
}
