import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Report } from '../../src/report/types.js';
import { runCli, selectOneScenario, tempDir } from '../helpers/cli.js';
import { startAgent, startNats, type ThrowawayNats, uniquePrefix } from '../helpers/nats.js';
import { startSilentServer } from '../helpers/proxy.js';

const scenario = (): string => selectOneScenario('  type: iterations\n  vus: 2\n  iterations: 300');

test('a NATS address that accepts but never answers: run and agent exit 2 promptly, one line each', async () => {
  const silent = await startSilentServer();
  try {
    const url = `nats://127.0.0.1:${silent.port}`;
    const t0 = Date.now();
    const [run, agent] = await Promise.all([
      runCli(['run', scenario(), '--nats', url, '--agents', '1']),
      runCli(['agent', '--nats', url, '--name', 'mute', '--workers', '1']),
    ]);
    for (const r of [run, agent]) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^stampede: cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: timeout\n$/m);
    }
    // The client gives up after 5 s; before the fix both processes stayed alive after the line.
    assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  } finally {
    await silent.close();
  }
});

test('an empty --nats is bad input, not a quiet local run', async () => {
  for (const args of [
    ['run', scenario(), '--nats', ''],
    ['agent', '--nats', ' ', '--workers', '1'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /^stampede: option '--nats <url>' argument ' ?' is invalid\. must name a server/);
  }
});

let nats: ThrowawayNats;
const PASSWORD = 'Url-Pa55word';
before(async () => {
  nats = await startNats(['--user', 'stampede', '--pass', PASSWORD]);
});
after(async () => {
  await nats.stop();
});

test('credentials in the NATS URL are used on both sides and never printed', async () => {
  const prefix = uniquePrefix();
  const url = `nats://stampede:${PASSWORD}@127.0.0.1:${nats.port}`;
  const agent = await startAgent(['--nats', url, '--prefix', prefix, '--name', 'creds', '--workers', '1', '--log-level', 'debug']);
  try {
    const out = join(tempDir(), 'r.json');
    const r = await runCli([
      'run',
      scenario(),
      '--nats',
      url,
      '--prefix',
      prefix,
      '--agents',
      'creds',
      '--no-local',
      '--out',
      out,
      '--log-level',
      'debug',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.total.ok, 300);
    for (const text of [r.stdout, r.stderr, readFileSync(out, 'utf8'), agent.log()])
      assert.ok(!text.includes(PASSWORD), 'the password leaked');
    // Wrong ones in the URL are refused like wrong flags.
    const bad = await runCli(['run', scenario(), '--nats', `nats://stampede:nope@127.0.0.1:${nats.port}`, '--agents', '1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^stampede: cannot connect to NATS at .*(auth|Authorization)/im);
  } finally {
    agent.child.kill('SIGTERM');
    await agent.result;
  }
});

test('NATS over TLS by IP: --nats-tls-servername names what the certificate holds', async () => {
  const dir = tempDir();
  const sh = (cmd: string): void => void execSync(cmd, { cwd: dir, stdio: 'ignore' });
  sh('openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=stampede-test-ca');
  sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=nats-by-ip');
  // The certificate holds the IP only: the client's default name check ("localhost") fails.
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  sh('openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile san.ext');
  const secure = await startNats(['--tls', '--tlscert', join(dir, 'server.pem'), '--tlskey', join(dir, 'server.key')]);
  const prefix = uniquePrefix();
  const base = ['--nats', `tls://127.0.0.1:${secure.port}`, '--prefix', prefix, '--nats-tls-ca', join(dir, 'ca.pem')];
  try {
    const without = await runCli(['run', scenario(), ...base, '--agents', '1']);
    assert.equal(without.code, 2);
    assert.match(without.stderr, /^stampede: cannot connect to NATS at tls:\/\/127\.0\.0\.1:\d+: .*altnames: Host: localhost\./m);
    const common = [...base, '--nats-tls-servername', '127.0.0.1'];
    const agent = await startAgent([...common, '--name', 'by-ip', '--workers', '1']);
    try {
      const out = join(dir, 'r.json');
      const ok = await runCli(['run', scenario(), ...common, '--agents', 'by-ip', '--no-local', '--out', out]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(readFileSync(out, 'utf8')) as Report).providers[0]!.total.ok, 300);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.result;
    }
  } finally {
    await secure.stop();
  }
});
