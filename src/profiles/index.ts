import { type ProfileConfig, singleProfile, type SomeProfile } from './registry.js';
import { type ScenariosConfig, scenarios } from './scenarios.js';

export { profileSchema, type ProfileConfig } from './registry.js';

/** What a plan runs: one profile, or several scenarios each with its own. */
export type PlannedProfile = ProfileConfig | ScenariosConfig;

/** Open model (latency from the intended start) when the profile, or any of the scenarios, is arrival-rate. */
export function isOpenModel(config: PlannedProfile): boolean {
  if (config.type === 'scenarios') return config.items.some((it) => isOpenModel(it.profile));
  return !profileFor(config.type).closedModel;
}

/** Any profile a plan may hold, by type name. */
export function profileFor(type: string): SomeProfile<PlannedProfile> {
  return type === 'scenarios' ? scenarios : singleProfile(type);
}
