import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProvider } from '../../src/providers/index.js';
import { SECRET } from '../helpers/pg.js';
import { freePort } from '../helpers/ports.js';
import { type Certificates, makeCertificates, startPostgres, type ThrowawayPostgres } from '../helpers/servers.js';
import { assertBadInput, scenario } from './bad-input.js';
import { providerContract } from './contract.js';

// A private PostgreSQL with TLS on and scram password auth, its certificate signed by a CA made here.
let certs: Certificates;
let server: ThrowawayPostgres;
let deadPort: number;
before(async () => {
  certs = makeCertificates();
  server = await startPostgres({ tls: certs, password: SECRET });
  deadPort = await freePort();
});
after(async () => {
  await server?.stop();
});

for (const driver of ['pg', 'postgres']) {
  providerContract({
    label: `supabase (driver ${driver}, verify-full)`,
    config: () => ({
      name: `supa-${driver}`,
      provider: 'supabase',
      dsn: server.dsn(),
      options: { driver },
      sslConfig: { mode: 'verify-full', rootCert: certs.ca },
    }),
    dead: () => ({
      name: 'dead',
      provider: 'supabase',
      dsn: `postgres://postgres:${SECRET}@127.0.0.1:${deadPort}/x`,
      options: { driver, connectTimeoutMs: 2000 },
    }),
  });

  test(`supabase (driver ${driver}): pg_stat_ssl shows the session encrypted`, async () => {
    const p = createProvider({ name: 'supa', provider: 'supabase', dsn: server.dsn(), options: { driver } });
    await p.initialize();
    try {
      const [row] = await p.execute('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      assert.equal(row!.ssl, true);
      assert.match(String(row!.version), /^TLSv1\.[23]$/);
      assert.equal((await p.getPerformanceMetrics()).server.ssl, true);
      assert.equal(p.getConnectionInfo().sslMode, 'require');
    } finally {
      await p.close();
    }
  });

  test(`supabase (driver ${driver}): verify-full with the wrong CA is refused with a clear message`, async () => {
    const p = createProvider({
      name: 'supa',
      provider: 'supabase',
      dsn: `${server.dsn()}?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.otherCa)}`,
      options: { driver },
    });
    await p.initialize();
    try {
      await assert.rejects(p.execute('SELECT 1'), (err: Error) => {
        assert.match(
          err.message,
          /^TLS verification failed \(sslmode verify-full, CA file .*other-ca\.crt\): .*(self[- ]signed|unable to verify|certificate)/i,
        );
        return true;
      });
      assert.equal(await p.healthCheck(), false);
    } finally {
      await p.close();
    }
  });
}

test('verify-ca checks the chain only; verify-full also the address the certificate names', async () => {
  // The certificate names 127.0.0.1, not 127.0.0.2, though both reach the same server.
  const other = server.dsn('postgres', SECRET, '127.0.0.2');
  const make = (mode: 'verify-ca' | 'verify-full') =>
    createProvider({ name: 'supa', provider: 'supabase', dsn: other, sslConfig: { mode, rootCert: certs.ca } });
  const ca = make('verify-ca');
  const full = make('verify-full');
  await Promise.all([ca.initialize(), full.initialize()]);
  try {
    assert.deepEqual(await ca.execute('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'), [{ ssl: true }]);
    await assert.rejects(
      full.execute('SELECT 1'),
      /^Error: TLS verification failed \(sslmode verify-full, CA file .*ca\.crt\): .*(altnames|does not match)/,
    );
  } finally {
    await Promise.all([ca.close(), full.close()]);
  }
});

test('supabase: plain text is refused, and a transaction pooler turns prepared statements off', () => {
  const make = (dsn: string, options: Record<string, unknown> = {}) => createProvider({ name: 'supa', provider: 'supabase', dsn, options });
  assert.throws(
    () => make('postgres://u:p@127.0.0.1:5432/db?sslmode=disable'),
    /^UserError: provider "supa": sslmode: supabase requires TLS/,
  );
  assert.equal(make('postgres://u:p@127.0.0.1:5432/db', { driver: 'postgres' }).getConnectionInfo().preparedStatements, true);
  for (const pooled of ['postgres://u:p@127.0.0.1:6543/db', 'postgres://u:p@127.0.0.1:5432/db?pgbouncer=true']) {
    const info = make(pooled, { driver: 'postgres' }).getConnectionInfo();
    assert.equal(info.preparedStatements, false);
    assert.match(String(info.pooler), /6543|pgbouncer=true/);
    assert.throws(() => make(pooled, { prepare: true }), /options\.prepare: prepared statements break through a transaction pooler/);
  }
});

test('a wrong password is one clear line, exit 2, no report', async () => {
  const dsn = server.dsn('postgres', 'not-the-password');
  await assertBadInput(
    scenario('postgresql', dsn),
    /^stampede: provider "target": cannot connect at postgres:\/\/postgres:\*\*\*@.*password authentication failed for user "postgres"\n$/,
  );
});

test('verify-full with the wrong CA through the CLI is one clear line, exit 2', async () => {
  const extra = `    sslConfig: { mode: verify-full, rootCert: "${certs.otherCa}" }\n`;
  await assertBadInput(
    scenario('supabase', server.dsn(), extra),
    /^stampede: provider "target": cannot connect at .*: TLS verification failed \(sslmode verify-full, CA file .*other-ca\.crt\)/,
  );
});
