import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AgentEvent,
  type AgentPhase,
  type AgentSelf,
  type AgentState,
  agentTransition,
  IDLE,
} from '../../src/distributed/agent-state.js';
import { HEARTBEAT_MS, type PlanMessage, PROTOCOL_VERSION, type RemoteTask } from '../../src/distributed/protocol.js';
import type { WorkerTask } from '../../src/engine/messages.js';
import { type TableCell, testTransitions } from '../helpers/transitions.js';

const NOW = 1_000_000;
const self: AgentSelf = { id: 'a1', workers: 2, deadManMs: 5000 };

function remoteTask(source: string, runId = 'r1'): RemoteTask {
  return {
    runId,
    source,
    provider: { ref: 'pg' },
    workload: [{ type: 'query', sql: 'SELECT 1' }],
    operationNames: ['q'],
    profileType: 'constant-vus',
    share: {},
    openModel: false,
    phases: [],
    peakVus: 1,
    windowMs: 1000,
    setupInWorker: false,
    vus: { seed: 1, firstId: 0, total: 1 },
  };
}

const workerTask = (source: string): WorkerTask => ({
  ...remoteTask(source),
  provider: { name: 'pg', provider: 'postgresql' },
  baseDir: '/tmp',
});

function plan(over: Partial<PlanMessage> = {}): PlanMessage {
  return {
    v: PROTOCOL_VERSION,
    type: 'plan',
    runId: 'r1',
    planId: 'p1',
    agent: 'a1',
    sentAt: NOW,
    lossAfterMs: 7000,
    tasks: [remoteTask('x/w0'), remoteTask('x/w1')],
    ...over,
  };
}

const executed = new Set(['p1']);
const planned = { executed, planId: 'p1', runId: 'r1', silenceMs: 5000 };
const launched = { ...planned, open: new Set(['x/w0', 'x/w1']), lastHeardMs: NOW };
const states: Record<AgentPhase, AgentState> = {
  idle: IDLE,
  preparing: { phase: 'preparing', ...planned },
  ready: { phase: 'ready', ...launched },
  running: { phase: 'running', ...launched },
  stopping: { phase: 'stopping', ...launched },
  orphaned: { phase: 'orphaned', ...launched },
};

const events = {
  plan: { type: 'plan', plan: plan({ planId: 'p2' }), nowMs: NOW },
  prepared: { type: 'prepared', planId: 'p1', tasks: [workerTask('x/w0'), workerTask('x/w1')], nowMs: NOW + 10 },
  prepareFailed: { type: 'prepareFailed', planId: 'p1', reason: 'no such database' },
  heartbeat: { type: 'heartbeat', planId: 'p1', nowMs: NOW + 500 },
  start: { type: 'control', planId: 'p1', message: { type: 'start', startAt: NOW + 100 }, nowMs: NOW + 500 },
  stop: { type: 'control', planId: 'p1', message: { type: 'stop' }, nowMs: NOW + 500 },
  taskEnded: { type: 'taskEnded', planId: 'p1', source: 'x/w0' },
  silence: { type: 'tick', nowMs: NOW + 5001 },
  shutdown: { type: 'shutdown' },
} satisfies Record<string, AgentEvent>;

type Expected = TableCell<AgentPhase>;
const refused = 'refused' as const;
const busy: Expected = { to: 'idle', effects: ['refuse'] };

const table: Record<AgentPhase, Record<keyof typeof events, Expected>> = {
  idle: {
    plan: { to: 'preparing', effects: ['prepare'] },
    prepared: refused,
    prepareFailed: refused,
    heartbeat: refused,
    start: refused,
    stop: refused,
    taskEnded: refused,
    silence: refused,
    shutdown: refused,
  },
  preparing: {
    plan: { ...busy, to: 'preparing' },
    prepared: { to: 'ready', effects: ['launch'] },
    prepareFailed: { to: 'idle', effects: ['refuse'] },
    heartbeat: refused,
    start: refused,
    stop: refused,
    taskEnded: refused,
    silence: refused,
    shutdown: { to: 'idle', effects: ['refuse'] },
  },
  ready: {
    plan: { ...busy, to: 'ready' },
    prepared: refused,
    prepareFailed: refused,
    heartbeat: { to: 'ready', effects: [] },
    start: { to: 'running', effects: ['relay'] },
    stop: { to: 'stopping', effects: ['relay'] },
    taskEnded: { to: 'ready', effects: [] },
    silence: { to: 'orphaned', effects: ['relay', 'stopped'] },
    shutdown: { to: 'stopping', effects: ['relay'] },
  },
  running: {
    plan: { ...busy, to: 'running' },
    prepared: refused,
    prepareFailed: refused,
    heartbeat: { to: 'running', effects: [] },
    // A start sent again after a reconnect: the coordinator is there, the workers started already.
    start: { to: 'running', effects: [] },
    stop: { to: 'stopping', effects: ['relay'] },
    taskEnded: { to: 'running', effects: [] },
    silence: { to: 'orphaned', effects: ['relay', 'stopped'] },
    shutdown: { to: 'stopping', effects: ['relay'] },
  },
  stopping: {
    plan: { ...busy, to: 'stopping' },
    prepared: refused,
    prepareFailed: refused,
    heartbeat: { to: 'stopping', effects: [] },
    start: { to: 'stopping', effects: [] },
    stop: { to: 'stopping', effects: [] },
    taskEnded: { to: 'stopping', effects: [] },
    silence: { to: 'orphaned', effects: ['relay', 'stopped'] },
    shutdown: refused,
  },
  orphaned: {
    plan: { ...busy, to: 'orphaned' },
    prepared: refused,
    prepareFailed: refused,
    heartbeat: refused,
    start: refused,
    stop: refused,
    taskEnded: { to: 'orphaned', effects: [] },
    silence: refused,
    shutdown: refused,
  },
};

testTransitions('agent', table, states, events, (state, event) => agentTransition(self, state, event));

// The last task to end releases the plan, whatever the launched phase.
for (const phase of ['ready', 'running', 'stopping', 'orphaned'] as const) {
  test(`agent ${phase} --the last taskEnded--> idle, finishing the plan`, () => {
    const state: AgentState = { ...states[phase], phase, open: new Set(['x/w1']) } as AgentState;
    const step = agentTransition(self, state, { type: 'taskEnded', planId: 'p1', source: 'x/w1' });
    assert.deepEqual(step.state, { phase: 'idle', executed });
    assert.deepEqual(step.effects, [{ type: 'finish', planId: 'p1', runId: 'r1' }]);
  });
}

test('agent: events about another plan, or a task that already ended, are refused', () => {
  const running = states.running;
  for (const event of [
    { ...events.heartbeat, planId: 'p0' },
    { ...events.stop, planId: 'p0' },
    { ...events.taskEnded, planId: 'p0' },
    { ...events.taskEnded, source: 'x/w9' },
  ] satisfies AgentEvent[]) {
    const step = agentTransition(self, running, event);
    assert.equal(step.state, running, JSON.stringify(event));
    assert.deepEqual(step.effects, []);
  }
  const preparing = states.preparing;
  for (const event of [
    { ...events.prepared, planId: 'p0' },
    { ...events.prepareFailed, planId: 'p0' },
  ] satisfies AgentEvent[]) {
    assert.equal(agentTransition(self, preparing, event).state, preparing);
  }
});

test('agent idle: a plan is refused, in this order, for the wrong process, a replay, staleness, another run, too many tasks', () => {
  const idle: AgentState = { phase: 'idle', executed };
  const reasons = (p: PlanMessage): string[] =>
    agentTransition(self, idle, { type: 'plan', plan: p, nowMs: NOW }).effects.map((e) => (e.type === 'refuse' ? e.reason : e.type));
  assert.deepEqual(reasons(plan({ agent: 'b2', planId: 'p1' })), [
    'the plan is for agent process b2, this is a1 (a replay to a restarted agent?)',
  ]);
  assert.deepEqual(reasons(plan({ planId: 'p1' })), ['this plan was already executed (a replay?)']);
  assert.deepEqual(reasons(plan({ planId: 'p2', sentAt: NOW - 10_001 })), [
    "the plan is stale (sent 10001 ms ago on this agent's clock: a replay?)",
  ]);
  assert.deepEqual(reasons(plan({ planId: 'p2', sentAt: NOW + 10_001 })), [
    "the plan is stale (sent -10001 ms ago on this agent's clock: a replay?)",
  ]);
  assert.deepEqual(reasons(plan({ planId: 'p2', tasks: [remoteTask('x/w0'), remoteTask('x/w1', 'r0')] })), [
    'tasks of another run in the plan',
  ]);
  assert.deepEqual(reasons(plan({ planId: 'p2', tasks: ['x/w0', 'x/w1', 'x/w2'].map((s) => remoteTask(s)) })), ['3 tasks for 2 workers']);
  // A wrong process is named even while busy: it is the first check.
  const busyStep = agentTransition(self, states.running, { type: 'plan', plan: plan({ agent: 'b2' }), nowMs: NOW });
  assert.match((busyStep.effects[0] as { reason: string }).reason, /for agent process b2/);
  const running = agentTransition(self, states.running, events.plan);
  assert.deepEqual(running.effects, [{ type: 'refuse', planId: 'p2', reason: 'busy with plan p1' }]);
});

test('agent idle --plan--> preparing: the plan is remembered, and its dead-man time fits inside the loss time', () => {
  const accepted = agentTransition(self, IDLE, events.plan);
  assert.deepEqual(accepted.state, { phase: 'preparing', executed: new Set(['p2']), planId: 'p2', runId: 'r1', silenceMs: 5000 });
  assert.deepEqual(accepted.effects, [{ type: 'prepare', plan: events.plan.plan }]);
  assert.equal(IDLE.executed.size, 0, 'the state before is left as it was');
  const silenceFor = (lossAfterMs: number): number => {
    const step = agentTransition(self, IDLE, { type: 'plan', plan: plan({ lossAfterMs }), nowMs: NOW });
    return step.state.phase === 'preparing' ? step.state.silenceMs : NaN;
  };
  assert.equal(silenceFor(3000), 3000 - HEARTBEAT_MS);
  assert.equal(silenceFor(60_000), self.deadManMs);
  assert.equal(silenceFor(1500), HEARTBEAT_MS);
});

test('agent preparing --prepared--> ready: every task launched, the dead-man clock starts now', () => {
  const step = agentTransition(self, states.preparing, events.prepared);
  assert.deepEqual(step.state, { phase: 'ready', ...planned, open: new Set(['x/w0', 'x/w1']), lastHeardMs: NOW + 10 });
  assert.deepEqual(step.effects, [{ type: 'launch', planId: 'p1', runId: 'r1', tasks: events.prepared.tasks, silenceMs: 5000 }]);
});

test('agent preparing --prepareFailed, shutdown--> idle: the coordinator hears why', () => {
  assert.deepEqual(agentTransition(self, states.preparing, events.prepareFailed).effects, [
    { type: 'refuse', planId: 'p1', reason: 'no such database' },
  ]);
  assert.deepEqual(agentTransition(self, states.preparing, events.shutdown).effects, [
    { type: 'refuse', planId: 'p1', reason: 'the agent is shutting down' },
  ]);
});

test('agent: the coordinator heard keeps the dead-man switch quiet; silence beyond the plan’s time orphans the agent', () => {
  const heard = agentTransition(self, states.running, events.heartbeat).state;
  assert.equal(heard.phase === 'running' && heard.lastHeardMs, NOW + 500);
  // Exactly the dead-man time is not yet too long.
  assert.equal(agentTransition(self, states.running, { type: 'tick', nowMs: NOW + 5000 }).state, states.running);
  assert.equal(agentTransition(self, heard, events.silence).state, heard, 'heard at +500: +5001 is 4501 ms of silence');
  const orphaned = agentTransition(self, states.running, events.silence);
  assert.deepEqual(orphaned.effects, [
    { type: 'relay', message: { type: 'stop' } },
    { type: 'stopped', planId: 'p1', runId: 'r1', silentMs: 5001 },
  ]);
  const started = agentTransition(self, states.ready, events.start);
  assert.deepEqual(started.effects, [{ type: 'relay', message: events.start.message }]);
  assert.equal(started.state.phase === 'running' && started.state.lastHeardMs, NOW + 500, 'a control is word from the coordinator too');
});

test('agent: a task that ends is no longer waited for', () => {
  const step = agentTransition(self, states.running, events.taskEnded);
  assert.deepEqual(step.state.phase === 'running' && [...step.state.open], ['x/w1']);
  assert.deepEqual([...(states.running as { open: ReadonlySet<string> }).open], ['x/w0', 'x/w1'], 'the state before is left as it was');
});
