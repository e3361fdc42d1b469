import { type DatabaseManagerConfig, type ValidatedManagerConfig, validateManagerConfig } from '../config/manager.js';
import { redact } from '../util/secrets.js';
import { UserError, errorMessage } from '../errors.js';
import { createProvider, loadProviderModule } from '../providers/index.js';
import type { DatabaseProvider } from '../providers/types.js';
import { SqlUnitOfWork } from '../uow/unit-of-work.js';

/** Several providers at once, so that they can be compared: the library's entry to the data layer. */
export class EnhancedContainer {
  readonly config: ValidatedManagerConfig;
  private readonly providers = new Map<string, DatabaseProvider>();

  constructor(
    config: DatabaseManagerConfig,
    /** Where a provider's `module` path resolves from. */
    private readonly baseDir = process.cwd(),
  ) {
    this.config = validateManagerConfig(config);
  }

  /**
   * Opens every provider in parallel and health-checks each. If any fails, the others are closed
   * and the error names every provider that failed.
   */
  async initialize(): Promise<void> {
    if (this.providers.size > 0) return;
    const results = await Promise.allSettled(this.config.providers.map((config) => this.open(config)));
    const opened = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
    if (failures.length > 0) {
      await Promise.allSettled(opened.map((p) => p.close()));
      throw new UserError(redact(failures.join('; ')));
    }
    for (const p of opened) this.providers.set(p.config.name, p);
  }

  private async open(config: ValidatedManagerConfig['providers'][number]): Promise<DatabaseProvider> {
    await loadProviderModule(config, this.baseDir);
    const provider = createProvider(config);
    try {
      await provider.initialize();
      if (!(await provider.healthCheck())) {
        // The health check says only no; one statement says why.
        const why = await provider.execute('SELECT 1').then(
          () => 'health check failed',
          (err: unknown) => errorMessage(err),
        );
        throw new Error(why);
      }
    } catch (err) {
      await provider.close().catch(() => {});
      throw new UserError(`provider "${config.name}": ${errorMessage(err)}`);
    }
    return provider;
  }

  get providerNames(): string[] {
    return this.config.providers.map((p) => p.name);
  }

  getProvider(name = this.config.defaultProvider): DatabaseProvider {
    const provider = this.providers.get(name);
    if (provider) return provider;
    if (!this.providerNames.includes(name))
      throw new UserError(`unknown provider "${name}" (configured: ${this.providerNames.join(', ')})`);
    throw new Error('the container is not initialized: call initialize() first');
  }

  /** A unit of work on the named provider, or on the default one. */
  makeUow(name?: string): SqlUnitOfWork {
    return new SqlUnitOfWork(this.getProvider(name));
  }

  async close(): Promise<void> {
    const providers = [...this.providers.values()];
    this.providers.clear();
    await Promise.allSettled(providers.map((p) => p.close()));
  }
}
