/** The mesh settings of a profile, read by Istio and by the components that adapt to the mesh (Cilium). */
import type { IstioSettings, Profile } from '../../../profiles/profile.generated.js';

/** The mesh settings of a profile. */
export function meshSettings(profile: Profile): IstioSettings {
  return profile.components.istio;
}

/** Whether `profile` installs the mesh. */
export function meshEnabled(profile: Profile): boolean {
  return meshSettings(profile).enabled;
}
