import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { pacedScenario as paced, startCli, tempDir } from '../helpers/cli.js';
import {
  type Agent,
  pgCluster,
  startAgent,
  startNats,
  stopAgents as stopAll,
  type ThrowawayNats,
  uniquePrefix,
  waitForOutput,
} from '../helpers/nats.js';
import { createNetns, type Netns } from '../helpers/netns.js';
import { PG_HOST, PG_PORT } from '../helpers/pg.js';
import { startProxy } from '../helpers/proxy.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('the coordinator cut off from NATS for 1.5 s: what its agent sent meanwhile is sent again and merged once', async () => {
  const nats = await startNats();
  const proxy = await startProxy(nats.port);
  const prefix = uniquePrefix();
  const agent = await startAgent(['--nats', nats.url, '--prefix', prefix, '--name', 'steady', '--workers', '1']);
  try {
    const out = join(tempDir(), 'r.json');
    const coordinator = ['--nats', `nats://127.0.0.1:${proxy.port}`, '--prefix', prefix];
    const { child, result } = startCli([
      'run',
      paced(2, 6),
      ...coordinator,
      '--agents',
      'steady',
      '--no-local',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    await waitForOutput(child.stderr!, /\[\s+2s\]/);
    await proxy.cut(1500);
    const r = await result;
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'complete');
    // Every snapshot the worker sent was merged, once: its own count is the merged one.
    for (const s of p.sources) assert.equal(s.ok, s.workerOk, s.source);
    assert.deepEqual(
      p.windows.filter((w) => w.degraded).map((w) => w.window),
      [],
    );
    assert.match(agent.log(), /sent again what may have been lost/);
  } finally {
    await stopAll([agent]);
    await proxy.close();
    await nats.stop();
  }
});

/** NATS on the host's end of a namespace's link; one agent inside the namespace, one outside. */
async function partitioned(): Promise<{ ns: Netns; nats: ThrowawayNats; prefix: string; close: () => Promise<void> }> {
  const ns = createNetns();
  try {
    const nats = await startNats([], ns.hostIp);
    return {
      ns,
      nats,
      prefix: uniquePrefix(),
      async close() {
        await nats.stop();
        ns.destroy();
      },
    };
  } catch (err) {
    ns.destroy();
    throw err;
  }
}

test('a 5 s partition of one agent (from NATS and its database): every window after its load stopped is flagged', async () => {
  const { ns, nats, prefix, close } = await partitioned();
  // The cut agent's database is on the far side of the same link: its VUs hang in their queries,
  // its workers keep sending (empty) windows, and those arrive late, after the link is back.
  const db = await startProxy(PG_PORT, PG_HOST, ns.hostIp);
  const { scenario, providers } = pgCluster(10);
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    agents.push(
      await startAgent(
        [...common, '--name', 'cut', '--workers', '1', '--dead-man', '2s', '--providers', providers(ns.hostIp, db.port)],
        {},
        ns.exec,
      ),
    );
    agents.push(await startAgent([...common, '--name', 'kept', '--workers', '1', '--providers', providers(PG_HOST, PG_PORT)]));
    const out = join(tempDir(), 'r.json');
    const { child, result } = startCli([
      'run',
      scenario,
      ...common,
      '--agents',
      'cut,kept',
      '--no-local',
      '--agent-loss-after',
      '3s',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    await waitForOutput(child.stderr!, /\[\s+2s\]/);
    ns.link(false);
    await sleep(5000);
    ns.link(true);
    const r = await result;
    assert.equal(r.code, 3, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'degraded');
    assert.equal(p.degraded, true);
    assert.ok(p.sites.find((s) => s.site === 'cut')!.lost, 'the cut agent is named lost');

    // When the cut agent stopped its load, on the coordinator's clock (their clocks agree here).
    const stopLine = agents[0]!
      .log()
      .split('\n')
      .find((l) => l.includes('the coordinator went silent'));
    assert.ok(stopLine, 'the dead-man switch fired');
    const stoppedAtMs = (JSON.parse(stopLine) as { time: number }).time - Date.parse(p.startedAt);
    const after = p.windows.filter((w) => w.startMs > stoppedAtMs && w.startMs < 10_000);
    assert.ok(after.length >= 3, `windows after the stop at ${stoppedAtMs} ms`);
    for (const w of after) {
      assert.equal(w.degraded, true, `window ${w.window} holds none of the cut agent's load: ${JSON.stringify(w)}`);
      assert.ok([...(w.missing ?? []), ...(w.short ?? [])].includes('cut/w0'), `window ${w.window} names the cut agent`);
    }
    assert.ok(!p.windows[0]!.degraded && !p.windows[1]!.degraded, 'windows before the cut are whole');
    assert.match(r.stdout, /DEGRADED: windows/);
  } finally {
    await stopAll(agents);
    await db.close();
    await close();
  }
});

test('a 1.8 s network blip does not cost an agent its share: it resumes and the run is complete', async () => {
  const { ns, nats, prefix, close } = await partitioned();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    // Default timings: dead-man switch 5 s, loss after 7 s.
    agents.push(await startAgent([...common, '--name', 'blip', '--workers', '1'], {}, ns.exec));
    const out = join(tempDir(), 'r.json');
    const { child, result } = startCli([
      'run',
      paced(2, 7),
      ...common,
      '--agents',
      'blip',
      '--workers',
      '1',
      '--out',
      out,
      '--log-level',
      'info',
    ]);
    await waitForOutput(child.stderr!, /\[\s+2s\]/);
    ns.link(false);
    await sleep(1800);
    ns.link(true);
    const r = await result;
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'complete');
    assert.equal(p.sites.find((s) => s.site === 'blip')!.lost, undefined);
    assert.doesNotMatch(agents[0]!.log(), /went silent/);
    for (const s of p.sources) assert.equal(s.ok, s.workerOk, s.source);
    assert.deepEqual(
      p.windows.filter((w) => w.degraded).map((w) => w.window),
      [],
    );
  } finally {
    await stopAll(agents);
    await close();
  }
});
