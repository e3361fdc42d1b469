import type { ProviderConfig } from './config.js';
import type { DatabaseProvider, Executable, PerformanceMetrics, Session } from './types.js';

type Row = Record<string, unknown>;

/**
 * The guide's provider skeleton is a name, a session provider, initialize, close, healthCheck,
 * connection info and performance metrics. A kind written that way gets the rest here, once, when
 * it is created: its config, its kind as its name, shared across instances (a server database),
 * statements run on a session of its own session provider, and metrics in the report's shape
 * (the guide returns a free-form object: it becomes the server facts).
 */
export function completeProvider(provider: DatabaseProvider, kind: string, config: ProviderConfig): void {
  const p = provider as unknown as Record<string, unknown>;
  const fill = (member: string, value: unknown): void => {
    if (p[member] === undefined) Object.defineProperty(provider, member, { value, enumerable: true, writable: true });
  };
  fill('config', config);
  fill('providerName', kind);
  fill('sharedAcrossInstances', true);
  const onSession = async (sql: string, params: readonly unknown[]): Promise<Row[]> => {
    const sessions = provider.sessionProvider;
    const session: Session = await sessions.createSession();
    try {
      return await session.query(sql, params);
    } finally {
      await sessions.closeSession(session);
    }
  };
  fill('execute', (sql: string, params: readonly unknown[] = []) => onSession(sql, params));
  fill('prepareQuery', (sql: string, params: readonly unknown[] | (() => readonly unknown[])): Executable =>
    typeof params === 'function' ? () => onSession(sql, params()) : () => onSession(sql, params),
  );
  fill('getConnectionInfo', () => ({ name: config.name, provider: kind, driver: 'custom' }));
  const metrics = typeof p.getPerformanceMetrics === 'function' ? (p.getPerformanceMetrics as () => unknown).bind(provider) : undefined;
  Object.defineProperty(provider, 'getPerformanceMetrics', {
    value: async (): Promise<PerformanceMetrics> => asMetrics(await metrics?.()),
    enumerable: true,
    writable: true,
  });
}

function asMetrics(value: unknown): PerformanceMetrics {
  const v = value as Partial<PerformanceMetrics> | null | undefined;
  if (v && typeof v === 'object' && v.server && v.counters) return v as PerformanceMetrics;
  return { server: v && typeof v === 'object' ? v : {}, counters: {} };
}
