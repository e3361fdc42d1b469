import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { type CliResult, runCli, selectOneScenario, tempDir, writeScenario } from '../helpers/cli.js';
import { startAgent, startNats, type ThrowawayNats, uniquePrefix } from '../helpers/nats.js';
import { startSilentServer } from '../helpers/proxy.js';

let nats: ThrowawayNats;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats.stop();
});

/** The run's result, or 'hang' when it is still going after `ms`. */
function bounded(run: Promise<CliResult>, ms: number): Promise<CliResult | 'hang'> {
  return Promise.race([run, new Promise<'hang'>((r) => setTimeout(() => r('hang'), ms).unref())]);
}

test("a coordinator without the agents' --secret is told why at once, instead of waiting forever", async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agent = await startAgent([...common, '--name', 'strict', '--workers', '1'], { STAMPEDE_SECRET: 'only-the-agent-knows' });
  try {
    const out = join(tempDir(), 'r.json');
    const r = await bounded(
      runCli([
        'run',
        selectOneScenario('  type: iterations\n  vus: 1\n  iterations: 100'),
        ...common,
        '--agents',
        'strict',
        '--no-local',
        '--out',
        out,
      ]),
      20_000,
    );
    assert.notEqual(r, 'hang', 'the coordinator hung at the ready barrier');
    if (r === 'hang') return;
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.match(
      report.providers[0]!.failure ?? '',
      /^strict\/w0: agent strict: unsigned message \(this side requires a shared secret\) \(is --secret the same on both sides\?\)$/,
    );
    assert.doesNotMatch(agent.log(), /running a plan/);
  } finally {
    agent.child.kill('SIGTERM');
    await agent.result;
  }
});

test('the ready barrier has a timeout: an agent whose database never answers fails the run, named', async () => {
  const silent = await startSilentServer();
  const prefix = uniquePrefix();
  const dir = tempDir();
  // The agent's own idea of the database: a host that accepts connections and never answers.
  const providers = join(dir, 'providers.yaml');
  writeFileSync(
    providers,
    `providers:\n  - name: pg\n    provider: postgresql\n    dsn: postgres://postgres@127.0.0.1:${silent.port}/postgres\n`,
  );
  const scenario = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: postgres://postgres@127.0.0.1:5432/postgres
workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 1, iterations: 100 }
`);
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agent = await startAgent([...common, '--name', 'stuck', '--workers', '1', '--providers', providers]);
  try {
    const out = join(dir, 'r.json');
    const r = await bounded(
      runCli(['run', scenario, ...common, '--agents', 'stuck', '--workers', '1', '--ready-timeout', '2s', '--out', out]),
      20_000,
    );
    assert.notEqual(r, 'hang', 'the coordinator hung at the ready barrier');
    if (r === 'hang') return;
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.equal(report.status, 'failed');
    // Only the agent's task held the barrier: the local worker was ready.
    assert.match(report.providers[0]!.failure ?? '', /^stuck\/w0: not ready within 2s \(--ready-timeout\)$/);
    assert.equal(report.providers[0]!.total.ok, 0);
  } finally {
    agent.child.kill('SIGKILL');
    await agent.result;
    await silent.close();
  }
});
