import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bounded } from '../src/engine/deadline.js';

const never = new Promise<never>(() => {});
const later = <T>(value: T, ms: number): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));

test('a tool step that never answers is cut at its deadline, with what it was', async () => {
  assert.equal(await bounded('count', later(7, 5), { timeoutMs: 1000 }), 7);
  await assert.rejects(bounded('count', never, { timeoutMs: 50 }), { message: 'count: no answer within 0.05 s' });
  await assert.rejects(bounded('count', Promise.reject(new Error('gone')), { timeoutMs: 50 }), { message: 'gone' });
});

test('Ctrl-C abandons the step in progress, but not one that starts after it', async () => {
  const ctrlC = new AbortController();
  const running = bounded('server metrics', never, { timeoutMs: 10_000, signal: ctrlC.signal });
  ctrlC.abort();
  await assert.rejects(running, { message: 'server metrics: interrupted' });
  // A stopped run still counts its rows and tears down.
  assert.equal(await bounded('teardown', later('done', 20), { timeoutMs: 10_000, signal: ctrlC.signal }), 'done');
});
