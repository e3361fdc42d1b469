import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProviderConfig } from './config.js';
import { UserError, errorMessage } from '../errors.js';
import { settleDialect } from './dialects/index.js';
import type { DatabaseProvider, ProviderClass } from './types.js';

const registry = new Map<string, ProviderClass>();

function add(kind: string, cls: ProviderClass): void {
  if (registry.has(kind)) throw new UserError(`provider kind "${kind}" is already registered`);
  registry.set(kind, cls);
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
  settleDialect(provider);
  return provider;
}

const loaded = new Set<string>();

/**
 * Imports a custom provider's module, which registers its kind on import. Each worker thread (and
 * each agent) calls this itself, so no class ever crosses a thread.
 */
export async function loadProviderModule(config: ProviderConfig, baseDir: string): Promise<void> {
  if (!config.module) return;
  const path = isAbsolute(config.module) ? config.module : resolve(baseDir, config.module);
  if (loaded.has(path)) return;
  try {
    await import(pathToFileURL(path).href);
  } catch (err) {
    throw new UserError(`provider "${config.name}": cannot load module ${config.module}: ${errorMessage(err)}`);
  }
  loaded.add(path);
}
