import type { ProviderConfig } from './config.js';
import { UserError, errorMessage } from '../errors.js';
import { importUserModule, modulePath } from '../util/modules.js';
import { completeProvider } from './defaults.js';
import { settleDialect } from './dialects/index.js';
import { registeringModule } from './registering-module.js';
import type { DatabaseProvider, ProviderClass } from './types.js';

const registry = new Map<string, ProviderClass>();
/** The module that registered each custom kind: worker threads and agents import it to have the kind too. */
const registeredBy = new Map<string, string>();

function add(kind: string, cls: ProviderClass): void {
  if (registry.has(kind)) throw new UserError(`provider kind "${kind}" is already registered`);
  registry.set(kind, cls);
  const from = registeringModule();
  if (from) registeredBy.set(kind, from);
}

/**
 * Registers a provider class under a kind. Works as a class decorator
 * (`@registerProvider('mine') class Mine …`) and as a plain call (`registerProvider('mine', Mine)`).
 */
export function registerProvider(kind: string, cls: ProviderClass): ProviderClass;
export function registerProvider(kind: string): <C extends ProviderClass>(cls: C, context?: unknown) => C;
export function registerProvider(kind: string, cls?: ProviderClass): unknown {
  if (cls) {
    add(kind, cls);
    return cls;
  }
  return <C extends ProviderClass>(target: C): C => {
    add(kind, target);
    return target;
  };
}

export function registeredKinds(): string[] {
  return [...registry.keys()].sort();
}

export function createProvider(config: ProviderConfig): DatabaseProvider {
  const cls = registry.get(config.provider);
  if (!cls) {
    throw new UserError(`provider "${config.name}": unknown kind "${config.provider}" (registered: ${registeredKinds().join(', ')})`);
  }
  const provider = new cls(config);
  completeProvider(provider, config.provider, config);
  settleDialect(provider);
  return provider;
}

/**
 * The provider as a worker task carries it: a custom kind registered in this process without a
 * `module:` (the guide's way: `registerProvider` in the main program) names the module that
 * registered it, which each worker thread and agent imports. `elsewhere`: the task leaves this thread.
 */
export function shippedProvider(config: ProviderConfig, elsewhere: boolean): ProviderConfig {
  const from = config.module ? undefined : registeredBy.get(config.provider);
  if (!from || !elsewhere) return config;
  if (from === mainScript()) {
    throw new UserError(
      `provider "${config.name}": kind "${config.provider}" is registered by the main script ${from}, which worker threads ` +
        'would run again when they import it: move the class into a module of its own that the script imports, or run with workers: 0',
    );
  }
  return { ...config, module: from };
}

function mainScript(): string | undefined {
  return process.argv[1] && modulePath(process.argv[1], process.cwd());
}

const loaded = new Set<string>();

/**
 * Imports a custom provider's module, which registers its kind on import. Each worker thread (and
 * each agent) calls this itself, so no class ever crosses a thread.
 */
export async function loadProviderModule(config: ProviderConfig, baseDir: string): Promise<void> {
  if (!config.module) return;
  const path = modulePath(config.module, baseDir);
  // A kind registered in this thread already (the main program's own) needs no second import.
  if (loaded.has(path) || registeredBy.get(config.provider) === path) return;
  try {
    await importUserModule(path);
  } catch (err) {
    throw new UserError(`provider "${config.name}": cannot load module ${config.module}: ${errorMessage(err).split('\n')[0]}`);
  }
  loaded.add(path);
}
