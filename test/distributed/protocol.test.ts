import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { sign, SIGNATURE_HEADER } from '../../src/distributed/protocol.js';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { capture, startAgent, startNats, type ThrowawayNats, uniquePrefix } from '../helpers/nats.js';
import { requireTool } from '../helpers/tools.js';
import { SECRET } from '../helpers/pg.js';

const KEY = 'the-shared-key';
let nats: ThrowawayNats;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats.stop();
});

const scenario = (dsn = ':memory:'): string =>
  writeScenario(`providers:
  - name: mem
    provider: ${dsn.startsWith('postgres') ? 'postgresql' : 'sqlite_memory'}
    dsn: "${dsn}"
workload:
  - type: query
    sql: SELECT 1
profile: { type: iterations, vus: 2, iterations: 500 }
`);

function plan(planId: string, agent: string, v = 2): object {
  const runId = 'run1';
  return {
    v,
    type: 'plan',
    runId,
    planId,
    agent,
    sentAt: Date.now(),
    lossAfterMs: 7000,
    tasks: [
      {
        runId,
        source: 'x/w0',
        provider: { name: 'mem', provider: 'sqlite_memory' },
        workload: [{ type: 'query', sql: 'SELECT 1' }],
        operationNames: ['q'],
        profileType: 'iterations',
        share: { vus: 1, iterations: 1000000, maxDurationMs: 60000 },
        peakVus: 1,
        windowMs: 1000,
        setupInWorker: true,
      },
    ],
  };
}

test('garbage, wrong-version and wrongly signed plans are rejected and logged once; the agent keeps obeying good ones', async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agent = await startAgent([...common, '--name', 'guarded', '--workers', '1'], { STAMPEDE_SECRET: KEY });
  const wire = await capture(nats.url, prefix);
  const subject = `${prefix}.agent.${agent.id}.plan`;
  const send = (payload: Uint8Array, key?: string): void => {
    const h = headers();
    if (key) h.set(SIGNATURE_HEADER, sign(payload, key));
    wire.nc.publish(subject, payload, key ? { headers: h } : undefined);
  };
  const json = (o: object): Uint8Array => new TextEncoder().encode(JSON.stringify(o));
  try {
    for (let i = 0; i < 2; i++) {
      send(new TextEncoder().encode('{{{ not json'), KEY);
      send(json(plan('unsigned1', agent.id)));
      send(json(plan('forged1', agent.id)), 'not-the-key');
      send(json(plan('future1', agent.id, 3)), KEY);
      send(json({ v: 2, type: 'plan', runId: 'run1', planId: 'broken1' }), KEY);
    }
    await wire.nc.flush();
    // Until the agent has answered both rounds' future-version plans and logged each reason (once).
    for (const start = Date.now(); Date.now() - start < 15_000; await new Promise((r) => setTimeout(r, 50))) {
      const answered = wire.messages.filter((m) => m.subject.startsWith(`${prefix}.plan.`)).length;
      if (answered >= 2 && agent.log().split('rejected a message').length > 5) break;
    }
    const rejections = agent
      .log()
      .split('\n')
      .filter((l) => l.includes('rejected a message'))
      .map((l) => (JSON.parse(l) as { reason: string }).reason);
    assert.deepEqual(rejections.sort(), [
      'bad signature',
      'invalid agent: Invalid input: expected string, received undefined',
      'not JSON',
      'protocol version 3, this side speaks 2',
      'unsigned message (this side requires a shared secret)',
    ]);
    // The other version and the unsigned or forged plans get an answer the coordinator can show
    // (a coordinator without the secret would otherwise wait forever); garbage gets none; nothing ran.
    const answers = wire.messages.filter((m) => m.subject.startsWith(`${prefix}.plan.`));
    assert.equal(answers.length, 6, answers.map((m) => m.text).join('\n'));
    const answered = (planId: string, reason: RegExp): void =>
      assert.equal(answers.filter((m) => m.subject === `${prefix}.plan.${planId}.${agent.id}.up` && reason.test(m.text)).length, 2, planId);
    answered('future1', /speaks protocol version 2.*protocol version 3/);
    answered('unsigned1', /"signature":true/);
    answered('forged1', /bad signature \(is --secret the same on both sides\?\)/);
    assert.doesNotMatch(agent.log(), /running a plan/);

    // Still alive and obeying a coordinator that holds the key.
    const out = join(tempDir(), 'r.json');
    const ok = await runCli(['run', scenario(), ...common, '--agents', '1', '--no-local', '--out', out], { STAMPEDE_SECRET: KEY });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.total.ok, 500);
    // A coordinator with the wrong key cannot even see the agent.
    const wrong = await runCli(['run', scenario(), ...common, '--agents', '1', '--agent-timeout', '1500ms', '--no-local', '--out', out], {
      STAMPEDE_SECRET: 'wrong',
    });
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.stderr,
      /\nstampede: waited 1\.5s for agents on prefix "t\w+": 0 of 1 ready, 1 missing \(announcements refused: bad signature \(is --secret the same on both sides\?\)\)\n$/,
    );
  } finally {
    agent.child.kill('SIGTERM');
    await agent.result;
    await wire.nc.close();
  }
});

test('the coordinator refuses an agent of another protocol version, naming it', async () => {
  const prefix = uniquePrefix();
  const wire = await capture(nats.url, prefix);
  const future = {
    v: 3,
    type: 'heartbeat',
    agent: { id: 'future', name: 'future', host: 'h', cores: 1, workers: 1, version: '9.0.0', kinds: [], providers: [], seq: 1 },
  };
  const beat = setInterval(() => wire.nc.publish(`${prefix}.agents`, JSON.stringify(future)), 200);
  try {
    const r = await runCli(['run', scenario(), '--nats', nats.url, '--prefix', prefix, '--agents', 'future', '--agent-timeout', '1s']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /stampede: waited 1s for agents on prefix "\w+": missing future \(future refused: protocol version 3, this side speaks 2\)\n$/,
    );
  } finally {
    clearInterval(beat);
    await wire.nc.close();
  }
});

test('a DSN with a password is never sent to an agent that does not hold the provider', async () => {
  const prefix = uniquePrefix();
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agent = await startAgent([...common, '--name', 'bare', '--workers', '1']);
  const wire = await capture(nats.url, prefix);
  try {
    const r = await runCli([
      'run',
      scenario(`postgres://postgres:${SECRET}@127.0.0.1:5432/postgres`),
      ...common,
      '--agents',
      '1',
      '--out',
      join(tempDir(), 'r.json'),
    ]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^stampede: provider "mem": its DSN holds a password, which is never sent over NATS; give agent bare a provider file \(--providers\) that defines "mem"\n$/,
    );
    await wire.nc.flush();
    assert.ok(wire.messages.every((m) => !m.text.includes(SECRET) && !m.subject.endsWith('.plan')));
  } finally {
    agent.child.kill('SIGTERM');
    await agent.result;
    await wire.nc.close();
  }
});

test('token auth passes through to NATS; a wrong token is one clear line and is never printed', async () => {
  const TOKEN = 'T0ken-f0r-nats';
  const guarded = await startNats(['--auth', TOKEN]);
  const prefix = uniquePrefix();
  const common = ['--nats', guarded.url, '--prefix', prefix];
  try {
    const agent = await startAgent([...common, '--name', 'tok', '--workers', '1'], { STAMPEDE_NATS_TOKEN: TOKEN });
    try {
      const out = join(tempDir(), 'r.json');
      const ok = await runCli(['run', scenario(), ...common, '--agents', 'tok', '--no-local', '--out', out], {
        STAMPEDE_NATS_TOKEN: TOKEN,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.total.ok, 500);
      for (const text of [ok.stdout, ok.stderr, readFileSync(out, 'utf8'), agent.log()]) assert.ok(!text.includes(TOKEN));
    } finally {
      agent.child.kill('SIGTERM');
      await agent.result;
    }
    const bad = await runCli(['run', scenario(), ...common, '--agents', '1', '--nats-token', 'Wr0ng-t0ken']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^stampede: cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: .*(auth|Authorization).*\n$/i);
    assert.ok(!bad.stderr.includes('Wr0ng-t0ken'));
  } finally {
    await guarded.stop();
  }
});

test('TLS options pass through: with the CA the run works, without it one clear line', async () => {
  const dir = tempDir();
  requireTool('openssl');
  const sh = (cmd: string): void => void execSync(cmd, { cwd: dir, stdio: 'ignore' });
  sh('openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=stampede-test-ca');
  sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  sh('openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile san.ext');
  const secure = await startNats(['--tls', '--tlscert', join(dir, 'server.pem'), '--tlskey', join(dir, 'server.key')]);
  const prefix = uniquePrefix();
  const common = ['--nats', `tls://127.0.0.1:${secure.port}`, '--prefix', prefix, '--nats-tls-ca', join(dir, 'ca.pem')];
  try {
    const agent = await startAgent([...common, '--name', 'tls', '--workers', '1']);
    try {
      const out = join(dir, 'r.json');
      const ok = await runCli(['run', scenario(), ...common, '--agents', 'tls', '--no-local', '--out', out]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.total.ok, 500);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.result;
    }
    const untrusted = await runCli(['run', scenario(), '--nats', `tls://127.0.0.1:${secure.port}`, '--prefix', prefix, '--agents', '1']);
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.stderr, /^stampede: cannot connect to NATS at tls:\/\/127\.0\.0\.1:\d+: .+\n$/);
  } finally {
    await secure.stop();
  }
});

test('an agent whose provider fails its health check refuses the plan; the run fails naming it', async () => {
  const prefix = uniquePrefix();
  const dir = tempDir();
  const providers = join(dir, 'providers.yaml');
  // The agent's own idea of the provider points at a port where nothing listens.
  writeFileSync(
    providers,
    `providers:\n  - name: mem\n    provider: postgresql\n    dsn: postgres://postgres:${SECRET}@127.0.0.1:1/postgres\n    options: { connectTimeoutMs: 1000 }\n`,
  );
  const common = ['--nats', nats.url, '--prefix', prefix];
  const agent = await startAgent([...common, '--name', 'sick', '--workers', '1', '--providers', providers]);
  try {
    const out = join(dir, 'r.json');
    const r = await runCli([
      'run',
      scenario(`postgres://postgres:${SECRET}@127.0.0.1:5432/postgres`),
      ...common,
      '--agents',
      'sick',
      '--no-local',
      '--out',
      out,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    // The cause, not just "failed": what the driver said.
    assert.match(
      report.providers[0]!.failure ?? '',
      /^sick\/w0: agent sick: provider "mem" failed its health check: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    );
    assert.equal(report.providers[0]!.total.ok, 0);
    for (const text of [r.stdout, r.stderr, readFileSync(out, 'utf8'), agent.log()]) assert.ok(!text.includes(SECRET));
  } finally {
    agent.child.kill('SIGTERM');
    await agent.result;
  }
});
