import type { DatabaseProviderConfig } from '../config/manager.js';
import type { DatabaseProvider } from '../providers/types.js';
import type { SqlUnitOfWork } from '../uow/unit-of-work.js';
import { EnhancedContainer } from './enhanced.js';

/** The single-database API of old, kept for callers that know one database only. */
export class LegacyContainer {
  private readonly inner: EnhancedContainer;

  constructor(config: DatabaseProviderConfig, baseDir?: string) {
    this.inner = new EnhancedContainer({ providers: [config] }, baseDir);
  }

  initialize(): Promise<void> {
    return this.inner.initialize();
  }
  get provider(): DatabaseProvider {
    return this.inner.getProvider();
  }
  makeUow(): SqlUnitOfWork {
    return this.inner.makeUow();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
