import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { startCli, tempDir, writeScenario } from '../helpers/cli.js';
import { type Agent, capture, startAgent, startNats, type ThrowawayNats, uniquePrefix, waitForOutput } from '../helpers/nats.js';
import { adminQuery, freshDatabase } from '../helpers/pg.js';

let nats: ThrowawayNats;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats.stop();
});

const memScenario = (seconds: number): string =>
  writeScenario(`providers:
  - name: mem
    provider: sqlite_memory
workload:
  - type: query
    sql: SELECT 1
profile: { type: constant-vus, vus: 3, duration: ${seconds}s }
`);

async function stopAll(agents: Agent[]): Promise<void> {
  for (const a of agents) if (a.child.exitCode === null) a.child.kill('SIGTERM');
  await Promise.all(agents.map((a) => a.result));
}

test('SIGKILL of an agent mid-run: it is marked lost, the run ends degraded (exit 3), exactly the windows without its share are flagged', async () => {
  const prefix = uniquePrefix();
  const out = join(tempDir(), 'report.json');
  const common = ['--nats', nats.url, '--prefix', prefix];
  const wire = await capture(nats.url, prefix);
  const agents = [
    await startAgent([...common, '--name', 'stays', '--workers', '1']),
    await startAgent([...common, '--name', 'dies', '--workers', '1']),
  ];
  try {
    const { child, result } = startCli([
      'run',
      memScenario(7),
      ...common,
      '--agents',
      '2',
      '--workers',
      '1',
      '--agent-loss-after',
      '2s',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    await waitForOutput(child.stderr!, /\[\s+2s\]/);
    const killedAt = Date.now();
    agents[1]!.child.kill('SIGKILL');
    const r = await result;
    assert.equal(r.code, 3, r.stderr);
    await wire.nc.flush();

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'degraded');
    assert.equal(p.degraded, true);
    const dies = p.sites.find((s) => s.site === 'dies')!;
    assert.match(dies.lost?.reason ?? '', /dies silent for \d+ ms/);
    assert.equal(p.sites.find((s) => s.site === 'stays')!.lost, undefined);
    // The loss was declared while the run still went on (it did not wait for the end).
    assert.ok(dies.lost!.atMs < p.durationSec * 1000, `lost at ${dies.lost!.atMs} ms of ${p.durationSec} s`);

    // The truth, from the wire: the windows the killed agent did deliver.
    const delivered = new Set<number>();
    for (const m of wire.messages) {
      const body = JSON.parse(m.text) as { type?: string; source?: string; message?: { type: string; snapshot?: { window: number } } };
      if (body.type === 'worker' && body.source === 'dies/w0' && body.message?.type === 'snapshot')
        delivered.add(body.message.snapshot!.window);
    }
    assert.ok(delivered.size >= 1, 'the agent ran before it was killed');
    for (const w of p.windows) {
      // A tail window after the planned 7 s (in-flight operations finishing) is owed by no one.
      assert.equal(w.degraded === true, !delivered.has(w.window) && w.startMs < 7000, `window ${w.window}`);
      if (w.degraded) assert.deepEqual(w.missing, ['dies/w0']);
    }
    assert.ok(
      p.windows.some((w) => w.degraded),
      'windows after the kill are degraded',
    );
    assert.ok(
      p.windows.some((w) => !w.degraded),
      'windows before the kill are not',
    );
    assert.match(r.stdout, /dies .*LOST after/);
    assert.match(r.stdout, /DEGRADED: windows/);

    const lostLine = r.stderr.split('\n').find((l) => l.includes('"source lost"'))!;
    const detectedAt = (JSON.parse(lostLine) as { time: number }).time;
    process.stdout.write(`# loss detected ${detectedAt - killedAt} ms after SIGKILL\n`);
  } finally {
    await stopAll(agents);
    await wire.nc.close();
  }
});

test('--on-agent-loss abort: losing an agent stops everyone and fails the run, naming the agent', async () => {
  const prefix = uniquePrefix();
  const out = join(tempDir(), 'report.json');
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents = [
    await startAgent([...common, '--name', 'a1', '--workers', '1']),
    await startAgent([...common, '--name', 'a2', '--workers', '1']),
  ];
  try {
    const { child, result } = startCli([
      'run',
      memScenario(30),
      ...common,
      '--agents',
      '2',
      '--no-local',
      '--on-agent-loss',
      'abort',
      '--agent-loss-after',
      '2s',
      '--out',
      out,
    ]);
    await waitForOutput(child.stderr!, /\[\s+1s\]/);
    agents[0]!.child.kill('SIGKILL');
    const r = await result;
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.equal(report.status, 'failed');
    assert.match(report.providers[0]!.failure ?? '', /^a1\/w0: agent a1 silent for \d+ ms$/);
    // The survivor was told to stop: the 30 s run ended long before its time.
    assert.ok(report.providers[0]!.durationSec < 30);
    assert.match(agents[1]!.log(), /run over/);
  } finally {
    await stopAll(agents);
  }
});

test('SIGKILL of the coordinator: the agent stops its load on its own and closes its connections', async () => {
  const db = await freshDatabase();
  const prefix = uniquePrefix();
  const dir = tempDir();
  const providers = join(dir, 'providers.yaml');
  writeFileSync(providers, `providers:\n  - name: pg\n    provider: postgresql\n    dsn: ${db.dsn}\n`);
  const scenario = writeScenario(`providers:
  - name: pg
    provider: postgresql
    dsn: ${db.dsn}
workload:
  - type: query
    sql: SELECT 1
profile: { type: constant-vus, vus: 4, duration: 60s }
`);
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agent = await startAgent([...common, '--name', 'orphan', '--workers', '2', '--providers', providers]);
  const sessions = async (): Promise<number> =>
    Number(
      (
        await adminQuery<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          db.name,
        ])
      )[0]!.n,
    );
  try {
    const { child, result } = startCli(['run', scenario, ...common, '--agents', 'orphan', '--no-local', '--out', join(dir, 'r.json')]);
    await waitForOutput(child.stderr!, /\[\s+1s\]/);
    assert.ok((await sessions()) >= 4, 'the agent holds connections while it runs');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await result;
    // The run was planned for 60 s: its connections going away now can only be the dead-man switch.
    let left = await sessions();
    while (left > 0 && Date.now() - killedAt < 20_000) {
      await new Promise((r) => setTimeout(r, 50));
      left = await sessions();
    }
    assert.equal(left, 0, 'connections still open');
    process.stdout.write(`# dead-man switch: load stopped and connections closed ${Date.now() - killedAt} ms after SIGKILL\n`);
    assert.match(agent.log(), /the coordinator went silent: stopping the load/);
    assert.equal(agent.child.exitCode, null, 'the agent itself keeps running');
  } finally {
    await stopAll([agent]);
    await db.drop();
  }
});

// Down far less than the loss time (default 7 s) both sides reconnect and nothing is lost; down
// far longer than a loss time shortened to 1.5 s, the agent is lost and the run ends degraded.
for (const { outageMs, lost } of [
  { outageMs: 500, lost: false },
  { outageMs: 4000, lost: true },
]) {
  const outcome = lost ? 'the agent is lost and the run completes degraded' : 'both sides reconnect and nothing is lost';
  test(`a NATS restart mid-run (${outageMs} ms down): ${outcome}, never a hang`, async () => {
    const prefix = uniquePrefix();
    const out = join(tempDir(), 'report.json');
    const common = ['--nats', nats.url, '--prefix', prefix];
    const agent = await startAgent([...common, '--name', 'steady', '--workers', '1', ...(lost ? ['--dead-man', '1s'] : [])]);
    try {
      const loss = lost ? ['--agent-loss-after', '1500ms'] : [];
      const { child, result } = startCli([
        'run',
        memScenario(6),
        ...common,
        ...loss,
        '--agents',
        '1',
        '--workers',
        '1',
        '--out',
        out,
        '--log-level',
        'info',
      ]);
      await waitForOutput(child.stderr!, /\[\s+2s\]/);
      await nats.stop();
      await new Promise((r) => setTimeout(r, outageMs));
      await nats.start();
      // Bounded: the run's own 6 s, plus loss detection, is far below this.
      const timeout = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 30_000).unref());
      const r = await Promise.race([result, timeout]);
      assert.notEqual(r, 'hang', 'the coordinator hung');
      if (r === 'hang') return;
      // Both sides say they lost NATS; unless the run ended during the outage, that they got it back.
      for (const log of [r.stderr, agent.log()]) assert.match(log, lost ? /NATS disconnected/ : /NATS disconnected[^]*NATS reconnected/);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      const p = report.providers[0]!;
      const steady = p.sites.find((s) => s.site === 'steady')!;
      const flagged = p.windows.filter((w) => w.degraded).map((w) => w.window);
      assert.ok(steady.ok > 0, 'the agent ran before the outage');
      if (lost) {
        assert.equal(r.code, 3, r.stderr);
        assert.equal(report.status, 'degraded');
        assert.match(steady.lost?.reason ?? 'not lost', /silent for \d+ ms|stopped its load/);
        assert.equal(p.degraded, true);
        assert.ok(flagged.length > 0, 'the windows without its share say so');
      } else {
        // Complete means every snapshot each worker sent was merged, and no window lacks a share.
        assert.equal(r.code, 0, r.stderr);
        assert.equal(report.status, 'complete');
        assert.equal(steady.lost, undefined, steady.lost?.reason);
        assert.deepEqual(flagged, []);
        for (const s of p.sources) assert.equal(s.ok, s.workerOk, s.source);
      }
    } finally {
      await stopAll([agent]);
    }
  });
}
