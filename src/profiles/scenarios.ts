import type { PhasePlan } from './stages.js';
import type { ProfileDefinition } from './types.js';

/** Several profiles in one run, each starting at its own offset (one after another by default). */
export interface ScenariosConfig<Profile extends { type: string }> {
  type: 'scenarios';
  items: Array<{ name: string; startMs: number; profile: Profile }>;
}

interface Share {
  items: Array<{ name: string; startMs: number; type: string; share: unknown }>;
}

/**
 * Built by the plan from a scenario file's `scenarios:` list, never written by hand. Each
 * scenario runs its own profile on a runtime whose clock starts at the scenario's offset;
 * its phases are reported as `<scenario>/<phase>` (or `<scenario>` for a one-phase profile).
 * `profileOf` is the registry of single profiles, which holds this one too.
 */
export function scenariosProfile<Profile extends { type: string }>(
  profileOf: (type: string) => ProfileDefinition<Profile, unknown>,
  resolved: ProfileDefinition<ScenariosConfig<Profile>, Share>['resolved'],
): ProfileDefinition<ScenariosConfig<Profile>, Share> {
  return {
    type: 'scenarios',
    resolved,
    label: 'scenarios (a file with several scenarios)',
    // Mixed runs are told apart by isOpenModel(), which looks at each scenario.
    closedModel: false,
    overrides: [],
    override: (config) => config,
    peakVus: (config) => config.items.reduce((n, it) => n + profileOf(it.profile.type).peakVus(it.profile), 0),
    sharePeakVus: (share) => share.items.reduce((n, it) => n + profileOf(it.type).sharePeakVus(it.share), 0),
    split(config, weights) {
      const perItem = config.items.map((it) => profileOf(it.profile.type).split(it.profile, weights));
      return weights.map((_, k) => ({
        items: config.items.map((it, i) => ({ name: it.name, startMs: it.startMs, type: it.profile.type, share: perItem[i]![k] })),
      }));
    },
    durationMs(config) {
      let end = 0;
      for (const it of config.items) {
        const ms = profileOf(it.profile.type).durationMs(it.profile);
        if (ms === undefined) return undefined;
        end = Math.max(end, it.startMs + ms);
      }
      return end;
    },
    phases(config) {
      const out: PhasePlan[] = [];
      for (const it of config.items) {
        const profile = profileOf(it.profile.type);
        const own = profile.phases?.(it.profile) ?? [];
        if (own.length === 0) {
          const ms = profile.durationMs(it.profile) ?? 0;
          out.push({ name: it.name, startMs: it.startMs, endMs: it.startMs + ms });
        }
        for (const p of own) out.push({ ...p, name: `${it.name}/${p.name}`, startMs: p.startMs + it.startMs, endMs: p.endMs + it.startMs });
      }
      return out;
    },
    async run(share, runtime) {
      await Promise.all(
        share.items.map(async (it) => {
          await runtime.sleepUntil(it.startMs);
          if (!runtime.stopping) await profileOf(it.type).run(it.share, runtime.shifted(it.startMs));
        }),
      );
    },
  };
}
