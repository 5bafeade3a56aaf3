/**
 * OpenBao pins: the one place its chart version and image version live.
 * The chart's published archive digest is in the repository index
 * (openbao-helm gh-pages, entry openbao-0.29.2). The chart's values pin the
 * server image by tag only (no digest is published there), so the image is
 * unlocked until a site's lock records the digest it mirrored.
 */
import type { ImagePin } from '../../kit/image.js';

const CHART_SOURCE = 'openbao/openbao-helm tag openbao-0.29.2 (commit 6b4437be); digest from the index entry https://openbao.github.io/openbao-helm/index.yaml';

/** Chart coordinates; the digest is the archive's SHA-256 as the repository index lists it. */
export const OPENBAO_CHART = {
  repository: 'https://openbao.github.io/openbao-helm',
  chart: 'openbao',
  version: '0.29.2',
  digest: 'sha256:dc6c523aa895eb65b25aa31ad370d2facefb709d27d8020cec4177ac1524bea4',
  license: 'MPL-2.0',
  source: CHART_SOURCE,
} as const;

/** The server image: the chart's appVersion v2.6.2 (values.yaml `server.image`: quay.io, openbao/openbao, tag from appVersion). */
export const OPENBAO_IMAGES = {
  server: {
    registry: 'quay.io',
    repository: 'openbao/openbao',
    tag: '2.6.2',
    license: 'MPL-2.0',
    source: 'openbao chart 0.29.2 values.yaml server.image (tag defaults to appVersion v2.6.2 without the "v")',
  },
} as const satisfies Record<string, ImagePin>;
