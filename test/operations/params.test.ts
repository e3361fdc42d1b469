import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileParams, paramsSchema } from '../../src/operations/params.js';
import { streamSeed } from '../../src/stats/random.js';
import { fnvhash64, ScrambledZipfian, Zipfian, zeta } from '../../src/stats/zipf.js';
import { UserError } from '../../src/errors.js';
import { VuStreams } from '../../src/engine/vu-streams.js';
import { tempDir } from '../helpers/cli.js';
import { aVu } from '../helpers/vu.js';

test('zipf with s = 0.99 puts the expected share of draws on the top 1 % of keys', () => {
  for (const n of [10_000, 100_000]) {
    const zipf = new Zipfian(n, 0.99);
    const vu = aVu(0, 1, 7);
    const draws = 200_000;
    let top = 0;
    for (let i = 0; i < draws; i++) if (zipf.rank(vu.random()) < n / 100) top++;
    // Exact Zipf: ζ(n/100) / ζ(n) (52 % at 10 000 keys, 60 % at 100 000). Gray et al.'s generator,
    // which YCSB uses, approximates it to about a point; 200 000 draws add ±0.3 points of noise.
    const expected = zeta(n / 100, 0.99) / zeta(n, 0.99);
    assert.ok(Math.abs(top / draws - expected) < 0.02, `n=${n}: ${top / draws} on the top 1 %, expected ${expected}`);
  }
});

test('a growing item count extends ζ to the same value as summing it afresh', () => {
  const grown = new Zipfian(1000, 0.99);
  grown.rank(0.5, 5000);
  const fresh = new Zipfian(5000, 0.99);
  for (const u of [0.01, 0.3, 0.77, 0.999]) assert.equal(grown.rank(u, 5000), fresh.rank(u, 5000));
});

test('YCSB fnvhash64 and the scrambled zipfian stay in range and skewed', () => {
  // YCSB's Utils.fnvhash64 (FNV-1a over the 8 bytes, low first; Math.abs of the signed result),
  // worked out apart in Python: 0 hashes to 0xa8c7f832281a39c5, negative as a long.
  assert.equal(fnvhash64(0), 0x573807cdd7e5c63bn);
  assert.equal(fnvhash64(12345), 1792800413050876852n);
  const s = new ScrambledZipfian(1000);
  const vu = aVu();
  const counts = new Map<number, number>();
  for (let i = 0; i < 50_000; i++) {
    const k = s.next(vu.random());
    assert.ok(k >= 0 && k < 1000);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const hottest = Math.max(...counts.values());
  assert.ok(hottest > (50_000 / 1000) * 20, `the hottest key drew ${hottest} of 50 000`);
});

test('generators: ranges, unique sequences across VUs, uuids, picks, text lengths, CSV columns', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'users.csv'), 'id,name\n1,"Smith, Ann"\n2,"Bo ""B"" Lee"\n');
  const params = paramsSchema.parse([
    { int: [5, 7] },
    { seq: 100 },
    { uuid: true },
    { pick: ['a', 'b'] },
    { text: { min: 2, max: 4 } },
    { csv: 'users.csv', column: 'name' },
    { zipf: { n: 10 } },
    { latest: { n: 10 } },
    42,
  ]);
  const draw = compileParams(params, dir, 'workload[0]');
  const seqs = new Set<number>();
  for (let id = 0; id < 3; id++) {
    const vu = aVu(id, 3, id);
    for (let i = 0; i < 200; i++) {
      const [n, seq, uuid, pick, text, name, z, latest, fixed] = draw(vu) as [
        number,
        number,
        string,
        string,
        string,
        string,
        number,
        number,
        number,
      ];
      assert.ok(n >= 5 && n <= 7);
      seqs.add(seq);
      assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(['a', 'b'].includes(pick));
      assert.match(text, /^[a-z0-9]{2,4}$/);
      assert.ok(['Smith, Ann', 'Bo "B" Lee'].includes(name), name);
      assert.ok(z >= 1 && z <= 10 && latest >= 1 && latest <= 10);
      assert.equal(fixed, 42);
    }
  }
  // Three VUs, 200 values each, no value twice, with no gap: 100 … 699.
  assert.equal(seqs.size, 600);
  assert.equal(Math.min(...seqs), 100);
  assert.equal(Math.max(...seqs), 699);
});

test('bad generator input is one line naming the field', () => {
  assert.throws(
    () => compileParams(paramsSchema.parse([{ csv: 'missing.csv', column: 'x' }]), tempDir(), 'workload[2]'),
    (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /^workload\[2\]\.params\[0\]\.csv: cannot read the CSV file: ENOENT$/);
      return true;
    },
  );
  assert.equal(paramsSchema.safeParse([{ int: [9, 1] }]).success, false);
  assert.equal(paramsSchema.safeParse([{ zipf: { n: 0 } }]).success, false);
  assert.equal(paramsSchema.safeParse([{ rand: 1 }]).success, false);
});

test('a VU stream depends on the seed, the provider and the VU, nothing else', () => {
  assert.equal(streamSeed(1, 'pg', 3), streamSeed(1, 'pg', 3));
  const seeds = new Set([streamSeed(1, 'pg', 3), streamSeed(2, 'pg', 3), streamSeed(1, 'lite', 3), streamSeed(1, 'pg', 4)]);
  assert.equal(seeds.size, 4);
});

test('a VU started in place of a retired one takes the lowest free slot and goes on with its stream', () => {
  const streams = new VuStreams({ seed: 5, provider: 'pg', firstId: 10, vus: 20 });
  const a = streams.take();
  const b = streams.take();
  assert.deepEqual([a.id, b.id], [10, 11]);
  const drawn = a.random();
  streams.release(a);
  const again = streams.take();
  assert.equal(again.id, 10);
  assert.notEqual(again.random(), drawn, 'the stream restarted');
  // The same VU id in another worker's placement draws the same stream.
  const elsewhere = new VuStreams({ seed: 5, provider: 'pg', firstId: 10, vus: 20 }).take();
  assert.equal(elsewhere.random(), drawn);
});
