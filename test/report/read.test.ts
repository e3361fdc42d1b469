import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sideBySide } from '../../src/cli/side-by-side.js';
import { parseScenario } from '../../src/config/load.js';
import { runPlan } from '../../src/engine/engine.js';
import { UserError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { decodeHistogram, initHistograms, summarize } from '../../src/metrics/histogram.js';
import { buildPlan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { readReport } from '../../src/report/read.js';
import { registerSecret } from '../../src/util/secrets.js';
import { renderSummary } from '../../src/views/console.js';
import { ROOT, runCli, tempDir, writeScenario } from '../helpers/cli.js';

/** Made by `stampede run` at the start of this branch (schemaVersion 1): two providers, a ramp, two operations. */
const V1 = join(ROOT, 'test', 'fixtures', 'report-v1.json');
/** Made by `stampede run` before histograms recorded nanoseconds: version 2, histograms in whole µs. */
const V2_US = join(ROOT, 'test', 'fixtures', 'report-v2-us.json');

type Json = Record<string, unknown>;

/** Version 2 names back to version 1's: the mapping the reader must invert, written out once more. */
function asV1(report: Json): Json {
  const back = (o: Json, names: Record<string, string>): Json =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [Object.hasOwn(names, k) ? names[k]! : k, v]));
  return {
    ...report,
    schemaVersion: 1,
    providers: (report.providers as Json[]).map((p) => ({
      ...p,
      sites: (p.sites as Json[]).map((s) => back(s, { peakVUs: 'peakVus', failed: 'errors' })),
      sources: (p.sources as Json[]).map((s) => back(s, { failed: 'errors', workerFailed: 'workerErrors' })),
    })),
  };
}

test('readReport upgrades a version 1 report to version 2: the same figures, sites and sources under the new names', () => {
  const raw = JSON.parse(readFileSync(V1, 'utf8')) as Json;
  const report = readReport(V1);
  assert.equal(report.schemaVersion, 2);
  const rawProviders = raw.providers as Array<{ sites: Json[]; sources: Json[] }>;
  report.providers.forEach((p, i) => {
    const site = rawProviders[i]!.sites[0]!;
    assert.deepEqual([p.sites[0]!.peakVUs, p.sites[0]!.failed], [site.peakVus, site.errors]);
    const source = rawProviders[i]!.sources[0]!;
    assert.deepEqual([p.sources[0]!.failed, p.sources[0]!.workerFailed], [source.errors, source.workerErrors]);
    assert.equal(p.sites[0]!.ok, p.total.ok);
  });
  // Nothing else moved or went missing on the way.
  assert.deepEqual(asV1(report as unknown as Json), raw);
  // The views read it like a fresh report.
  assert.match(renderSummary(report), /^mem-a +read +\d+ +0 /m);
});

test('a version 2 report recorded in µs reads with the same figures, and its histograms keep their unit', async () => {
  const raw = JSON.parse(readFileSync(V2_US, 'utf8')) as Json;
  const report = readReport(V2_US);
  assert.deepEqual(report, raw, 'nothing converted, nothing lost');
  await initHistograms();
  for (const op of report.providers[0]!.operations) {
    assert.equal(op.histograms?.unit, 'us');
    const h = decodeHistogram(op.histograms.latency);
    assert.deepEqual(
      summarize(h, op.histograms.unit),
      op.latencyUs,
      `${op.operation}: its µs histogram reads as the figures it was saved with`,
    );
    assert.notDeepEqual(summarize(h), op.latencyUs, `${op.operation}: read as ns, it would be 1000× off`);
    h.destroy();
  }
  // The views print the saved figures (read: p50 1 µs, max 9575 µs).
  assert.match(renderSummary(report), /^mem +read +299 +0 +[\d,]+ +34\.1 µs +1 µs +4 µs +84 µs +9\.575 ms$/m);
});

test('readReport refuses what is not a run report, in one line naming the file and what is wrong', () => {
  const dir = tempDir();
  const raw = readFileSync(V1, 'utf8');
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const v1 = JSON.parse(raw) as { providers: Array<{ sites: Json[]; windows: Json[] }> };
  delete v1.providers[1]!.sites[0]!.peakVus;
  const v2 = { ...(JSON.parse(raw) as Json), schemaVersion: 2 };
  const cases: Array<[string, RegExp]> = [
    [join(dir, 'absent.json'), /absent\.json: cannot read report: ENOENT$/],
    [write('text.json', 'not json\n'), /text\.json: not a JSON report: Unexpected token/],
    [write('v3.json', '{"schemaVersion": 3}'), /v3\.json: schemaVersion: must be 1 or 2 \(a stampede run report\), got 3$/],
    [write('array.json', '[]'), /array\.json: schemaVersion: must be 1 or 2 \(a stampede run report\), got none$/],
    [write('v1.json', JSON.stringify(v1)), /v1\.json \(version 1, read as 2\): providers\[1\]\.sites\[0\]\.peakVUs: is required$/],
    // A version 2 file is read as it is: version 1's names there are not renamed.
    [write('v2.json', JSON.stringify(v2)), /v2\.json: providers\[0\]\.sources\[0\]\.failed: is required$/],
  ];
  for (const [path, message] of cases) {
    assert.throws(
      () => readReport(path),
      (err: unknown) => err instanceof UserError && message.test(err.message) && !err.message.includes('\n'),
      path,
    );
  }
});

test('a saved report holds what later steps need: per-operation windows, encoded histograms, and comparisons from its own data', async () => {
  const dir = tempDir();
  const out = join(dir, 'report.json');
  const file = writeScenario(`name: plain-data
providers:
  - { name: a, provider: sqlite_memory }
  - { name: b, provider: sqlite_memory }
workload:
  - { name: read, type: query, sql: SELECT 1, weight: 3 }
  - { name: write, type: insert_document, weight: 1 }
profile: { type: iterations, vus: 2, iterations: 400 }
options: { workers: 1, interleave: 4 }
`);
  const r = await runCli(['run', file, '--out', out, '--no-live']);
  assert.equal(r.code, 0, r.stderr);
  const report = readReport(out);
  // The schema describes every field a run writes: validating it dropped nothing.
  assert.deepEqual(report, JSON.parse(readFileSync(out, 'utf8')));
  await initHistograms();
  for (const p of report.providers) {
    assert.equal(p.total.ok, 400);
    for (const op of p.operations) {
      const inWindows = p.windows.flatMap((w) => w.operations?.filter((o) => o.operation === op.operation) ?? []);
      assert.equal(
        inWindows.reduce((n, o) => n + o.ok, 0),
        op.ok,
        `${p.name}/${op.operation}: its windows hold every operation`,
      );
      assert.equal(op.histograms?.unit, 'ns');
      const h = decodeHistogram(op.histograms.latency);
      assert.deepEqual(
        summarize(h, op.histograms.unit),
        op.latencyUs,
        `${p.name}/${op.operation}: the encoded histogram is the one summarized`,
      );
      h.destroy();
    }
    assert.deepEqual([...new Set(p.windows.map((w) => w.block))], [0, 1, 2, 3], 'each window names its block');
  }
  // What the CLI compared, the report alone gives again.
  assert.equal(report.comparisons?.length, 2);
  assert.deepEqual(sideBySide(report), report.comparisons);
});

test('masking secrets leaves encoded histograms whole, even where a secret shows up in their base64 by chance', async () => {
  const scenario = parseScenario(
    'providers: [{ name: mem, provider: sqlite_memory }]\nworkload: [{ type: query, sql: SELECT 1 }]\nprofile: { type: iterations, vus: 1, iterations: 300 }\n',
    'inline',
  );
  const result = await runPlan(buildPlan({ scenario, file: 'inline', baseDir: ROOT }, { workers: 0 }), { logger: silentLogger() });
  const encoded = result.providers[0]!.figures.operations[0]!.histograms.latency;
  registerSecret(encoded.slice(12, 18));
  const report = buildReport(result);
  assert.equal(report.providers[0]!.operations[0]!.histograms?.latency, encoded);
  assert.equal(report.providers[0]!.operations[0]!.ok, 300);
});
