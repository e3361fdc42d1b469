import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadScenario } from '../../src/config/load.js';
import { createProvider } from '../../src/providers/index.js';
import { ROOT } from '../helpers/cli.js';

// Docker does not run here: check what can be checked without it, that the compose file
// publishes the five services on loopback and the scenarios target exactly those ports.
test('docker-compose.yml and scenarios/compare-all.yaml agree', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { ports?: string[] }> };
  const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
  assert.deepEqual(published.sort(), [
    '127.0.0.1:3306:3306',
    '127.0.0.1:4222:4222',
    '127.0.0.1:5432:5432',
    '127.0.0.1:5433:5432',
    '127.0.0.1:6432:6432',
  ]);
  const ini = readFileSync(join(ROOT, 'docker', 'pgbouncer', 'pgbouncer.ini'), 'utf8');
  assert.match(ini, /^pool_mode = transaction$/m);
  assert.match(ini, /^listen_port = 6432$/m);

  const { scenario } = loadScenario(join(ROOT, 'scenarios', 'compare-all.yaml'), {});
  const ports = new Set<number>();
  for (const config of scenario.providers) {
    const provider = createProvider(config); // validates DSN and options without connecting
    if (provider.dialect.name === 'postgresql') ports.add(Number(new URL(config.dsn!).port));
  }
  assert.deepEqual([...ports].sort(), [5432, 5433, 6432]);
  const drivers = new Set(scenario.providers.map((p) => createProvider(p).getConnectionInfo().driver));
  assert.deepEqual([...drivers].sort(), ['better-sqlite3', 'pg', 'postgres']);
});

test('scenarios/cross-database.yaml: SQLite, PostgreSQL and MariaDB (the compose ports), one mix written once', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string }> };
  // Pinned: a version, never latest.
  assert.match(compose.services.mariadb!.image!, /^mariadb:\d+\.\d+\.\d+$/);
  const { scenario } = loadScenario(join(ROOT, 'scenarios', 'cross-database.yaml'), {});
  const providers = scenario.providers.map((config) => createProvider(config));
  assert.deepEqual(
    providers.map((p) => p.dialect.name),
    ['sqlite', 'postgresql', 'mysql'],
  );
  assert.deepEqual(
    scenario.providers.filter((c) => c.provider !== 'sqlite').map((c) => Number(new URL(c.dsn!).port)),
    [5432, 3306],
  );
});
