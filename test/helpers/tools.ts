import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Every program a test runs besides Node: the Debian package that installs it (`.ci/services.sh`
 * installs the lot) and the directory it is in when that may not be on PATH.
 */
export const TOOLS = {
  // PostgreSQL's server binaries, for throwaway servers: version 15's own directory, never PATH.
  postgres: { apt: 'postgresql-15', dir: '/usr/lib/postgresql/15/bin', only: true },
  initdb: { apt: 'postgresql-15', dir: '/usr/lib/postgresql/15/bin', only: true },
  pgbouncer: { apt: 'pgbouncer', dir: '/usr/sbin' },
  'nats-server': { apt: 'nats-server', dir: '/usr/sbin' },
  openssl: { apt: 'openssl' },
  iptables: { apt: 'iptables', dir: '/usr/sbin' },
  faketime: { apt: 'faketime' },
  mariadbd: { apt: 'mariadb-server', dir: '/usr/sbin' },
  'mariadb-install-db': { apt: 'mariadb-server', dir: '/usr/bin' },
  sysbench: { apt: 'sysbench' },
  chromium: { apt: 'chromium' },
  xmllint: { apt: 'libxml2-utils' },
} satisfies Record<string, { apt: string; dir?: string; only?: boolean }>;

export type Tool = keyof typeof TOOLS;

/** A missing tool: one line naming it and how to install it, with no stack to read past. */
export class MissingTool extends Error {
  constructor(tool: Tool) {
    super(
      `${tool} is not installed: apt-get install -y ${TOOLS[tool].apt} (or bash .ci/services.sh, which installs every tool the tests need)`,
    );
    this.name = 'MissingTool';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * The path of a program a test is about to run, or a MissingTool error: a machine without it
 * fails the test on that line instead of on a spawn error (ENOENT, "exited (-2)") far from the cause.
 */
export function requireTool(tool: Tool, searchPath = process.env.PATH ?? ''): string {
  const { dir, only } = TOOLS[tool] as { dir?: string; only?: boolean };
  const dirs = [...(dir ? [dir] : []), ...(only ? [] : searchPath.split(delimiter).filter(Boolean))];
  for (const d of dirs) {
    const path = join(d, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new MissingTool(tool);
}
