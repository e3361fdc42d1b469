import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveOutput } from '../../src/views/live.js';
import { windowLabel, windowLabels } from '../../src/views/table.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, write: (t: string) => written.push(t), written };
}

test('on a terminal the live line is redrawn in place and left on screen; in a log, one line a window', () => {
  const tty = stream(true);
  const live = liveOutput(tty);
  live.line('[   1s] a');
  live.line('[   2s] a');
  live.end();
  live.end();
  assert.equal(tty.written.join(''), '\r\x1b[2K[   1s] a\r\x1b[2K[   2s] a\n', 'one terminal line, one newline at the end');
  const log = stream(false);
  const lines = liveOutput(log);
  lines.line('[   1s] a');
  lines.line('[   2s] a');
  lines.end();
  assert.equal(log.written.join(''), '[   1s] a\n[   2s] a\n');
});

test('windows are named by the time at their end, as the live line labels them', () => {
  assert.equal(windowLabel(0, 1000), '1s');
  assert.equal(windowLabel(3, 500), '2s');
  assert.equal(windowLabel(2, 500), '1.5s');
  assert.equal(windowLabels([3], 1000), 'windows ending at 4s');
  assert.equal(windowLabels([0, 1, 2], 1000, 2), 'windows ending at 1s, 2s and 1 more');
});
