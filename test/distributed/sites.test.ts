import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { type Agent, pgCluster, startAgent, startNats, stopAgents, uniquePrefix } from '../helpers/nats.js';
import { PG_HOST, PG_PORT } from '../helpers/pg.js';
import { startProxy } from '../helpers/proxy.js';

test('each site has percentiles of its own: an agent 50 ms from its database shows it', async () => {
  const nats = await startNats();
  // The far agent reaches PostgreSQL through 25 ms each way: every query costs a 50 ms round trip more.
  const far = await startProxy(PG_PORT, PG_HOST);
  far.setDelay(25, 25);
  const { scenario, providers } = pgCluster(3);
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...common, '--name', 'near', '--workers', '1', '--providers', providers(PG_HOST, PG_PORT)]));
    agents.push(await startAgent([...common, '--name', 'far', '--workers', '1', '--providers', providers(PG_HOST, far.port)]));
    const out = join(tempDir(), 'r.json');
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
    await stopAgents(agents);
    await far.close();
    await nats.stop();
  }
});
