import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitInteger } from '../src/util/split.js';

test('VU splits sum exactly to the request, in proportion, for many shapes', () => {
  for (let total = 0; total <= 200; total += 7) {
    for (let n = 1; n <= 9; n++) {
      const weights = Array.from({ length: n }, (_, i) => 1 + ((i * 37 + total) % 5));
      const parts = splitInteger(total, weights);
      assert.equal(
        parts.reduce((a, b) => a + b, 0),
        total,
      );
      const sum = weights.reduce((a, b) => a + b, 0);
      parts.forEach((p, i) => assert.ok(Math.abs(p - (total * weights[i]!) / sum) < 1, `part ${i} of ${total} by ${weights.join(', ')}`));
    }
  }
});

test('equal weights give parts that differ by at most one, earlier shares first', () => {
  assert.deepEqual(splitInteger(10, [1, 1, 1]), [4, 3, 3]);
  assert.deepEqual(splitInteger(2, [1, 1, 1, 1]), [1, 1, 0, 0]);
});

test('a split across nothing is refused', () => {
  assert.throws(() => splitInteger(5, []));
  assert.throws(() => splitInteger(-1, [1]));
});
