/**
 * Log pins: the Loki chart (grafana-community/helm-charts, which took the
 * Loki and Tempo charts over from grafana/helm-charts) and the Loki image it
 * runs. The chart is Apache-2.0 (the license the repository's index
 * annotates on its charts); Loki itself is AGPL-3.0-only, so the license
 * policy holds the image for review and the profiles that install it carry
 * a waiver (license.ts). No image digest is published in the reference
 * data: the image is unlocked until a lock records it.
 */
import type { ImagePin } from '../../kit/image.js';

/** Chart coordinates; the digest is the index entry of loki 18.11.0 (../shared/charts/grafana/_pub/loki-18.11.0.entry.yaml). */
export const LOKI_CHART = {
  repository: 'https://grafana-community.github.io/helm-charts',
  chart: 'loki',
  version: '18.11.0',
  digest: 'sha256:d4d99424d197e1460878093c9fced02346669ab0698a0dca7c575ab76fff7aeb',
  license: 'Apache-2.0',
  source: 'grafana-community/helm-charts index.yaml, loki 18.11.0 (tag loki-18.11.0, 3386a115); license as the index annotates the repository\'s charts (artifacthub.io/license)',
} as const;

/** Loki at the chart's appVersion. */
export const LOKI_IMAGE = {
  registry: 'docker.io',
  repository: 'grafana/loki',
  tag: '3.7.6',
  license: 'AGPL-3.0-only',
  source: 'loki chart 18.11.0 values.yaml loki.image (appVersion 3.7.6)',
} as const satisfies ImagePin;
