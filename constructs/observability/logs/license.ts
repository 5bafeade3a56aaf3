/**
 * The license waiver a profile that installs Loki carries: Loki is
 * AGPL-3.0-only, which the license policy holds for review
 * (supply-chain/license-policy.ts). The waiver names the image by its SBOM
 * bom-ref, computed from the catalog so that a new pin changes it too; the
 * reason is written once here and reaches the SBOM and the component
 * definition. The chart is Apache-2.0 and needs none.
 */
import { imageBomRef } from '../../kit/bom-refs.js';
import type { LicenseWaiver } from '../../../profiles/profile.generated.js';
import { LOKI_IMAGE } from './catalog.js';

/** Why the platform accepts Loki's AGPL-3.0, as the review recorded it. */
export const LOKI_WAIVER_REASON =
  'Reviewed: Loki runs unmodified from the upstream image as a separate program that the collectors push to and Grafana queries over its HTTP API; Sovra links none of its code and distributes no modified version, so AGPL-3.0 section 13 (offer source of modified versions to network users) is not triggered. A site that patches Loki must publish its changes, or set components.logs.enabled to false and ship logs by other means.';

/**
 * The waiver of the Loki image, named by tag: once the image lock records its
 * digest the bom-ref carries it and the waiver must follow (a stale waiver fails the synth).
 */
export function lokiLicenseWaivers(reason: string = LOKI_WAIVER_REASON): LicenseWaiver[] {
  return [{ component: imageBomRef(LOKI_IMAGE), license: LOKI_IMAGE.license, reason, approvedBy: 'Sovra platform engineering (observability review)' }];
}
