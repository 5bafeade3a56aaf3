/**
 * The license waiver a profile that installs Tempo carries: Tempo is
 * AGPL-3.0-only, which the license policy holds for review. The waiver names
 * the image by its SBOM bom-ref, computed from the catalog; the reason is
 * written once here. The chart is Apache-2.0 and needs none.
 */
import { imageBomRef } from '../../kit/bom-refs.js';
import type { LicenseWaiver } from '../../../profiles/profile.generated.js';
import { TEMPO_IMAGE } from './catalog.js';

/** Why the platform accepts Tempo's AGPL-3.0, as the review recorded it. */
export const TEMPO_WAIVER_REASON =
  'Reviewed: Tempo runs unmodified from the upstream image as a separate program that the trace collector pushes to and Grafana queries over its HTTP API; Sovra links none of its code and distributes no modified version, so AGPL-3.0 section 13 (offer source of modified versions to network users) is not triggered. A site that patches Tempo must publish its changes, or set components.traces.enabled to false.';

/**
 * The waiver of the Tempo image, named by tag: once the image lock records its
 * digest the bom-ref carries it and the waiver must follow (a stale waiver fails the synth).
 */
export function tempoLicenseWaivers(reason: string = TEMPO_WAIVER_REASON): LicenseWaiver[] {
  return [{ component: imageBomRef(TEMPO_IMAGE), license: TEMPO_IMAGE.license, reason, approvedBy: 'Sovra platform engineering (observability review)' }];
}
