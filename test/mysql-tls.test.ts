import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createProvider } from '../src/providers/index.js';
import type { Report } from '../src/report/types.js';
import { runCli, tempDir } from './helpers/cli.js';
import { mysqlDsn, startMariadb, type ThrowawayMariadb } from './helpers/mariadb.js';
import { assertBadInput, scenario } from './providers/bad-input.js';
import { type Certificates, makeCertificates } from './helpers/servers.js';

let server: ThrowawayMariadb;
let certs: Certificates;
before(async () => {
  certs = makeCertificates();
  server = await startMariadb({ tls: certs });
});
after(async () => {
  await server?.stop();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

for (const mode of ['REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY']) {
  test(`ssl-mode ${mode}: the session is encrypted (Ssl_cipher is not empty), and the report says so`, async () => {
    // VERIFY_IDENTITY checks a host name: the certificate's own, localhost.
    const host = mode === 'VERIFY_IDENTITY' ? 'localhost' : '127.0.0.1';
    const dsn = server.dsn('test', `ssl-mode=${mode}&ssl-ca=${encodeURIComponent(certs.ca)}`).replace('127.0.0.1', host);
    const p = createProvider({ name: 'tls', provider: 'mariadb', dsn });
    await p.initialize();
    try {
      const session = await p.sessionProvider.createSession();
      const [row] = await session.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      assert.notEqual(String(row!.Value), '');
      await p.sessionProvider.closeSession(session);
      assert.equal(p.getConnectionInfo().sslMode, mode);
    } finally {
      await p.close();
    }
    const out = join(tempDir(), 'report.json');
    const r = await runCli(['run', scenario('mariadb', dsn), '--out', out, '--no-live']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const figures = report.providers[0]!.server!.after!.server;
    assert.equal(figures.ssl, true);
    assert.match(String(figures.sslCipher), /\w/);
  });
}

test('without ssl-mode the same server is reached in plain text', async () => {
  const p = createProvider({ name: 'plain', provider: 'mysql', dsn: server.dsn() });
  await p.initialize();
  try {
    const m = await p.getPerformanceMetrics();
    assert.equal(m.server.ssl, false);
  } finally {
    await p.close();
  }
});

test('a CA that did not sign the server certificate is refused: one line naming the ssl-mode and the CA file, exit 2', async () => {
  for (const mode of ['VERIFY_CA', 'VERIFY_IDENTITY']) {
    const dsn = server
      .dsn('test', `ssl-mode=${mode}&ssl-ca=${encodeURIComponent(certs.otherCa)}`)
      .replace('127.0.0.1', mode === 'VERIFY_IDENTITY' ? 'localhost' : '127.0.0.1');
    await assertBadInput(
      scenario('mariadb', dsn),
      new RegExp(
        `^stampede: provider "target": cannot connect at .*: TLS failed \\(ssl-mode ${mode}, CA file ${certs.otherCa}\\): .*certificate`,
      ),
    );
  }
});

test('ssl-mode REQUIRED against a server without TLS is refused in one line', async () => {
  await assertBadInput(
    scenario('mysql', mysqlDsn('test', { query: 'ssl-mode=REQUIRED' })),
    /^stampede: provider "target": cannot connect at .*: TLS failed \(ssl-mode REQUIRED, no CA file \(system roots\)\): .*(secure connection|SSL)/i,
  );
});

test("sslConfig in libpq's words maps to the MySQL ssl-modes: verify-full is VERIFY_IDENTITY", async () => {
  const dsn = server.dsn().replace('127.0.0.1', 'localhost');
  const p = createProvider({ name: 'tls', provider: 'mysql', dsn, sslConfig: { mode: 'verify-full', rootCert: certs.ca } });
  await p.initialize();
  try {
    assert.equal(p.getConnectionInfo().sslMode, 'VERIFY_IDENTITY');
    const m = await p.getPerformanceMetrics();
    assert.equal(m.server.ssl, true);
  } finally {
    await p.close();
  }
});

test('VERIFY_CA accepts an address the certificate does not name; VERIFY_IDENTITY with an IP address is refused in one line', async () => {
  const at = (mode: string): string =>
    server.dsn('test', `ssl-mode=${mode}&ssl-ca=${encodeURIComponent(certs.ca)}`).replace('127.0.0.1', '127.0.0.2');
  const p = createProvider({ name: 'tls', provider: 'mariadb', dsn: at('VERIFY_CA') });
  await p.initialize();
  try {
    assert.equal((await p.getPerformanceMetrics()).server.ssl, true);
  } finally {
    await p.close();
  }
  await assertBadInput(
    scenario('mariadb', at('VERIFY_IDENTITY')),
    /^stampede: provider "target": dsn: ssl-mode VERIFY_IDENTITY needs a host name, not the address 127\.0\.0\.2 \(mysql2 does not check a certificate's IP addresses\); use the name the certificate carries, or VERIFY_CA\n$/,
  );
});
