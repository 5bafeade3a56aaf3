/**
 * NATS pins: the one place its chart version and image version live. The
 * image's digest is not known offline, so the image is unlocked until
 * `sovra lock` (or a site's lock) records it.
 */
import type { ImagePin } from '../../kit/image.js';

/** Chart coordinates (nats-io/k8s, chart `nats`). Archive digest not pinned yet. */
export const NATS_CHART = {
  repository: 'https://nats-io.github.io/k8s/helm/charts/',
  chart: 'nats',
  version: '1.2.6',
  license: 'Apache-2.0',
  source: 'nats-io/k8s releases, nats-1.2.6',
} as const;

/** The NATS server image; the chart's config reloader and nats-box are disabled. */
export const NATS_IMAGES = {
  server: { registry: 'docker.io', repository: 'library/nats', tag: '2.10.22-alpine', license: 'Apache-2.0', source: 'docker.io/library/nats:2.10.22-alpine' },
} as const satisfies Record<string, ImagePin>;
