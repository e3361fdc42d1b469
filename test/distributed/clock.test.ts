import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { pacedScenario as paced, runCli, startCli, tempDir } from '../helpers/cli.js';
import {
  type Agent,
  startAgent,
  startNats,
  stopAgents as stopAll,
  type ThrowawayNats,
  uniquePrefix,
  waitForOutput,
} from '../helpers/nats.js';
import { startProxy } from '../helpers/proxy.js';

/** Debian's libfaketime: the process (all its threads) reads a clock shifted by FAKETIME. */
const skewed = (offset: string): NodeJS.ProcessEnv => ({
  LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  FAKETIME: offset,
});

let nats: ThrowawayNats;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats.stop();
});

test("agents 2 s ahead and 2 s behind: offsets measured, everyone starts on the coordinator's clock", async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...common, '--name', 'ahead', '--workers', '1'], skewed('+2s')));
    agents.push(await startAgent([...common, '--name', 'behind', '--workers', '1'], skewed('-2s')));
    const out = join(tempDir(), 'r.json');
    const r = await runCli(['run', paced(4, 5), ...common, '--agents', 'ahead,behind', '--no-local', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'complete');
    const site = (name: string): Report['providers'][0]['sites'][0] => p.sites.find((s) => s.site === name)!;
    assert.ok(Math.abs(site('ahead').clockOffsetMs! - 2000) < 300, `ahead: ${site('ahead').clockOffsetMs} ms`);
    assert.ok(Math.abs(site('behind').clockOffsetMs! + 2000) < 300, `behind: ${site('behind').clockOffsetMs} ms`);
    for (const s of p.sites) assert.equal(s.lateStartMs, undefined, `${s.site} started on time`);
    process.stdout.write(`# measured offsets: ahead ${site('ahead').clockOffsetMs} ms, behind ${site('behind').clockOffsetMs} ms\n`);
    // Both shares ran every planned window, whole: same windows, same span.
    for (const w of p.windows.filter((w) => w.startMs < 5000)) {
      assert.ok(w.complete && !w.degraded, `window ${w.window}: ${JSON.stringify(w)}`);
    }
    for (const s of p.sources) assert.equal(s.ok, s.workerOk, s.source);
  } finally {
    await stopAll(agents);
  }
});

test('an agent 150 ms away starts on time (the lead follows the round trip); one whose start comes late is flagged', async () => {
  const proxy = await startProxy(nats.port);
  const prefix = uniquePrefix();
  const agents: Agent[] = [];
  try {
    proxy.setDelay(75, 75);
    agents.push(await startAgent(['--nats', `nats://127.0.0.1:${proxy.port}`, '--prefix', prefix, '--name', 'far', '--workers', '1']));
    const common = ['--nats', nats.url, '--prefix', prefix, '--agents', 'far', '--workers', '1'];
    const out = join(tempDir(), 'r.json');
    const r = await runCli(['run', paced(2, 3), ...common, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const far = (JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.sites.find((s) => s.site === 'far')!;
    assert.ok(far.rttMs! >= 140, `rtt ${far.rttMs} ms`);
    assert.ok(far.startLeadMs! > far.rttMs!, `lead ${far.startLeadMs} ms`);
    assert.equal(far.lateStartMs, undefined);
    process.stdout.write(`# far agent: rtt ${far.rttMs} ms, start lead ${far.startLeadMs} ms, on time\n`);

    // Now the way to the agent slows down to 1.5 s once it has its plan: the start reaches it late.
    const late = join(tempDir(), 'late.json');
    const { result } = startCli(['run', paced(2, 3), ...common, '--out', late]);
    await waitForOutput(agents[0]!.child.stderr!, /running a plan/);
    proxy.setDelay(0, 1500);
    const r2 = await result;
    assert.equal(r2.code, 3, r2.stderr);
    const report = JSON.parse(readFileSync(late, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(report.status, 'degraded');
    const site = p.sites.find((s) => s.site === 'far')!;
    assert.ok(site.lateStartMs! >= 700, `late by ${site.lateStartMs} ms`);
    process.stdout.write(`# start message held 1.5 s: the far site started ${site.lateStartMs} ms late, flagged\n`);
    assert.equal(p.sites.find((s) => s.site === 'local')!.lateStartMs, undefined);
    assert.ok(p.windows[0]!.degraded && p.windows[0]!.short?.includes('far/w0'), JSON.stringify(p.windows[0]));
    assert.match(r2.stdout, /far on .*STARTED \d+ ms LATE/);
  } finally {
    await stopAll(agents);
    await proxy.close();
  }
});
