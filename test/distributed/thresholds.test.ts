import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { type Agent, startAgent, startNats, stopAgents, type ThrowawayNats, uniquePrefix } from '../helpers/nats.js';
import { adminQuery, freshDatabase } from '../helpers/pg.js';

let local: Awaited<ReturnType<typeof freshDatabase>>;
let remote: Awaited<ReturnType<typeof freshDatabase>>;
let nats: ThrowawayNats;
before(async () => {
  [local, remote, nats] = await Promise.all([freshDatabase(), freshDatabase(), startNats()]);
  // One statement, two databases: it answers on the local workers' and raises on the agent's.
  await adminQuery('CREATE FUNCTION probe() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', [], local.name);
  await adminQuery(
    `CREATE FUNCTION probe() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'agent side'; END $$`,
    [],
    remote.name,
  );
});
after(async () => {
  await nats.stop();
  await Promise.all([local.drop(), remote.drop()]);
});

test("a threshold sees the agent's share: only the agent's load breaks it, and the merged report fails it (exit 4)", async () => {
  const dir = tempDir();
  const out = join(dir, 'r.json');
  const providers = join(dir, 'providers.yaml');
  writeFileSync(providers, `providers:\n  - name: pg\n    provider: postgresql\n    dsn: ${remote.dsn}\n`);
  const scenario = writeScenario(`name: shared-gate
providers:
  - { name: pg, provider: postgresql, dsn: "${local.dsn}" }
workload:
  - { name: probe, type: query, sql: SELECT probe() }
profile: { type: iterations, vus: 2, iterations: 400 }
thresholds:
  - "error_rate < 1%"
  - "failed < 1"
`);
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...common, '--name', 'east', '--workers', '1', '--providers', providers]));
    const r = await runCli(['run', scenario, ...common, '--agents', 'east', '--workers', '1', '--out', out, '--no-live']);
    assert.equal(r.code, 4, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    const site = (name: string): Report['providers'][0]['sites'][0] => p.sites.find((s) => s.site === name)!;
    assert.equal(p.total.count, 400);
    // The local workers' share passed on its own; every failure is the agent's.
    assert.equal(site('local').failed, 0);
    assert.ok(site('east').failed > 0);
    assert.equal(p.total.failed, site('east').failed);
    assert.deepEqual(
      report.thresholds!.map((t) => [t.expression, t.measured, t.ok]),
      [
        ['error_rate < 1%', p.total.failed / 400, false],
        ['failed < 1', p.total.failed, false],
      ],
    );
    assert.match(r.stdout, /thresholds: 2 of 2 failed\n/);
  } finally {
    await stopAgents(agents);
  }
});
