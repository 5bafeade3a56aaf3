/**
 * MinIO pins: the operator and tenant charts (published archives, digests
 * from the repository index at operator.min.io) and the images they run.
 * Image digests are not known offline: the images are unlocked until a
 * lock records them. MinIO's server and operator are AGPL-3.0.
 */
import type { ImagePin } from '../../kit/image.js';

/** Where the chart pins were taken from. */
const CHART_SOURCE = 'minio/operator helm-releases (index.yaml at operator.min.io), published archive';

/** The operator and tenant charts, 7.1.1 (MinIO operator v7.1.1). */
export const MINIO_CHARTS = {
  operator: {
    repository: 'https://operator.min.io',
    chart: 'operator',
    version: '7.1.1',
    digest: 'sha256:94f8124e2ecbc62f9cdcbe0519e8980f5992073638f5f63bd2b3ecac4f0ce7ca',
    license: 'AGPL-3.0-or-later',
    source: CHART_SOURCE,
  },
  tenant: {
    repository: 'https://operator.min.io',
    chart: 'tenant',
    version: '7.1.1',
    digest: 'sha256:931dfbbf19871ffd687b4eca1ed23b977928b52fc9710bb3250cb381716fc0ea',
    license: 'AGPL-3.0-or-later',
    source: CHART_SOURCE,
  },
} as const;

/** Images: the operator, the sidecar it injects into tenant pods, and the MinIO server (tags from the charts' values.yaml at 7.1.1). */
export const MINIO_IMAGES = {
  operator: { registry: 'quay.io', repository: 'minio/operator', tag: 'v7.1.1', license: 'AGPL-3.0-or-later', source: 'operator chart 7.1.1 values.yaml operator.image' },
  sidecar: { registry: 'quay.io', repository: 'minio/operator-sidecar', tag: 'v7.1.1', license: 'AGPL-3.0-or-later', source: 'operator chart 7.1.1 values.yaml (sidecarImage, documented repository and tag)' },
  server: { registry: 'quay.io', repository: 'minio/minio', tag: 'RELEASE.2025-04-08T15-41-24Z', license: 'AGPL-3.0-or-later', source: 'tenant chart 7.1.1 values.yaml tenant.image' },
} as const satisfies Record<string, ImagePin>;
