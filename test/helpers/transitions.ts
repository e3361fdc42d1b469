import assert from 'node:assert/strict';
import { test } from 'node:test';

/** `refused`: the very same state and no effect. Otherwise the phase reached and the effects' types, in order. */
export type TableCell<Phase> = 'refused' | { to: Phase; effects: string[] };

/**
 * One test per cell of a state machine's table: every phase met with every event, allowed or
 * refused. `step` is the machine's transition function.
 */
export function testTransitions<Phase extends string, Name extends string, State extends { phase: Phase }, Event>(
  machine: string,
  table: Record<Phase, Record<Name, TableCell<Phase>>>,
  states: Record<Phase, State>,
  events: Record<Name, Event>,
  step: (state: State, event: Event) => { state: State; effects: Array<{ type: string }> },
): void {
  for (const [phase, row] of Object.entries(table) as Array<[Phase, Record<Name, TableCell<Phase>>]>) {
    for (const [name, expected] of Object.entries(row) as Array<[Name, TableCell<Phase>]>) {
      const title = expected === 'refused' ? `${machine} ${phase}: ${name} is refused` : `${machine} ${phase} --${name}--> ${expected.to}`;
      test(title, () => {
        const state = states[phase];
        const next = step(state, events[name]);
        if (expected === 'refused') {
          assert.equal(next.state, state);
          assert.deepEqual(next.effects, []);
          return;
        }
        assert.equal(next.state.phase, expected.to);
        // A transition without effects must still change something (the time heard, the tasks open, a result).
        if (expected.effects.length === 0) assert.notDeepEqual(next.state, state);
        assert.deepEqual(
          next.effects.map((e) => e.type),
          expected.effects,
        );
      });
    }
  }
}
