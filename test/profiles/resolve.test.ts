import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScenario } from '../../src/config/load.js';
import { buildPlan, type PlanOverrides, type RunPlan } from '../../src/plan/plan.js';
import { profileFor } from '../../src/profiles/index.js';
import { vusAt, type VuPlanShare } from '../../src/profiles/vu-plan.js';

const HEAD = 'providers:\n  - name: mem\n    provider: sqlite_memory\nworkload:\n  - type: query\n    sql: SELECT 1\n';

function plan(profile: string, overrides: PlanOverrides = {}, rest = `profile: ${profile}\n`): RunPlan {
  return buildPlan({ scenario: parseScenario(`${HEAD}${rest}`, 'x.yaml'), file: 'x.yaml', baseDir: '.' }, overrides);
}

test('every profile is resolved once, at validation: durations in ms, rates in arrivals a second, defaults filled in', () => {
  assert.deepEqual(plan('{ type: constant-vus, vus: 3, duration: 1.5m, thinkTime: 250ms }').profile, {
    type: 'constant-vus',
    vus: 3,
    durationMs: 90_000,
    thinkMs: 250,
  });
  assert.deepEqual(plan('{ type: iterations, vus: 2, iterations: 10 }').profile, {
    type: 'iterations',
    vus: 2,
    iterations: 10,
    maxDurationMs: 600_000,
  });
  assert.deepEqual(plan('{ type: spike, vus: 1, spikeVus: 4, spikeStart: 2, spikeDuration: 500ms, duration: 5s }').profile, {
    type: 'spike',
    vus: 1,
    spikeVus: 4,
    spikeStartMs: 2000,
    spikeDurationMs: 500,
    durationMs: 5000,
    thinkMs: 0,
  });
  assert.deepEqual(plan('{ type: ramping-vus, stages: [{ duration: 10s, target: 5 }] }').profile, {
    type: 'ramping-vus',
    startVUs: 0,
    stages: [{ durationMs: 10_000, target: 5 }],
    thinkMs: 0,
    sloP95Ms: 500,
  });
  assert.deepEqual(
    plan('{ type: constant-arrival-rate, rate: 300, timeUnit: 500ms, duration: 2s, preAllocatedVUs: 2, dropAfter: 0 }').profile,
    { type: 'constant-arrival-rate', ratePerSec: 600, durationMs: 2000, timeUnitMs: 500, preAllocatedVUs: 2, maxVUs: 2, dropAfterMs: 0 },
  );
  assert.deepEqual(
    plan(
      '{ type: ramping-arrival-rate, startRate: 30, timeUnit: 1m, stages: [{ duration: 1m, target: 120 }], preAllocatedVUs: 1, maxVUs: 3 }',
    ).profile,
    {
      type: 'ramping-arrival-rate',
      startRatePerSec: 0.5,
      stages: [{ durationMs: 60_000, target: 2 }],
      timeUnitMs: 60_000,
      preAllocatedVUs: 1,
      maxVUs: 3,
      dropAfterMs: 5000,
    },
  );
  const several = plan(
    '',
    {},
    'scenarios:\n  - { name: a, profile: { type: constant-vus, vus: 1, duration: 1s } }\n' +
      '  - { name: b, startTime: 250ms, profile: { type: constant-vus, vus: 1, duration: 1s } }\n' +
      '  - { name: c, profile: { type: constant-vus, vus: 1, duration: 1s } }\noptions: { window: 250ms }\n',
  );
  assert.deepEqual(several.profile.type === 'scenarios' && several.profile.items.map((it) => [it.name, it.startMs]), [
    ['a', 0],
    ['b', 250],
    ['c', 1250],
  ]);
  assert.equal(several.windowMs, 250);
});

test('flags override the resolved values and are checked against the same bounds', () => {
  const constant = '{ type: constant-vus, vus: 2, duration: 1s }';
  assert.deepEqual(plan(constant, { vus: 7, durationMs: 1234 }).profile, { type: 'constant-vus', vus: 7, durationMs: 1234, thinkMs: 0 });
  const arrivals = '{ type: constant-arrival-rate, rate: 10, timeUnit: 500ms, duration: 1s, preAllocatedVUs: 1 }';
  assert.equal((plan(arrivals, { rate: 300 }).profile as { ratePerSec: number }).ratePerSec, 600, '--rate is per the time unit');
  const perMinute = '{ type: ramping-arrival-rate, timeUnit: 1m, stages: [{ duration: 1s, target: 60 }], preAllocatedVUs: 1 }';
  assert.deepEqual((plan(perMinute, { stages: [{ durationMs: 2000, target: 120 }] }).profile as { stages: unknown }).stages, [
    { durationMs: 2000, target: 2 },
  ]);
  const spike = '{ type: spike, vus: 1, spikeVus: 4, spikeStart: 1s, spikeDuration: 1s, duration: 3s }';
  assert.throws(() => plan(spike, { durationMs: 1500 }), {
    message:
      'profile.duration: spikeStart + spikeDuration must end before duration, leaving time to recover (after command-line overrides)',
  });
  assert.throws(() => plan(arrivals, { rate: 6_000_000 }), {
    message: 'profile.rate: must be at most 10,000,000 arrivals a second (after command-line overrides)',
  });
  assert.throws(
    () => plan('{ type: ramping-vus, stages: [{ duration: 1s, target: 1 }] }', { stages: [{ durationMs: 1000, target: 3e6 }] }),
    {
      message: 'profile.stages[0].target: must be at most 2,000,000 VUs (after command-line overrides)',
    },
  );
});

test('a ramping-vus stage of 0 ms is an instant step: the VUs jump, and it is no phase of its own', () => {
  const { profile } = plan(
    '{ type: ramping-vus, stages: [{ duration: 0, target: 4 }, { duration: 1s, target: 4 }, { duration: 0s, target: 8 }, { duration: 1s, target: 8 }] }',
  );
  const ramp = profileFor(profile.type);
  assert.deepEqual(ramp.phases!(profile), [
    { name: 'stage-2', startMs: 0, endMs: 1000, target: 4 },
    { name: 'stage-4', startMs: 1000, endMs: 2000, target: 8 },
  ]);
  const { points } = ramp.split(profile, [1])[0] as VuPlanShare;
  assert.deepEqual(
    [0, 999, 1000, 2000].map((t) => vusAt(points, t)),
    [4, 4, 8, 8],
  );
  assert.throws(() => plan('{ type: ramping-vus, stages: [{ duration: 0, target: 4 }] }'), {
    message: 'x.yaml:7: profile.stages: must last longer than 0 ms in total',
  });
});

test('shares and interleaved blocks carry resolved numbers: nothing after validation parses a duration', () => {
  const { profile } = plan('{ type: constant-vus, vus: 3, duration: 1.5m, thinkTime: 250ms }');
  const constant = profileFor(profile.type);
  const second = plan('{ type: constant-vus, vus: 3, duration: 1s }').profile;
  assert.deepEqual(constant.split(profile, [1, 1]), [
    { vus: 2, durationMs: 90_000, thinkMs: 250 },
    { vus: 1, durationMs: 90_000, thinkMs: 250 },
  ]);
  assert.deepEqual(
    constant.slice!(second, 3).map((p) => (p as { durationMs: number }).durationMs),
    [334, 333, 333],
  );
});
