/**
 * External Secrets Operator pins: the one place its chart version and image
 * version live. The chart's archive digest is the one its gh-pages index
 * lists; the image's digest is not published anywhere Sovra can read
 * offline, so the image stays unlocked (rendered by tag, reported by the
 * synth) until a site's lock records it.
 */
import type { ImagePin } from '../../kit/image.js';

const SOURCE = 'external-secrets chart 2.9.0 (tag helm-chart-2.9.0, commit cc5bfbc2): Chart.yaml appVersion v2.9.0, values.yaml image.repository';

/** Chart coordinates; the digest is the archive's SHA-256 as https://charts.external-secrets.io/index.yaml lists it. */
export const EXTERNAL_SECRETS_CHART = {
  repository: 'https://charts.external-secrets.io',
  chart: 'external-secrets',
  version: '2.9.0',
  digest: 'sha256:da2d5c126a103b4c1b16a9dc1c168c4332a3687144e88ac070e594f81a0b6578',
  license: 'Apache-2.0',
  source: 'external-secrets gh-pages index.yaml (commit 629cd695), entry external-secrets 2.9.0',
} as const;

/** The one image the chart runs for the controller and the webhook (the cert controller is off, bitwarden-sdk-server disabled). */
export const EXTERNAL_SECRETS_IMAGES = {
  operator: { registry: 'ghcr.io', repository: 'external-secrets/external-secrets', tag: 'v2.9.0', license: 'Apache-2.0', source: SOURCE },
} as const satisfies Record<string, ImagePin>;
