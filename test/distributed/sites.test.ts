import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { type Agent, startAgent, startNats, uniquePrefix } from '../helpers/nats.js';
import { PG_HOST, PG_PORT } from '../helpers/pg.js';
import { startProxy } from '../helpers/proxy.js';

test('each site has percentiles of its own: an agent 50 ms from its database shows it', async () => {
  const nats = await startNats();
  // The far agent reaches PostgreSQL through 25 ms each way: every query costs a 50 ms round trip more.
  const far = await startProxy(PG_PORT, PG_HOST);
  far.setDelay(25, 25);
  const dir = tempDir();
  const providers = (port: number): string => {
    const file = join(dir, `providers-${port}.yaml`);
    writeFileSync(file, `providers:\n  - name: pg\n    provider: postgresql\n    dsn: postgres://postgres@${PG_HOST}:${port}/postgres\n`);
    return file;
  };
  const scenario = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: postgres://postgres@${PG_HOST}:${PG_PORT}/postgres
workload:
  - type: query
    sql: SELECT 1
profile: { type: constant-vus, vus: 4, duration: 3s, thinkTime: 10ms }
`);
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...common, '--name', 'near', '--workers', '1', '--providers', providers(PG_PORT)]));
    agents.push(await startAgent([...common, '--name', 'far', '--workers', '1', '--providers', providers(far.port)]));
    const out = join(dir, 'r.json');
    const r = await runCli(['run', scenario, ...common, '--agents', 'near,far', '--no-local', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const p = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!;
    const site = (name: string): Report['providers'][0]['sites'][0] => p.sites.find((s) => s.site === name)!;
    assert.ok(site('far').latencyUs.p50 >= 45_000, `far p50 ${site('far').latencyUs.p50} µs`);
    assert.ok(site('near').latencyUs.p50 < 20_000, `near p50 ${site('near').latencyUs.p50} µs`);
    // Each site's histogram holds exactly its own operations.
    for (const s of p.sites) assert.equal(s.latencyUs.count, s.ok, s.site);
    assert.equal(site('far').latencyUs.count + site('near').latencyUs.count, p.total.ok);
    assert.match(r.stdout, /far on .*, p50 \d+\.\d+ ms, p99 \d+\.\d+ ms/);
  } finally {
    for (const a of agents) a.child.kill('SIGTERM');
    await Promise.all(agents.map((a) => a.result));
    await far.close();
    await nats.stop();
  }
});
