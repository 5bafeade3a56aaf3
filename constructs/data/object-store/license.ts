/**
 * The license waivers a profile that installs MinIO carries: MinIO's server,
 * operator and charts are AGPL-3.0, which the license policy holds for review
 * (supply-chain/license-policy.ts). The waivers name each part by its SBOM
 * bom-ref, computed from the catalog so that a new pin changes them too; the
 * reason is written once here and reaches the SBOM (on each part) and the
 * component definition.
 */
import { chartBomRef, imageBomRef } from '../../kit/bom-refs.js';
import type { LicenseWaiver } from '../../../profiles/profile.generated.js';
import { MINIO_CHARTS, MINIO_IMAGES } from './catalog.js';

/** Why the platform accepts MinIO's AGPL-3.0, as the review recorded it. */
export const MINIO_WAIVER_REASON =
  'Reviewed: MinIO (server, operator, operator sidecar, charts) runs unmodified from the upstream images and charts as a separate program reached over the S3 network API; Sovra links none of its code and distributes no modified version, so AGPL-3.0 section 13 (offer source of modified versions to network users) is not triggered. A site that patches MinIO must publish its changes, or choose components.object-store.mode external.';

/**
 * Waivers for every AGPL part of the object store, named by bom-ref. Images
 * are named by tag: once the image lock records their digests, their bom-refs
 * carry the digest and these waivers must be regenerated (a stale waiver fails the synth).
 */
export function minioLicenseWaivers(reason: string = MINIO_WAIVER_REASON): LicenseWaiver[] {
  const parts = [
    ...Object.entries(MINIO_CHARTS).map(([release, c]) => ({ ref: chartBomRef(c), license: c.license })),
    ...Object.values(MINIO_IMAGES).map((i) => ({ ref: imageBomRef(i), license: i.license })),
  ];
  return parts.map((p) => ({ component: p.ref, license: p.license, reason }));
}
