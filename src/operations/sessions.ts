import type { Session, SessionProvider } from '../providers/types.js';

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
