import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { initHistograms, newHistogram, summarize } from '../../src/metrics/histogram.js';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, writeScenario } from '../helpers/cli.js';
import { type Agent, capture, startAgent, startNats, type ThrowawayNats, uniquePrefix } from '../helpers/nats.js';
import { adminQuery, freshDatabase, SECRET } from '../helpers/pg.js';

/** The library's own JS decoder of the plain V2 encoding workers send (its typings leave it out). */
const decodeV2 = (hdr.JsHistogram as unknown as { decode(this: void, data: Uint8Array): hdr.JsHistogram }).decode;

const NATS_PASSWORD = 'N4ts-Pa55word';
const SIGNING_SECRET = 'Hm4c-Shared-Secret';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let nats: ThrowawayNats;
before(async () => {
  db = await freshDatabase();
  // NATS with a password: the credential must work and never show up anywhere.
  nats = await startNats(['--user', 'stampede', '--pass', NATS_PASSWORD]);
});
after(async () => {
  await nats.stop();
  await db.drop();
});

test('2 agents: merged ok = sum of the agents = rows PostgreSQL holds; merged percentiles = one histogram over the same samples; no secret in logs or on the wire', async () => {
  const prefix = uniquePrefix();
  const dir = tempDir();
  const out = join(dir, 'report.json');
  // The agents hold the provider themselves: the coordinator names it, the DSN stays on the agent.
  const providers = join(dir, 'providers.yaml');
  writeFileSync(providers, `providers:\n  - name: pg\n    provider: postgresql\n    dsn: ${db.dsn}\n`);
  const scenario = writeScenario(`name: cluster
providers:
  - name: pg
    provider: postgresql
    dsn: ${db.dsn}
  - name: mem
    provider: sqlite_memory
workload:
  - name: insert
    type: insert_document
  - name: lookup
    type: query
    sql:
      postgresql: SELECT id FROM stampede_documents WHERE dataset_id = $1 LIMIT 1
      sqlite: SELECT id FROM stampede_documents WHERE dataset_id = ? LIMIT 1
    params: [nothing]
profile: { type: iterations, vus: 5, iterations: 4000 }
`);
  const env = { STAMPEDE_NATS_PASSWORD: NATS_PASSWORD, STAMPEDE_SECRET: SIGNING_SECRET };
  const auth = ['--nats', nats.url, '--nats-user', 'stampede', '--prefix', prefix];
  const wire = await capture(nats.url, prefix, { user: 'stampede', pass: NATS_PASSWORD });
  const agents: Agent[] = [];
  try {
    agents.push(await startAgent([...auth, '--name', 'east', '--workers', '2', '--providers', providers, '--log-level', 'debug'], env));
    agents.push(await startAgent([...auth, '--name', 'west', '--workers', '1', '--providers', providers, '--log-level', 'debug'], env));
    const r = await runCli(
      ['run', scenario, ...auth, '--agents', 'east,west', '--no-local', '--out', out, '--keep-data', '--log-level', 'debug'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    await wire.nc.flush();

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const p = report.providers[0]!;
    assert.equal(p.total.ok, 4000);
    assert.equal(p.degraded, undefined);
    // Each worker takes one share of the 5 VUs (largest remainder: 2, 2, 1): east has two workers.
    assert.deepEqual(
      p.sites.map((s) => [s.site, s.workers, s.peakVUs]),
      [
        ['east', 2, 4],
        ['west', 1, 1],
      ],
    );
    assert.equal(
      p.sites.reduce((n, s) => n + s.ok, 0),
      4000,
    );
    for (const s of p.sites) assert.ok(s.ok > 0 && s.host, `${s.site} did work`);
    // Each worker's own count agrees with what was merged from its snapshots.
    for (const s of p.sources) assert.equal(s.ok, s.workerOk, s.source);

    const rows = await adminQuery<{ n: string }>(
      'SELECT count(*) AS n FROM stampede_documents WHERE dataset_id = $1',
      [p.verification!.documents!.datasetId],
      db.name,
    );
    assert.equal(Number(rows[0]!.n), p.operations.find((o) => o.operation === 'insert')!.ok);
    assert.deepEqual(p.verification?.documents?.match, true);

    // The second provider of the scenario runs on the same agents, with its own plans.
    const mem = report.providers[1]!;
    assert.equal(mem.total.ok, 4000, JSON.stringify(mem.total.errors));
    assert.deepEqual(mem.verification?.documents, {
      datasetId: `${report.runId}/mem`,
      reported: mem.operations[0]!.ok,
      database: mem.operations[0]!.ok,
      match: true,
    });

    // One histogram over the very samples the agents sent (read back from the wire, value by value).
    await initHistograms();
    const single = newHistogram();
    let fromWire = 0;
    for (const m of wire.messages) {
      const body = JSON.parse(m.text) as {
        type: string;
        message?: { type: string; snapshot?: { provider: string; operations: Array<{ histogram: string; ok: number }> } };
      };
      if (body.type !== 'worker' || body.message?.type !== 'snapshot' || body.message.snapshot!.provider !== 'pg') continue;
      for (const op of body.message.snapshot!.operations) {
        const h = decodeV2(Buffer.from(op.histogram, 'base64'));
        for (let i = 0; i < h.countsArrayLength; i++) {
          const c = h.getCountAtIndex(i);
          // Any value inside a bucket is the same sample to HDR; the top one keeps `max` as recorded.
          if (c > 0) single.recordValueWithCount(h.highestEquivalentValue(h.valueFromIndex(i)), c);
        }
        fromWire += op.ok;
      }
    }
    assert.equal(fromWire, 4000);
    assert.deepEqual(p.total.latencyUs, summarize(single));
    single.destroy();

    // Plans name the provider; no DSN, password or credential crossed NATS or reached a log.
    // (A provider the agents do not hold, and whose config has no secret, goes inline.)
    const plans = wire.messages.filter((m) => m.subject.endsWith('.plan')).map((m) => m.text);
    assert.equal(plans.length, 4);
    assert.equal(plans.filter((t) => t.includes('"provider":{"ref":"pg"}')).length, 2);
    assert.equal(plans.filter((t) => t.includes('"provider":{"name":"mem","provider":"sqlite_memory"}')).length, 2);
    assert.ok(
      wire.messages.every((m) => /Stampede-Signature: [0-9a-f]{64}/.test(m.headers)),
      'every message is signed',
    );
    const everything = [
      ...wire.messages.map((m) => m.text + m.headers),
      r.stdout,
      r.stderr,
      readFileSync(out, 'utf8'),
      ...agents.map((a) => a.log()),
    ];
    for (const secret of [SECRET, NATS_PASSWORD, SIGNING_SECRET]) {
      assert.ok(
        everything.every((text) => !text.includes(secret)),
        `${secret} leaked`,
      );
    }
  } finally {
    for (const a of agents) a.child.kill('SIGTERM');
    await Promise.all(agents.map((a) => a.result));
    await wire.nc.close();
  }
});
