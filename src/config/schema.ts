import { z } from 'zod';
import { operationSchema } from '../operations/schema.js';
import { operationName } from '../operations/compile.js';
import { builtinWorkloadSchema } from '../operations/builtin/index.js';
import { lifecycleSchema } from '../operations/lifecycle.js';
import { profileSchema } from '../profiles/index.js';
import { providerConfigSchema } from '../providers/config.js';
import { checkThresholdScopes, thresholdSchema } from './thresholds.js';
import { atMost, durationMsSchema, durationOrZeroMsSchema, MAX_BLOCKS, name, workerCount } from '../util/fields.js';

/** One of several load profiles in a file; without `startTime` it starts when the previous one ends. */
const scenarioItemSchema = z
  .strictObject({
    name,
    startTime: durationOrZeroMsSchema.optional(),
    profile: profileSchema,
  })
  .transform(({ name, startTime, profile }) => ({ name, startMs: startTime, profile }));

export const scenarioSchema = z
  .strictObject({
    name: name.optional(),
    description: z.string().optional(),
    /** Makes the run's generated parameters repeatable: every VU's stream derives from it. */
    seed: z
      .number()
      .int('must be an integer')
      .min(0, 'must be 0 or more')
      .max(2 ** 53 - 1)
      .optional(),
    providers: z.array(providerConfigSchema).min(1, 'must list at least one provider'),
    /** Operations, or a built-in workload (`{builtin: tpcb, scale: 10}`) expanded into its operations. */
    workload: z.union([z.array(operationSchema).min(1, 'must list at least one operation'), builtinWorkloadSchema]),
    /** SQL or a module's function run once per provider before the load, outside the windows; its last statement's rows, or what the function returns, go to every VU. */
    setup: lifecycleSchema.optional(),
    /** SQL or a module's function run once per provider after the load (not with --keep-data). */
    teardown: lifecycleSchema.optional(),
    /** One profile, or `scenarios`: several, run one after another or at given start times. */
    profile: profileSchema.optional(),
    scenarios: z.array(scenarioItemSchema).min(1, 'must list at least one scenario').optional(),
    options: z
      .strictObject({
        window: durationMsSchema.optional(),
        workers: workerCount().optional(),
        keepData: z.boolean().optional(),
        /** Runs the providers in this many alternating short blocks, so machine drift hits all alike. */
        interleave: z.number().int().min(1, 'must be 1 (no interleaving) or more').max(MAX_BLOCKS, atMost(MAX_BLOCKS)).optional(),
      })
      .transform(({ window, ...rest }) => ({ windowMs: window, ...rest }))
      .optional(),
    /** Pass/fail gates on the merged figures: a failed one exits 4. */
    thresholds: z.array(thresholdSchema).optional(),
  })
  .superRefine((s, ctx) => {
    checkThresholdScopes(
      s.thresholds,
      s.providers.map((p) => p.name),
      s.workload.map(operationName),
      ctx,
    );
    if ((s.profile === undefined) === (s.scenarios === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['profile'],
        message: s.profile ? 'give either profile or scenarios, not both' : 'is required (or scenarios)',
      });
    }
  });
/** A scenario as a file or a library call writes it. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A scenario validated and resolved: durations in milliseconds, rates in arrivals a second. */
export type Scenario = z.output<typeof scenarioSchema>;
