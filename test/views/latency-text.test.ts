import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMeasure } from '../../src/report/thresholds.js';
import { latencyText, msFigure } from '../../src/views/table.js';

test('a latency prints with its unit: µs to 3 significant digits below 1 ms, ms with 3 decimals from there', () => {
  const cases: Array<[number, string]> = [
    [0, '0 µs'],
    [0.001, '0.001 µs'],
    [0.48, '0.48 µs'],
    [0.4806, '0.481 µs'],
    [1, '1 µs'],
    [84.159, '84.2 µs'],
    [999.4, '999 µs'],
    // Rounded to 3 digits it would read 1000 µs: a millisecond then.
    [999.6, '1.000 ms'],
    [1234.943, '1.235 ms'],
    [20_123.456, '20.123 ms'],
  ];
  for (const [us, text] of cases) assert.equal(latencyText(us), text, `${us} µs`);
});

test('a column headed ms keeps 3 decimals, and 3 significant digits below 1 ms so a sub-µs figure is not 0.000', () => {
  const cases: Array<[number, string]> = [
    [0, '0.000'],
    [0.00048, '0.00048'],
    [0.0842, '0.0842'],
    [0.137, '0.137'],
    [0.9996, '1.000'],
    [20.1234, '20.123'],
  ];
  for (const [ms, text] of cases) assert.equal(msFigure(ms), text, `${ms} ms`);
});

test('a threshold measure below 1 ms reads in µs, as a threshold may be written', () => {
  assert.equal(formatMeasure(0.48, 'us'), '0.48µs');
  assert.equal(formatMeasure(84.159, 'us'), '84.16µs');
  assert.equal(formatMeasure(20_123.456, 'us'), '20.12ms');
});
