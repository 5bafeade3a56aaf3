/**
 * Trace pins: the Tempo chart (single binary; grafana-community/helm-charts)
 * and the Tempo image it runs. The chart is Apache-2.0 (the license the
 * repository's index annotates on its charts); Tempo itself is
 * AGPL-3.0-only, so the license policy holds the image for review and the
 * profiles that install it carry a waiver (license.ts). No image digest is
 * published in the reference data: the image is unlocked until a lock
 * records it. The trace collector uses the collector pins of component logs.
 */
import type { ImagePin } from '../../kit/image.js';

/** Chart coordinates; the digest is the index entry of tempo 2.2.4 (../shared/charts/grafana/_pub/tempo-2.2.4.entry.yaml). */
export const TEMPO_CHART = {
  repository: 'https://grafana-community.github.io/helm-charts',
  chart: 'tempo',
  version: '2.2.4',
  digest: 'sha256:5f3f4b29c4487b9c27715c18bc6c7b0889712b14075d97705f9b151a51725f68',
  license: 'Apache-2.0',
  source: "grafana-community/helm-charts index.yaml, tempo 2.2.4 (tag tempo-2.2.4, 7d2a00b3); license as the index annotates the repository's charts (artifacthub.io/license)",
} as const;

/** Tempo at the chart's appVersion. */
export const TEMPO_IMAGE = {
  registry: 'docker.io',
  repository: 'grafana/tempo',
  tag: '2.10.8',
  license: 'AGPL-3.0-only',
  source: 'tempo chart 2.2.4 values.yaml tempo.repository (appVersion 2.10.8; ../shared/charts/grafana/images.txt)',
} as const satisfies ImagePin;
