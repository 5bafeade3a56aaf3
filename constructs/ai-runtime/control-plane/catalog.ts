/**
 * The control plane's image pin.
 *
 * The image is built from `services/` by the release pipeline, which does not
 * exist in this repository yet: the digest below is the pin reserved for
 * release 0.1.0 and names no published image until that pipeline lands.
 */
import type { ImageSpec } from '../../kit/image.js';

/** Image of the control plane service. */
export const CONTROL_PLANE_IMAGE = {
  registry: 'registry.sovra.dev',
  repository: 'sovra/control-plane',
  tag: '0.1.0',
  digest: 'sha256:5f0c4a1e6c0d1b9e2a7f3c8d4e5b6a7980f1e2d3c4b5a6978877665544332211',
  license: 'Apache-2.0',
  source: 'services/ (this repository)',
  // The image installs Sovra's production dependencies from this lockfile.
  npmLockfile: 'package-lock.json',
} as const satisfies ImageSpec;
