import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function findVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'stampede' && pkg.version) return pkg.version;
    } catch {
      // not at this depth: src/ under tsx, dist/src/ when compiled
    }
  }
  return '0.0.0';
}

export const VERSION = findVersion();
