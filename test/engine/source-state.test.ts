import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkerResult } from '../../src/engine/messages.js';
import { type SourceEvent, type SourcePhase, type SourceState, sourceTransition } from '../../src/engine/source-state.js';
import { type SourceHooks, Sources } from '../../src/engine/sources.js';
import type { Snapshot } from '../../src/metrics/snapshot.js';
import { type TableCell, testTransitions } from '../helpers/transitions.js';

const result: WorkerResult = { source: 'a/w0', ok: 10, errors: 0, windows: 2, endedMs: 2000, stopped: false };
const snapshot: Snapshot = {
  runId: 'r',
  source: 'a/w0',
  provider: 'p',
  phase: 'main',
  window: 0,
  activeVUs: 1,
  ranMs: 1000,
  operations: [],
};

const states: Record<SourcePhase, SourceState> = {
  launched: { phase: 'launched' },
  ready: { phase: 'ready' },
  running: { phase: 'running' },
  done: { phase: 'done', result },
  failed: { phase: 'failed', message: 'boom' },
  lost: { phase: 'lost', reason: 'silent', atMs: 1500 },
};

const events = {
  ready: { type: 'ready' },
  start: { type: 'start' },
  snapshot: { type: 'snapshot', snapshot },
  done: { type: 'done', result },
  failed: { type: 'failed', message: 'cannot connect' },
  lost: { type: 'lost', message: 'agent a silent for 7001 ms', atMs: 3000 },
} satisfies Record<string, SourceEvent>;

type Expected = TableCell<SourcePhase>;
const refused = 'refused' as const;
const merged = (to: SourcePhase): Expected => ({ to, effects: ['merge'] });
const failed: Expected = { to: 'failed', effects: ['fail'] };
const lost: Expected = { to: 'lost', effects: ['lost'] };

const table: Record<SourcePhase, Record<keyof typeof events, Expected>> = {
  launched: { ready: { to: 'ready', effects: [] }, start: refused, snapshot: merged('launched'), done: refused, failed, lost },
  ready: { ready: refused, start: { to: 'running', effects: [] }, snapshot: merged('ready'), done: refused, failed, lost },
  running: { ready: refused, start: refused, snapshot: merged('running'), done: { to: 'done', effects: [] }, failed, lost },
  done: { ready: refused, start: refused, snapshot: merged('done'), done: refused, failed: refused, lost: refused },
  failed: { ready: refused, start: refused, snapshot: merged('failed'), done: refused, failed: refused, lost: refused },
  // A late result is kept; the loss stands.
  lost: { ready: refused, start: refused, snapshot: merged('lost'), done: { to: 'lost', effects: [] }, failed: refused, lost: refused },
};

testTransitions('source', table, states, events, sourceTransition);

test('source: what the transitions carry — the result, the failure, the loss and its time, the snapshot to merge', () => {
  assert.deepEqual(sourceTransition(states.running, events.done).state, { phase: 'done', result });
  assert.deepEqual(sourceTransition(states.ready, events.failed), {
    state: { phase: 'failed', message: 'cannot connect' },
    effects: [{ type: 'fail', message: 'cannot connect' }],
  });
  assert.deepEqual(sourceTransition(states.running, events.lost), {
    state: { phase: 'lost', reason: 'agent a silent for 7001 ms', atMs: 3000 },
    effects: [{ type: 'lost', reason: 'agent a silent for 7001 ms' }],
  });
  assert.deepEqual(sourceTransition(states.lost, events.done).state, { phase: 'lost', reason: 'silent', atMs: 1500, result });
  assert.equal((sourceTransition(states.done, events.snapshot).effects[0] as { snapshot: Snapshot }).snapshot, snapshot);
});

/** Sources with hooks that record what they were asked to do. */
function tracked(names: string[], policy: 'continue' | 'abort' = 'continue') {
  const calls = { merged: [] as Snapshot[], failed: 0, lost: [] as string[] };
  const hooks: SourceHooks = {
    elapsedMs: () => 4200,
    merge: (s) => void calls.merged.push(s),
    failed: () => void calls.failed++,
    lost: (source) => void calls.lost.push(source),
  };
  return { sources: new Sources(names, policy, hooks), calls };
}

async function isResolved(p: Promise<void>): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);
}

test('sources: the barrier opens when every source is ready or lost; the end when every one is done, failed or lost', async () => {
  const { sources, calls } = tracked(['a/w0', 'a/w1', 'b/w0']);
  sources.event('a/w0', { type: 'ready' });
  sources.event('b/w0', { type: 'lost', message: 'agent b silent' });
  assert.equal(await isResolved(sources.settled), false);
  sources.event('a/w1', { type: 'ready' });
  assert.equal(await isResolved(sources.settled), true);
  assert.deepEqual(sources.lost(), [{ source: 'b/w0', reason: 'agent b silent', atMs: 4200 }]);
  assert.equal(sources.reporting, 2);
  sources.started();
  sources.event('a/w0', { type: 'done', result });
  assert.equal(await isResolved(sources.over), false);
  sources.event('a/w1', { type: 'done', result: { ...result, source: 'a/w1' } });
  assert.equal(await isResolved(sources.over), true);
  // A snapshot that comes after its source is done, or lost, still counts.
  sources.event('a/w0', { type: 'snapshot', snapshot });
  sources.event('b/w0', { type: 'snapshot', snapshot });
  assert.equal(calls.merged.length, 2);
  assert.deepEqual(calls.lost, ['b/w0']);
  assert.equal(calls.failed, 0);
  assert.equal(sources.failure, undefined);
  assert.deepEqual(
    sources.results().map((r) => r.source),
    ['a/w0', 'a/w1'],
  );
});

test('sources: a loss fails the run under --on-agent-loss abort, or when no source is left', () => {
  const abort = tracked(['a/w0', 'b/w0'], 'abort');
  abort.sources.event('b/w0', { type: 'lost', message: 'agent b silent' });
  assert.equal(abort.sources.failure, 'b/w0: agent b silent');
  assert.equal(abort.calls.failed, 1);
  const all = tracked(['a/w0', 'b/w0']);
  all.sources.event('a/w0', { type: 'lost', message: 'agent a silent' });
  assert.equal(all.sources.failure, undefined);
  all.sources.event('b/w0', { type: 'lost', message: 'agent b silent' });
  assert.equal(all.sources.failure, 'b/w0: agent b silent');
});

test('sources: the first failure is the one reported; the ready timeout names every source not ready', async () => {
  const { sources, calls } = tracked(['a/w0', 'a/w1', 'b/w0']);
  sources.event('a/w1', { type: 'ready' });
  sources.readyTimeout('not ready within 2s (--ready-timeout)');
  assert.equal(sources.failure, 'a/w0, b/w0: not ready within 2s (--ready-timeout)');
  assert.ok(calls.failed >= 1);
  assert.equal(await isResolved(sources.settled), true);
  sources.event('a/w1', { type: 'failed', message: 'later' });
  assert.equal(sources.failure, 'a/w0, b/w0: not ready within 2s (--ready-timeout)');
  assert.equal(await isResolved(sources.over), true);
});

test('sources: a late result of a lost source is kept beside the loss; an unknown source is ignored', () => {
  const { sources, calls } = tracked(['a/w0']);
  sources.event('a/w0', { type: 'ready' });
  sources.started();
  sources.event('a/w0', { type: 'lost', message: 'agent a silent' });
  sources.event('a/w0', { type: 'done', result });
  assert.deepEqual(sources.results(), [result]);
  assert.equal(sources.lost().length, 1);
  sources.event('z/w0', { type: 'snapshot', snapshot });
  assert.equal(calls.merged.length, 0);
});
