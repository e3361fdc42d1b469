import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { SIGNATURE_HEADER } from '../../src/distributed/protocol.js';
import { runCli, selectOneScenario, startCli, tempDir } from '../helpers/cli.js';
import {
  type Agent,
  capture,
  type Captured,
  startAgent,
  startNats,
  stopAgents as stopAll,
  type ThrowawayNats,
  uniquePrefix,
  waitForOutput,
} from '../helpers/nats.js';

const KEY = 'identity-test-key';
let nats: ThrowawayNats;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats.stop();
});

/** Publishes a captured message again, signature and all: what an eavesdropper can replay. */
function replay(nc: Awaited<ReturnType<typeof capture>>['nc'], m: Captured, subject = m.subject): void {
  const h = headers();
  h.set(SIGNATURE_HEADER, /Stampede-Signature: ([0-9a-f]+)/.exec(m.headers)![1]!);
  nc.publish(subject, new TextEncoder().encode(m.text), { headers: h });
}

test('two agents started with one --name: the coordinator refuses to run, naming both processes', async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agents = [
    await startAgent([...common, '--name', 'twin', '--workers', '1']),
    await startAgent([...common, '--name', 'twin', '--workers', '1']),
  ];
  try {
    const r = await runCli([
      'run',
      selectOneScenario('  type: iterations\n  vus: 2\n  iterations: 300'),
      ...common,
      '--agents',
      '2',
      '--no-local',
      '--out',
      join(tempDir(), 'r.json'),
    ]);
    assert.equal(r.code, 2, r.stdout);
    const ids = agents.map((a) => a.id).sort();
    assert.match(
      r.stderr,
      /^stampede: 2 agents call themselves "twin" \(processes [0-9a-f]+ on .+, [0-9a-f]+ on .+\): give each its own --name\n$/,
    );
    for (const id of ids) assert.ok(r.stderr.includes(id), `names ${id}`);
    for (const a of agents) assert.doesNotMatch(a.log(), /running a plan/);
  } finally {
    await stopAll(agents);
  }
});

test('a signed plan replayed to a restarted agent is refused: plans are bound to one agent process', async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const env = { STAMPEDE_SECRET: KEY };
  const wire = await capture(nats.url, prefix);
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...common, '--name', 'replayed', '--workers', '1'], env));
    const r = await runCli(
      [
        'run',
        selectOneScenario('  type: iterations\n  vus: 1\n  iterations: 200'),
        ...common,
        '--agents',
        'replayed',
        '--no-local',
        '--out',
        join(tempDir(), 'r.json'),
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    await wire.nc.flush();
    const plan = wire.messages.find((m) => m.subject.endsWith('.plan'))!;
    await stopAll(agents);

    const restarted = await startAgent([...common, '--name', 'replayed', '--workers', '1'], env);
    agents.push(restarted);
    assert.notEqual(restarted.id, agents[0]!.id, 'a restarted agent is a new process');
    // Its announcement went out after its subscriptions: once it is on the wire, they are in place.
    while (!wire.messages.some((m) => m.subject === `${prefix}.agents` && m.text.includes(restarted.id)))
      await new Promise((r) => setTimeout(r, 50));
    // Whether sent where it first went or to the new process's own subject, it does not run.
    replay(wire.nc, plan);
    replay(wire.nc, plan, `${prefix}.agent.${restarted.id}.plan`);
    await wire.nc.flush();
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(restarted.log(), /running a plan/);
    assert.match(
      restarted.log(),
      /"reason":"the plan is for agent process [0-9a-f]+, this is [0-9a-f]+ \(a replay to a restarted agent\?\)","msg":"refused a plan"/,
    );
  } finally {
    await stopAll(agents);
    await wire.nc.close();
  }
});

test("replayed coordinator heartbeats do not keep an orphaned agent's load running", async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const env = { STAMPEDE_SECRET: KEY };
  const wire = await capture(nats.url, prefix);
  const agent = await startAgent([...common, '--name', 'orphan', '--workers', '1', '--dead-man', '2s'], env);
  let replaying: NodeJS.Timeout | undefined;
  try {
    const { child, result } = startCli(
      [
        'run',
        selectOneScenario('  type: constant-vus\n  vus: 1\n  duration: 60s'),
        ...common,
        '--agents',
        'orphan',
        '--no-local',
        '--out',
        join(tempDir(), 'r.json'),
      ],
      env,
    );
    await waitForOutput(child.stderr!, /\[\s+2s\]/);
    child.kill('SIGKILL');
    await result;
    const beats = wire.messages.filter((m) => m.subject.endsWith('.down') && m.text.includes('"type":"heartbeat"'));
    assert.ok(beats.length >= 2, 'heartbeats were captured');
    // An attacker (or a stuck relay) sends the coordinator's old, validly signed heartbeats again.
    let i = 0;
    replaying = setInterval(() => replay(wire.nc, beats[i++ % beats.length]!), 100);
    const stopped = await Promise.race([
      waitForOutput(agent.child.stderr!, /the coordinator went silent: stopping the load/).then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 15_000)),
    ]);
    assert.ok(stopped || /the coordinator went silent/.test(agent.log()), 'the dead-man switch fired despite the replays');
    assert.match(agent.log(), /ignored a stale or replayed message from the coordinator/);
  } finally {
    clearInterval(replaying);
    await stopAll([agent]);
    await wire.nc.close();
  }
});
