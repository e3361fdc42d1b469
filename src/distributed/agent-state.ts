import type { CoordinatorMessage, WorkerTask } from '../engine/messages.js';
import { FRESH_MS, HEARTBEAT_MS, type PlanMessage } from './protocol.js';

/**
 * An agent's life, after Locust's runner states. One plan at a time:
 *
 *   idle ─plan→ preparing ─prepared→ ready ─start→ running ─stop→ stopping
 *   preparing ─prepareFailed, shutdown→ idle            (the plan is refused, saying why)
 *   ready ─stop, shutdown→ stopping;  running ─shutdown→ stopping
 *   ready, running, stopping ─tick, the coordinator silent too long→ orphaned   (dead-man switch)
 *   ready, running, stopping, orphaned ─taskEnded, the last→ idle
 *
 * A plan that cannot run is refused in any state (the state stays); any other event that fits
 * no transition is refused too: nothing changes and nothing happens. Heartbeats and controls
 * keep a launched plan's `lastHeardMs` fresh, which is what the dead-man switch watches.
 */
export type AgentState =
  | ({ phase: 'idle' } & Common)
  | ({ phase: 'preparing' } & Common & Plan)
  | ({ phase: 'ready' | 'running' | 'stopping' | 'orphaned' } & Common & Launched);

export type AgentPhase = AgentState['phase'];

interface Common {
  /** Plans accepted so far: one replayed is refused. */
  executed: ReadonlySet<string>;
}

interface Plan {
  planId: string;
  runId: string;
  /** Silence from the coordinator after which this plan's load stops (ms). */
  silenceMs: number;
}

interface Launched extends Plan {
  /** Sources whose task has not ended yet. */
  open: ReadonlySet<string>;
  lastHeardMs: number;
}

/** What does not change while the agent runs. */
export interface AgentSelf {
  /** The process's instance id: plans name it. */
  id: string;
  workers: number;
  /** The agent's dead-man time (ms); a plan may shorten it to fit the coordinator's loss time. */
  deadManMs: number;
}

export type AgentEvent =
  | { type: 'plan'; plan: PlanMessage; nowMs: number }
  | { type: 'prepared'; planId: string; tasks: WorkerTask[]; nowMs: number }
  | { type: 'prepareFailed'; planId: string; reason: string }
  /** From the coordinator, past the replay guard. */
  | { type: 'heartbeat'; planId: string; nowMs: number }
  | { type: 'control'; planId: string; message: CoordinatorMessage; nowMs: number }
  /** A task said done or failed: its last message went out. */
  | { type: 'taskEnded'; planId: string; source: string }
  /** The dead-man switch looks at the clock. */
  | { type: 'tick'; nowMs: number }
  /** The agent process is asked to end. */
  | { type: 'shutdown' };

export type AgentEffect =
  | { type: 'refuse'; planId: string; reason: string }
  /** Resolve the plan's providers and check them. */
  | { type: 'prepare'; plan: PlanMessage }
  /** Run the tasks on this agent's workers; watch the coordinator's silence. */
  | { type: 'launch'; planId: string; runId: string; tasks: WorkerTask[]; silenceMs: number }
  /** To the workers. */
  | { type: 'relay'; message: CoordinatorMessage }
  /** Tell the coordinator the load stopped on the agent's own: to it, a loss. */
  | { type: 'stopped'; planId: string; runId: string; silentMs: number }
  /** Every task ended: release what the plan held. */
  | { type: 'finish'; planId: string; runId: string };

export interface AgentStep {
  state: AgentState;
  effects: AgentEffect[];
}

export const IDLE: AgentState = { phase: 'idle', executed: new Set() };

/** The one transition function: pure, so every transition is tested on its own. */
export function agentTransition(self: AgentSelf, state: AgentState, event: AgentEvent): AgentStep {
  switch (event.type) {
    case 'plan':
      return onPlan(self, state, event.plan, event.nowMs);
    case 'prepared':
      if (state.phase !== 'preparing' || state.planId !== event.planId) return refused(state);
      return to(
        { ...state, phase: 'ready', open: new Set(event.tasks.map((t) => t.source)), lastHeardMs: event.nowMs },
        { type: 'launch', planId: state.planId, runId: state.runId, tasks: event.tasks, silenceMs: state.silenceMs },
      );
    case 'prepareFailed':
      if (state.phase !== 'preparing' || state.planId !== event.planId) return refused(state);
      return to({ phase: 'idle', executed: state.executed }, { type: 'refuse', planId: state.planId, reason: event.reason });
    case 'heartbeat':
      return heard(state, event.planId, event.nowMs);
    case 'control':
      return onControl(state, event.planId, event.message, event.nowMs);
    case 'taskEnded':
      return onTaskEnded(state, event.planId, event.source);
    case 'tick':
      return onTick(state, event.nowMs);
    case 'shutdown':
      return onShutdown(state);
  }
}

/** The checks a plan passes, in order; the first that fails is the reason it is refused. */
function onPlan(self: AgentSelf, state: AgentState, plan: PlanMessage, nowMs: number): AgentStep {
  const refuse = (reason: string): AgentStep => ({ state, effects: [{ type: 'refuse', planId: plan.planId, reason }] });
  if (plan.agent !== self.id)
    return refuse(`the plan is for agent process ${plan.agent}, this is ${self.id} (a replay to a restarted agent?)`);
  if (state.phase !== 'idle') return refuse(`busy with plan ${state.planId}`);
  if (state.executed.has(plan.planId)) return refuse('this plan was already executed (a replay?)');
  const ageMs = nowMs - plan.sentAt;
  if (Math.abs(ageMs) > FRESH_MS) return refuse(`the plan is stale (sent ${ageMs} ms ago on this agent's clock: a replay?)`);
  if (plan.tasks.some((t) => t.runId !== plan.runId)) return refuse('tasks of another run in the plan');
  if (plan.tasks.length > self.workers) return refuse(`${plan.tasks.length} tasks for ${self.workers} workers`);
  // Stop before the coordinator declares us lost: a share it counts as gone must be gone.
  const silenceMs = Math.max(HEARTBEAT_MS, Math.min(self.deadManMs, plan.lossAfterMs - HEARTBEAT_MS));
  return to(
    { phase: 'preparing', executed: new Set([...state.executed, plan.planId]), planId: plan.planId, runId: plan.runId, silenceMs },
    { type: 'prepare', plan },
  );
}

/** The coordinator still speaks: the dead-man switch stays quiet (an orphaned agent has already stopped). */
function heard(state: AgentState, planId: string, nowMs: number): AgentStep {
  if (!isWatched(state) || state.planId !== planId) return refused(state);
  return to({ ...state, lastHeardMs: nowMs });
}

/** Start and stop go on to the workers once; a repeat (sent again after a reconnect) only says the coordinator is there. */
function onControl(state: AgentState, planId: string, message: CoordinatorMessage, nowMs: number): AgentStep {
  if (!isWatched(state) || state.planId !== planId) return refused(state);
  const heard = { ...state, lastHeardMs: nowMs };
  const relay: AgentEffect = { type: 'relay', message };
  if (message.type === 'start') return state.phase === 'ready' ? to({ ...heard, phase: 'running' }, relay) : to(heard);
  return state.phase === 'stopping' ? to(heard) : to({ ...heard, phase: 'stopping' }, relay);
}

function onTaskEnded(state: AgentState, planId: string, source: string): AgentStep {
  if (!isLaunched(state) || state.planId !== planId || !state.open.has(source)) return refused(state);
  const open = new Set(state.open);
  open.delete(source);
  if (open.size > 0) return to({ ...state, open });
  return to({ phase: 'idle', executed: state.executed }, { type: 'finish', planId: state.planId, runId: state.runId });
}

/** The dead-man switch: a coordinator that went silent cannot stop us, so we stop ourselves. */
function onTick(state: AgentState, nowMs: number): AgentStep {
  if (!isWatched(state)) return refused(state);
  const silentMs = nowMs - state.lastHeardMs;
  if (silentMs <= state.silenceMs) return refused(state);
  // If the coordinator is only cut off and comes back, it must not take the shortened share
  // for a whole one: it hears that the share stopped, then the snapshots up to the stop.
  return to(
    { ...state, phase: 'orphaned' },
    { type: 'relay', message: { type: 'stop' } },
    { type: 'stopped', planId: state.planId, runId: state.runId, silentMs },
  );
}

/** In-flight operations finish and the last snapshots go out; a plan still being prepared is refused. */
function onShutdown(state: AgentState): AgentStep {
  if (state.phase === 'preparing') {
    return to({ phase: 'idle', executed: state.executed }, { type: 'refuse', planId: state.planId, reason: 'the agent is shutting down' });
  }
  if (state.phase === 'ready' || state.phase === 'running')
    return to({ ...state, phase: 'stopping' }, { type: 'relay', message: { type: 'stop' } });
  return refused(state);
}

type LaunchedState = Extract<AgentState, { open: ReadonlySet<string> }>;

function isLaunched(state: AgentState): state is LaunchedState {
  return state.phase === 'ready' || state.phase === 'running' || state.phase === 'stopping' || state.phase === 'orphaned';
}

/** Launched and not orphaned: the dead-man switch watches the coordinator's silence. */
function isWatched(state: AgentState): state is LaunchedState {
  return isLaunched(state) && state.phase !== 'orphaned';
}

function to(state: AgentState, ...effects: AgentEffect[]): AgentStep {
  return { state, effects };
}

function refused(state: AgentState): AgentStep {
  return { state, effects: [] };
}
