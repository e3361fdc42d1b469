import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/report/types.js';
import { runCli, tempDir, selectOneScenario } from '../helpers/cli.js';

const ARRIVAL = '  type: constant-arrival-rate\n  rate: 100\n  duration: 1s\n  preAllocatedVUs: 4\n  maxVUs: 8';
const SPIKE = '  type: spike\n  vus: 1\n  spikeVus: 5\n  spikeStart: 1s\n  spikeDuration: 1s\n  duration: 3s';
const RAMP = '  type: ramping-vus\n  stages:\n    - { duration: 1s, target: 2 }';

/** One line on stderr, nothing on stdout, exit 2. */
async function rejects(args: string[], line: RegExp): Promise<void> {
  const r = await runCli([...args, '--no-live']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^stampede: [^\n]+\n$/);
  assert.match(r.stderr, line);
}

test('bad profile input is one line naming the field and its line, exit 2', async () => {
  await rejects(['run', selectOneScenario(ARRIVAL.replace('rate: 100', 'rate: -5'))], /:9: profile\.rate: must be a positive number$/m);
  await rejects(
    ['run', selectOneScenario(ARRIVAL.replace('maxVUs: 8', 'maxVUs: 2'))],
    /: profile\.maxVUs: must be at least preAllocatedVUs$/m,
  );
  await rejects(
    ['run', selectOneScenario(SPIKE.replace('spikeStart: 1s', 'spikeStart: 2500ms'))],
    /: profile\.duration: spikeStart \+ spikeDuration must end before duration/,
  );
  await rejects(['run', selectOneScenario(SPIKE.replace('spikeVus: 5', 'spikeVus: 1'))], /: profile\.spikeVus: must be more than vus$/m);
  await rejects(
    ['run', selectOneScenario(RAMP.replace('target: 2', 'target: 0'))],
    /: profile\.stages: at least one stage must target more than 0 VUs$/m,
  );
  await rejects(
    ['run', selectOneScenario(RAMP.replace('target: 2', 'target: -1'))],
    /: profile\.stages\[0\]\.target: must be 0 or a positive integer$/m,
  );
  await rejects(['run', selectOneScenario(`${ARRIVAL}\n  vus: 3`)], /: profile\.vus: unknown field$/m);
});

test('flags override the profile; a flag that does not apply or is unknown is one line, exit 2', async () => {
  await rejects(['run', selectOneScenario(RAMP), '--rate', '5'], /--rate does not apply to profile "ramping-vus" \(it takes --stages\)/);
  await rejects(
    ['run', selectOneScenario(ARRIVAL), '--vus', '5'],
    /--vus does not apply to profile "constant-arrival-rate" \(it takes --rate, --duration\)/,
  );
  await rejects(['run', selectOneScenario(ARRIVAL), '--stages', '1s:10'], /--stages does not apply to profile "constant-arrival-rate"/);
  await rejects(['run', selectOneScenario(ARRIVAL), '--rate=-3'], /--rate.*must be a positive number/);
  await rejects(['run', selectOneScenario(RAMP), '--stages', '1s:2,later'], /--stages.*"later" is not duration:target/);
  await rejects(['run', selectOneScenario(RAMP), '--ramp-up', '5'], /unknown option '--ramp-up'/);
});

test('--rate, --duration and --stages replace what the scenario says', async () => {
  const dir = tempDir();
  const rate = await runCli([
    'run',
    selectOneScenario(ARRIVAL),
    '--rate',
    '300',
    '--duration',
    '1s',
    '--workers',
    '2',
    '--out',
    join(dir, 'a.json'),
    '--no-live',
  ]);
  assert.equal(rate.code, 0, rate.stderr);
  const a = (JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as Report).providers[0]!;
  assert.equal(a.arrivals!.intended, 300);

  const stages = await runCli([
    'run',
    selectOneScenario(RAMP),
    '--stages',
    '500ms:1,500ms:3',
    '--workers',
    '1',
    '--out',
    join(dir, 'r.json'),
    '--no-live',
  ]);
  assert.equal(stages.code, 0, stages.stderr);
  const r = (JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Report).providers[0]!;
  assert.deepEqual(
    r.phases!.map((ph) => [ph.phase, ph.target, ph.endMs]),
    [
      ['stage-1', 1, 500],
      ['stage-2', 3, 1000],
    ],
  );
});
